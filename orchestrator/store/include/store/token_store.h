// TokenStore: the bearer tokens an admin issues (migration access_tokens). A per-agent token is
// bound to one agent name and its labels; an API token carries a role, viewer or admin. Only a
// token's SHA-256 is stored: the token itself is shown once, when it is made, and never again.
//
// Names are unique among live tokens of a kind (agent tokens; API tokens); a revoked token stays
// listed with its revocation time and is never found by its hash again.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

enum class TokenRole { kAgent, kViewer, kAdmin };

std::string_view TokenRoleName(TokenRole role);  // "agent", "viewer", "admin"
std::optional<TokenRole> TokenRoleFromName(std::string_view name);

struct AccessToken {
  int64_t id = 0;
  std::string name;
  TokenRole role = TokenRole::kViewer;
  std::string labels_json = "{}";  // agent tokens: the labels the agent may claim
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;
};

struct NewAccessToken {
  std::string name;
  TokenRole role = TokenRole::kViewer;
  std::string labels_json = "{}";
  std::string token_sha256;  // lower-case hex of the token's SHA-256
};

class TokenStore {
 public:
  explicit TokenStore(Database& db) : db_(db) {}

  // AlreadyExists when a live token of that kind has the name.
  Result<AccessToken> Create(const NewAccessToken& token, int64_t now_ms);
  // The live token with that hash; NotFound when none (never issued, or revoked).
  Result<AccessToken> FindLive(std::string_view token_sha256);
  // Agent tokens (agents = true) or API tokens, live and revoked, by name then age.
  Result<std::vector<AccessToken>> List(bool agents);
  // Revokes the live token of that kind and name; NotFound when there is none.
  Result<AccessToken> Revoke(std::string_view name, bool agent, int64_t now_ms);

 private:
  Database& db_;
};

}  // namespace slipway::store
