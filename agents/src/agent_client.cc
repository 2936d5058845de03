#include "agent/agent_client.h"

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "common/json_text.h"

namespace slipway::agent {
namespace {

Status FromHttp(int status, const std::string& body, const std::string& what) {
  if (status >= 200 && status < 300) return Status::Ok();
  std::string message = what + ": HTTP " + std::to_string(status);
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    message += " " + j["error"].value("message", std::string());
  }
  if (status == 409) return Status::Conflict(message);
  if (status == 401) return Status::Unauthenticated(message);
  if (status == 403) return Status::PermissionDenied(message);
  if (status == 404) return Status::NotFound(message);
  if (status >= 500 || status == 429) return Status::Unavailable(message);
  return Status::InvalidArgument(message);
}

}  // namespace

Result<AgentClient::Answer> AgentClient::Post(const std::string& path, const std::string& body, int timeout_ms) {
  HttpRequest req;
  req.method = "POST";
  req.url = config_.server + path;
  req.body = body;
  req.timeout = std::chrono::milliseconds(timeout_ms);
  req.ca_file = config_.ca_file;
  req.headers = {{"Authorization", "Bearer " + config_.token}, {"Content-Type", "application/json"}};
  auto resp = HttpFetch(req);
  if (!resp.ok()) return Status::Unavailable(resp.status().message());
  return Answer{resp->status, std::move(resp->body)};
}

Result<std::optional<Lease>> AgentClient::LeaseJob(int wait_seconds) {
  nlohmann::json body = protocol::LeaseRequest{config_.name, config_.labels, config_.capacity, config_.version};
  auto a = Post("/api/v1/agent/lease?wait=" + std::to_string(wait_seconds), protocol::ToBody(body),
                (wait_seconds + 10) * 1000);
  if (!a.ok()) return a.status();
  if (a->status == 204) return std::optional<Lease>();
  if (Status s = FromHttp(a->status, a->body, "lease"); !s.ok()) return s;
  nlohmann::json j = nlohmann::json::parse(a->body, nullptr, false);
  if (!j.is_object() || !j.contains("lease")) return Status::Internal("lease answer has no lease");
  auto lease = protocol::ReadLeaseOffer(j["lease"]);
  if (!lease.ok()) return lease.status();
  return std::optional<Lease>(std::move(*lease));
}

Result<RenewAnswer> AgentClient::Renew(const std::string& lease_id, int wait_seconds) {
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/renew?wait=" + std::to_string(wait_seconds), "{}",
                (wait_seconds + 10) * 1000);
  if (!a.ok()) return a.status();
  if (Status s = FromHttp(a->status, a->body, "renew"); !s.ok()) return s;
  auto answer = protocol::ReadRenewAnswer(nlohmann::json::parse(a->body, nullptr, false));
  if (!answer.ok()) return answer.status();
  return answer->cancel ? RenewAnswer::kCancel : RenewAnswer::kContinue;
}

Status AgentClient::PostLog(const std::string& lease_id, long long seq, const std::string& data) {
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/log", protocol::ToBody(protocol::LogBatch{seq, data}), 15000);
  if (!a.ok()) return a.status();
  return FromHttp(a->status, a->body, "log");
}

Status AgentClient::PostSteps(const std::string& lease_id, const protocol::StepsReport& steps) {
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/steps", protocol::ToBody(steps), 15000);
  if (!a.ok()) return a.status();
  return FromHttp(a->status, a->body, "steps");
}

Status AgentClient::MarkPushing(const std::string& lease_id) {
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/pushing", "{}", 15000);
  if (!a.ok()) return a.status();
  return FromHttp(a->status, a->body, "pushing");
}

Status AgentClient::Finish(const std::string& lease_id, const protocol::FinishReport& report) {
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/finish", protocol::ToBody(report), 15000);
  if (!a.ok()) return a.status();
  return FromHttp(a->status, a->body, "finish");
}

}  // namespace slipway::agent
