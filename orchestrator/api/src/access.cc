#include "api/access.h"

#include <openssl/rand.h>

#include <array>
#include <cstdlib>

#include "api/replies.h"
#include "common/strings.h"
#include "protocol/agent_protocol.h"
#include "store/job_store.h"
#include "store/token_store.h"
#include "webhooks/signature.h"

namespace slipway::api {
namespace {

// The bearer token of the request; on a GET also ?access_token= (EventSource sends no headers).
std::string PresentedToken(const http::Request& request) {
  constexpr std::string_view kPrefix = "Bearer ";
  std::string header = request.Header("Authorization");
  if (header.size() > kPrefix.size() && header.starts_with(kPrefix))
    return header.substr(kPrefix.size());
  if (request.method == "GET") return request.Query("access_token");
  return "";
}

}  // namespace

Need RequiredAccess(std::string_view method, std::string_view pattern) {
  if (pattern.starts_with("/api/v1/agent/")) return Need::kAgent;
  if (pattern.starts_with("/hooks/") || pattern == "/healthz" || pattern == "/" ||
      pattern == "/index.html" || pattern.starts_with("/static/")) {
    return Need::kNone;
  }
  if (pattern.find("/secrets") != std::string_view::npos ||
      pattern.starts_with("/api/v1/agent-tokens") || pattern.starts_with("/api/v1/tokens")) {
    return Need::kAdmin;
  }
  return method == "GET" ? Need::kViewer : Need::kAdmin;
}

std::string NewAccessToken() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // Only without any entropy source; a predictable token would be worse than none.
    std::abort();
  }
  return "slw_" +
         HexEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string AccessTokenHash(std::string_view token) { return webhooks::Sha256Hex(token); }

Result<Access::Caller> Access::Identify(const std::string& token) const {
  if (token.empty()) return Caller{};
  if (webhooks::SameSecret(token, config_.admin_token)) return Caller{Who::kAdmin};
  if (!config_.agent_token.empty() && webhooks::SameSecret(token, config_.agent_token)) {
    return Caller{Who::kSharedAgent};
  }
  store::TokenStore tokens(db_);
  Result<store::AccessToken> found = tokens.FindLive(AccessTokenHash(token));
  if (!found.ok()) {
    if (found.status().code() == ErrorCode::kNotFound) return Caller{};
    return found.status();
  }
  switch (found->role) {
    case store::TokenRole::kAdmin:
      return Caller{Who::kAdmin};
    case store::TokenRole::kViewer:
      return Caller{Who::kViewer};
    case store::TokenRole::kAgent:
      return Caller{Who::kAgent, found->name, found->labels_json};
  }
  return Caller{};
}

Status Access::CheckAgentCall(const http::Request& request, const PathParams& params,
                              const Caller& caller) const {
  if (auto lease = params.find("lease"); lease != params.end()) {
    store::JobStore jobs(db_);
    Result<store::Job> job = jobs.GetByLease(lease->second);
    // A lease no job holds is refused by the coordinator (409) like any stale lease.
    if (job.ok() && job->agent != caller.agent) {
      return Status::PermissionDenied("lease " + lease->second + " is not held by agent " +
                                      caller.agent);
    }
    return Status::Ok();
  }
  if (request.path != "/api/v1/agent/lease") return Status::Ok();
  // An unreadable request is the route's to refuse (400); only a readable claim is checked here.
  Result<nlohmann::json> body = ParseJsonObject(request.body);
  if (!body.ok()) return Status::Ok();
  Result<protocol::LeaseRequest> claim = protocol::ReadLeaseRequest(*body);
  if (!claim.ok()) return Status::Ok();
  if (claim->agent != caller.agent) {
    return Status::PermissionDenied("this token belongs to agent " + caller.agent + ", not " +
                                    claim->agent);
  }
  const nlohmann::json granted = nlohmann::json::parse(caller.labels_json, nullptr, false);
  for (const auto& [key, value] : claim->labels) {
    if (!granted.is_object() || !granted.contains(key) || granted[key] != value) {
      return Status::PermissionDenied("agent " + caller.agent +
                                      "'s token does not grant the label " + key + "=" + value);
    }
  }
  return Status::Ok();
}

Status Access::Check(const http::Request& request, const std::string& pattern,
                     const PathParams& params) const {
  const Need need = RequiredAccess(request.method, pattern);
  if (need == Need::kNone || (need == Need::kViewer && config_.public_read)) return Status::Ok();
  Result<Caller> caller = Identify(PresentedToken(request));
  if (!caller.ok()) return caller.status();
  const Who who = caller->who;
  const bool agent = who == Who::kSharedAgent || who == Who::kAgent;
  switch (need) {
    case Need::kAgent:
      if (!agent)
        return Status::Unauthenticated(
            "agent calls need an agent token (Authorization: Bearer ...)");
      return who == Who::kAgent ? CheckAgentCall(request, params, *caller) : Status::Ok();
    case Need::kViewer:
      if (who == Who::kAdmin || who == Who::kViewer) return Status::Ok();
      return Status::Unauthenticated(
          "reading needs a viewer or admin token (Authorization: Bearer ...)");
    case Need::kAdmin:
      if (who == Who::kAdmin) return Status::Ok();
      if (who == Who::kViewer)
        return Status::PermissionDenied(
            "a viewer token only reads; this call needs an admin token");
      return Status::Unauthenticated("this call needs the admin token (Authorization: Bearer ...)");
    case Need::kNone:
      break;
  }
  return Status::Ok();
}

RouteGuard Access::Guard() const {
  return [this](const http::Request& request, const std::string& pattern,
                const PathParams& params) { return Check(request, pattern, params); };
}

}  // namespace slipway::api
