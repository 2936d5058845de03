// The access table and the guard's token checks, against a real store in a temp folder.
#include "api/access.h"

#include <catch2/catch.hpp>

#include "store/token_store.h"
#include "support/files.h"

using slipway::ErrorCode;
using slipway::api::Access;
using slipway::api::Need;
using slipway::api::RequiredAccess;

namespace {

slipway::http::Request Req(const std::string& method, const std::string& path,
                           const std::string& token = "") {
  slipway::http::Request r;
  r.method = method;
  r.path = path;
  if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
  return r;
}

}  // namespace

TEST_CASE("every route needs what the table says") {
  CHECK(RequiredAccess("POST", "/hooks/github") == Need::kNone);
  CHECK(RequiredAccess("GET", "/healthz") == Need::kNone);
  CHECK(RequiredAccess("GET", "/") == Need::kNone);
  CHECK(RequiredAccess("GET", "/static/{dir}/{file}") == Need::kNone);
  CHECK(RequiredAccess("GET", "/api/v1/runs") == Need::kViewer);
  CHECK(RequiredAccess("GET", "/api/v1/events") == Need::kViewer);
  CHECK(RequiredAccess("GET", "/metrics") == Need::kViewer);
  CHECK(RequiredAccess("GET", "/api/v1/jobs/{id}/log") == Need::kViewer);
  CHECK(RequiredAccess("POST", "/api/v1/runs") == Need::kAdmin);
  CHECK(RequiredAccess("DELETE", "/api/v1/anything/new") ==
        Need::kAdmin);  // writes default to admin
  CHECK(RequiredAccess("GET", "/api/v1/secrets") == Need::kAdmin);
  CHECK(RequiredAccess("GET", "/api/v1/repos/{name...}/secrets") == Need::kAdmin);
  CHECK(RequiredAccess("GET", "/api/v1/tokens") == Need::kAdmin);
  CHECK(RequiredAccess("GET", "/api/v1/agent-tokens") == Need::kAdmin);
  CHECK(RequiredAccess("POST", "/api/v1/agent/lease") == Need::kAgent);
  CHECK(RequiredAccess("POST", "/api/v1/agent/leases/{lease}/finish") == Need::kAgent);
}

TEST_CASE("the guard tells unknown tokens (401) from known ones without the right (403)") {
  slipway::testing::TempDir dir;
  auto db = slipway::store::Database::Open(dir.File("slipway.db"));
  REQUIRE(db.ok());
  slipway::core::ServerConfig config;
  config.admin_token = "the-admin";
  config.agent_token = "";  // per-agent tokens only
  Access access(config, **db);
  const std::string viewer = slipway::api::NewAccessToken();
  CHECK(viewer.size() == 68);
  CHECK(viewer != slipway::api::NewAccessToken());
  slipway::store::TokenStore tokens(**db);
  REQUIRE(tokens
              .Create({.name = "v",
                       .role = slipway::store::TokenRole::kViewer,
                       .token_sha256 = slipway::api::AccessTokenHash(viewer)},
                      1)
              .ok());

  auto check = [&](const slipway::http::Request& r, const std::string& pattern) {
    return access.Check(r, pattern, {});
  };
  CHECK(check(Req("GET", "/api/v1/runs"), "/api/v1/runs").code() == ErrorCode::kUnauthenticated);
  CHECK(check(Req("GET", "/api/v1/runs", "nonsense"), "/api/v1/runs").code() ==
        ErrorCode::kUnauthenticated);
  CHECK(check(Req("GET", "/api/v1/runs", viewer), "/api/v1/runs").ok());
  CHECK(check(Req("GET", "/api/v1/runs", "the-admin"), "/api/v1/runs").ok());
  CHECK(check(Req("POST", "/api/v1/runs", viewer), "/api/v1/runs").code() ==
        ErrorCode::kPermissionDenied);
  CHECK(check(Req("POST", "/api/v1/runs", "the-admin"), "/api/v1/runs").ok());
  // ?access_token= counts on GETs only.
  auto query = Req("GET", "/api/v1/events");
  query.query["access_token"] = viewer;
  CHECK(check(query, "/api/v1/events").ok());
  auto post = Req("POST", "/api/v1/runs");
  post.query["access_token"] = "the-admin";
  CHECK(check(post, "/api/v1/runs").code() == ErrorCode::kUnauthenticated);
  // Without a shared agent token, an empty bearer never passes as one.
  CHECK(check(Req("POST", "/api/v1/agent/lease", ""), "/api/v1/agent/lease").code() ==
        ErrorCode::kUnauthenticated);
  // Public reads open the GETs, not the writes nor the secrets.
  config.public_read = true;
  Access open(config, **db);
  CHECK(open.Check(Req("GET", "/api/v1/runs"), "/api/v1/runs", {}).ok());
  CHECK(open.Check(Req("GET", "/api/v1/secrets"), "/api/v1/secrets", {}).code() ==
        ErrorCode::kUnauthenticated);
  CHECK(open.Check(Req("POST", "/api/v1/runs"), "/api/v1/runs", {}).code() ==
        ErrorCode::kUnauthenticated);
}
