// Who may call what. Every route is guarded by one table (RequiredAccess, from the route's method
// and pattern) and one check of the request's bearer token against it (Access::Check), run by the
// Router before the route's handler:
//
//   none    webhooks (signed by their forge), /healthz, the dashboard's files
//   viewer  every other GET, SSE streams and /metrics: a viewer or admin token, unless the server
//           reads publicly (--public-read)
//   admin   every other call, and the secrets' and tokens' routes whatever the method
//   agent   /api/v1/agent/...: the shared agent token, or a per-agent token; a per-agent token
//           leases only under its agent's name and labels, and writes only under its own leases
//
// A token is the admin token of the configuration, the shared agent token, or one an admin issued
// (store/token_store.h, looked up by its SHA-256, so a revoked one is refused at once). Missing or
// unknown tokens are 401; a known token without the right is 403, except that agent and API
// tokens never cross (401), as before per-agent tokens. A viewer token may also come as
// ?access_token= on a GET, for browsers' EventSource, which cannot send headers.
//
// Thread-safety: Check may run on any thread (the store serialises its reads).
#pragma once

#include <string>
#include <string_view>

#include "api/router.h"
#include "common/status.h"
#include "core/config.h"
#include "store/database.h"

namespace slipway::api {

enum class Need { kNone, kViewer, kAdmin, kAgent };

// What a route needs, from its method and pattern ("/api/v1/runs/{id}").
Need RequiredAccess(std::string_view method, std::string_view pattern);

// A new token: "slw_" and 64 hex digits of 32 random bytes.
std::string NewAccessToken();
// What the store keeps of a token: its SHA-256 in lower-case hex.
std::string AccessTokenHash(std::string_view token);

class Access {
 public:
  Access(const core::ServerConfig& config, store::Database& db) : config_(config), db_(db) {}

  // Ok when the request may reach the route; Unauthenticated or PermissionDenied, with the reason.
  Status Check(const http::Request& request, const std::string& pattern,
               const PathParams& params) const;
  // The guard to install with Router::SetGuard; the Access must outlive the router.
  RouteGuard Guard() const;

 private:
  enum class Who { kNobody, kAdmin, kViewer, kSharedAgent, kAgent };
  struct Caller {
    Who who = Who::kNobody;
    std::string agent;        // kAgent: the name its token is bound to
    std::string labels_json;  // kAgent: the labels it may claim
  };
  Result<Caller> Identify(const std::string& token) const;
  // A per-agent token: may it make this agent call (its own name, labels and leases)?
  Status CheckAgentCall(const http::Request& request, const PathParams& params,
                        const Caller& caller) const;

  const core::ServerConfig& config_;
  store::Database& db_;
};

}  // namespace slipway::api
