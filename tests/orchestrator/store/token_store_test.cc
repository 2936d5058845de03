#include "store/token_store.h"

#include <catch2/catch.hpp>

#include "temp_database.h"

namespace slipway::store {
namespace {

using testing::TempDatabase;

std::string Hash(char digit) { return std::string(64, digit); }

}  // namespace

TEST_CASE(
    "tokens are found by hash while live, names are unique per kind, revoked ones stay listed") {
  TempDatabase t;
  TokenStore tokens(*t.db);
  auto agent = tokens.Create({.name = "builder",
                              .role = TokenRole::kAgent,
                              .labels_json = R"({"pool":"fast"})",
                              .token_sha256 = Hash('a')},
                             10);
  REQUIRE(agent.ok());
  CHECK(agent->role == TokenRole::kAgent);
  CHECK(agent->labels_json == R"({"pool":"fast"})");
  CHECK_FALSE(agent->revoked_at.has_value());
  // The same name among API tokens is another kind: allowed. Among agent tokens: refused.
  REQUIRE(
      tokens.Create({.name = "builder", .role = TokenRole::kViewer, .token_sha256 = Hash('b')}, 11)
          .ok());
  auto twice =
      tokens.Create({.name = "builder", .role = TokenRole::kAgent, .token_sha256 = Hash('c')}, 12);
  CHECK(twice.status().code() == ErrorCode::kAlreadyExists);
  CHECK(twice.status().message().find("builder") != std::string::npos);
  // A hash is never reused either.
  CHECK(tokens.Create({.name = "other", .role = TokenRole::kAdmin, .token_sha256 = Hash('a')}, 13)
            .status()
            .code() == ErrorCode::kAlreadyExists);
  // Bad rows are refused by the table's checks.
  CHECK_FALSE(
      tokens.Create({.name = "", .role = TokenRole::kAdmin, .token_sha256 = Hash('d')}, 13).ok());
  CHECK_FALSE(
      tokens.Create({.name = "x", .role = TokenRole::kAdmin, .token_sha256 = "short"}, 13).ok());

  auto found = tokens.FindLive(Hash('a'));
  REQUIRE(found.ok());
  CHECK(found->name == "builder");
  CHECK(found->role == TokenRole::kAgent);
  CHECK(tokens.FindLive(Hash('e')).status().code() == ErrorCode::kNotFound);

  auto revoked = tokens.Revoke("builder", /*agent=*/true, 20);
  REQUIRE(revoked.ok());
  CHECK(revoked->revoked_at == 20);
  CHECK(tokens.FindLive(Hash('a')).status().code() == ErrorCode::kNotFound);
  CHECK(tokens.FindLive(Hash('b')).ok());  // the viewer of the same name is untouched
  CHECK(tokens.Revoke("builder", true, 21).status().code() == ErrorCode::kNotFound);

  // The name may be issued again; the list shows both, the revoked one with its time.
  REQUIRE(
      tokens.Create({.name = "builder", .role = TokenRole::kAgent, .token_sha256 = Hash('f')}, 30)
          .ok());
  auto agents = tokens.List(/*agents=*/true);
  REQUIRE(agents.ok());
  REQUIRE(agents->size() == 2);
  CHECK((*agents)[0].revoked_at == 20);
  CHECK_FALSE((*agents)[1].revoked_at.has_value());
  auto api = tokens.List(false);
  REQUIRE(api.ok());
  REQUIRE(api->size() == 1);
  CHECK((*api)[0].role == TokenRole::kViewer);
}

}  // namespace slipway::store
