#include "agent/agent_client.h"

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "common/json_text.h"

namespace slipway::agent {
namespace {

// Lease ids travel in URL paths: only these characters are accepted from the server.
bool IsSafeId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

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

Result<Lease> LeaseFromJson(const nlohmann::json& j) {
  try {
    Lease l;
    l.id = j.at("id").get<std::string>();
    l.job_id = j.value("job_id", 0LL);
    l.run_id = j.value("run_id", 0LL);
    l.attempt = j.value("attempt", 0);
    l.repo = j.value("repo", std::string());
    l.clone_url = j.at("clone_url").get<std::string>();
    l.sha = j.at("sha").get<std::string>();
    l.branch = j.value("branch", std::string());
    l.renew_every_ms = j.value("renew_every_ms", 3000);
    l.scanners = j.value("scanners", std::vector<std::string>());
    if (!IsSafeId(l.id)) return Status::InvalidArgument("lease id has unexpected characters");
    auto spec = pipelines::JobSpecFromJson(j.at("spec"));
    if (!spec.ok()) return spec.status().Annotate("lease spec");
    l.spec = std::move(*spec);
    return l;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("lease: ") + e.what());
  }
}

Result<AgentClient::Answer> AgentClient::Post(const std::string& path, const std::string& body, int timeout_ms) {
  HttpRequest req;
  req.method = "POST";
  req.url = config_.server + path;
  req.body = body;
  req.timeout = std::chrono::milliseconds(timeout_ms);
  req.headers = {{"Authorization", "Bearer " + config_.token}, {"Content-Type", "application/json"}};
  auto resp = HttpFetch(req);
  if (!resp.ok()) return Status::Unavailable(resp.status().message());
  return Answer{resp->status, std::move(resp->body)};
}

Result<std::optional<Lease>> AgentClient::LeaseJob(int wait_seconds) {
  nlohmann::json body = {{"agent", config_.name},
                         {"labels", config_.labels},
                         {"capacity", config_.capacity},
                         {"version", config_.version}};
  auto a = Post("/api/v1/agent/lease?wait=" + std::to_string(wait_seconds), JsonText(body),
                (wait_seconds + 10) * 1000);
  if (!a.ok()) return a.status();
  if (a->status == 204) return std::optional<Lease>();
  if (Status s = FromHttp(a->status, a->body, "lease"); !s.ok()) return s;
  nlohmann::json j = nlohmann::json::parse(a->body, nullptr, false);
  if (!j.is_object() || !j.contains("lease")) return Status::Internal("lease answer has no lease");
  auto lease = LeaseFromJson(j["lease"]);
  if (!lease.ok()) return lease.status();
  return std::optional<Lease>(std::move(*lease));
}

Result<RenewAnswer> AgentClient::Renew(const std::string& lease_id, int wait_seconds) {
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/renew?wait=" + std::to_string(wait_seconds), "{}",
                (wait_seconds + 10) * 1000);
  if (!a.ok()) return a.status();
  if (Status s = FromHttp(a->status, a->body, "renew"); !s.ok()) return s;
  nlohmann::json j = nlohmann::json::parse(a->body, nullptr, false);
  bool cancel = j.is_object() && j.value("cancel", false);
  return cancel ? RenewAnswer::kCancel : RenewAnswer::kContinue;
}

Status AgentClient::PostLog(const std::string& lease_id, long long seq, const std::string& data) {
  nlohmann::json body = {{"seq", seq}, {"data", data}};
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/log",
                JsonText(body), 15000);
  if (!a.ok()) return a.status();
  return FromHttp(a->status, a->body, "log");
}

Status AgentClient::PostSteps(const std::string& lease_id, const nlohmann::json& body) {
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/steps",
                JsonText(body), 15000);
  if (!a.ok()) return a.status();
  return FromHttp(a->status, a->body, "steps");
}

Status AgentClient::MarkPushing(const std::string& lease_id) {
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/pushing", "{}", 15000);
  if (!a.ok()) return a.status();
  return FromHttp(a->status, a->body, "pushing");
}

Status AgentClient::Finish(const std::string& lease_id, const nlohmann::json& body) {
  auto a = Post("/api/v1/agent/leases/" + lease_id + "/finish",
                JsonText(body), 15000);
  if (!a.ok()) return a.status();
  return FromHttp(a->status, a->body, "finish");
}

}  // namespace slipway::agent
