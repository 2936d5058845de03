#include "store/token_store.h"

#include "rows.h"

namespace slipway::store {
namespace {

constexpr std::string_view kColumns = "id, name, role, labels, created_at, revoked_at";

Result<AccessToken> ReadToken(const Statement& s) {
  auto role =
      ReadStatusColumn<TokenRole>(s, 2, TokenRoleFromName, "access token " + s.ColumnText(1));
  if (!role.ok()) return role.status();
  return AccessToken{s.ColumnInt(0),  s.ColumnText(1), *role,
                     s.ColumnText(3), s.ColumnInt(4),  s.ColumnOptionalInt(5)};
}

std::string_view KindOf(bool agent) { return agent ? "agent token" : "token"; }

// A write that returns its row (RETURNING): the row, then the statement run to its end.
Result<AccessToken> WrittenRow(Statement& stmt, std::string not_found) {
  Result<AccessToken> row = ReadOne<AccessToken>(stmt, ReadToken, std::move(not_found));
  if (!row.ok()) return row.status();
  if (Status done = stmt.Run(); !done.ok()) return done;
  return row;
}

}  // namespace

std::string_view TokenRoleName(TokenRole role) {
  switch (role) {
    case TokenRole::kAgent:
      return "agent";
    case TokenRole::kViewer:
      return "viewer";
    case TokenRole::kAdmin:
      return "admin";
  }
  return "viewer";
}

std::optional<TokenRole> TokenRoleFromName(std::string_view name) {
  for (TokenRole role : {TokenRole::kAgent, TokenRole::kViewer, TokenRole::kAdmin}) {
    if (TokenRoleName(role) == name) return role;
  }
  return std::nullopt;
}

Result<AccessToken> TokenStore::Create(const NewAccessToken& token, int64_t now_ms) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "INSERT INTO access_tokens (name, role, labels, token_sha256, created_at) VALUES (?1, ?2, "
      "?3, ?4, ?5)"
      " RETURNING " +
      std::string(kColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, token.name)
      .BindText(2, TokenRoleName(token.role))
      .BindText(3, token.labels_json)
      .BindText(4, token.token_sha256)
      .BindInt(5, now_ms);
  Result<AccessToken> created = WrittenRow(*stmt, "token not stored");
  if (!created.ok() && created.status().code() == ErrorCode::kAlreadyExists) {
    return Status::AlreadyExists(std::string(KindOf(token.role == TokenRole::kAgent)) + " '" +
                                 token.name + "' exists; revoke it first");
  }
  return created;
}

Result<AccessToken> TokenStore::FindLive(std::string_view token_sha256) {
  Connection conn = db_.Lock();
  Result<Statement> stmt =
      conn.Prepare("SELECT " + std::string(kColumns) +
                   " FROM access_tokens WHERE token_sha256 = ?1 AND revoked_at IS NULL");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, token_sha256);
  return ReadOne<AccessToken>(*stmt, ReadToken, "no such token");
}

Result<std::vector<AccessToken>> TokenStore::List(bool agents) {
  Connection conn = db_.Lock();
  Result<Statement> stmt =
      conn.Prepare("SELECT " + std::string(kColumns) +
                   " FROM access_tokens WHERE (role = 'agent') = ?1 ORDER BY name, id");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, int64_t{agents ? 1 : 0});
  return ReadAll<AccessToken>(*stmt, ReadToken);
}

Result<AccessToken> TokenStore::Revoke(std::string_view name, bool agent, int64_t now_ms) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "UPDATE access_tokens SET revoked_at = ?3 WHERE name = ?1 AND (role = 'agent') = ?2 AND "
      "revoked_at IS NULL"
      " RETURNING " +
      std::string(kColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, name).BindInt(2, int64_t{agent ? 1 : 0}).BindInt(3, now_ms);
  return WrittenRow(*stmt,
                    "no live " + std::string(KindOf(agent)) + " named '" + std::string(name) + "'");
}

}  // namespace slipway::store
