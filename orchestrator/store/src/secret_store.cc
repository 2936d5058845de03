#include "store/secret_store.h"

#include "rows.h"

namespace slipway::store {
namespace {

std::string Context(SecretScope scope, std::string_view name) {
  return (scope ? "repo:" + std::to_string(*scope) : std::string("server")) + "/" + std::string(name);
}

std::string ScopeText(SecretScope scope) {
  return scope ? "repository " + std::to_string(*scope) : std::string("the server");
}

bool IsNameChar(char c, bool first) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (!first && c >= '0' && c <= '9');
}

}  // namespace

Status ValidateSecretName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 128;
  for (size_t i = 0; ok && i < name.size(); ++i) ok = IsNameChar(name[i], i == 0);
  if (ok) return Status::Ok();
  return Status::InvalidArgument(
      "a secret name is 1 to 128 letters, digits and '_', not starting with a digit");
}

Status SecretStore::Put(SecretScope scope, std::string_view name, std::string_view value, bool is_protected,
                        int64_t now_ms) {
  if (Status s = ValidateSecretName(name); !s.ok()) return s;
  if (value.empty()) return Status::InvalidArgument("a secret's value must not be empty");
  if (value.size() > kMaxValueBytes) {
    return Status::TooLarge("a secret's value is at most " + std::to_string(kMaxValueBytes) + " bytes");
  }
  Result<std::string> sealed = box_.Seal(value, Context(scope, name));
  if (!sealed.ok()) return sealed.status();
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "INSERT INTO secrets (repo_id, name, sealed, protected, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
      " ON CONFLICT (COALESCE(repo_id, 0), name) DO UPDATE SET sealed = excluded.sealed,"
      " protected = excluded.protected, updated_at = excluded.updated_at");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, scope).BindText(2, name).BindText(3, *sealed).BindInt(4, is_protected ? 1 : 0).BindInt(5, now_ms);
  return stmt->Run();
}

Result<std::vector<SecretInfo>> SecretStore::List(SecretScope scope) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "SELECT name, repo_id, protected, created_at, updated_at FROM secrets"
      " WHERE COALESCE(repo_id, 0) = COALESCE(?1, 0) ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, scope);
  return ReadAll<SecretInfo>(*stmt, [](const Statement& s) {
    return SecretInfo{s.ColumnText(0), s.ColumnOptionalInt(1), s.ColumnInt(2) != 0, s.ColumnInt(3), s.ColumnInt(4)};
  });
}

Status SecretStore::Delete(SecretScope scope, std::string_view name) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "DELETE FROM secrets WHERE COALESCE(repo_id, 0) = COALESCE(?1, 0) AND name = ?2 RETURNING id");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, scope).BindText(2, name);
  Result<int64_t> gone = ReadOne<int64_t>(*stmt, [](const Statement& s) { return s.ColumnInt(0); },
                                          "secret " + std::string(name) + " is not set for " + ScopeText(scope));
  if (!gone.ok()) return gone.status();
  return stmt->Run();
}

Result<std::string> SecretStore::Reveal(SecretScope scope, std::string_view name) {
  std::string sealed;
  SecretScope found_in;
  {
    Connection conn = db_.Lock();
    // The repository's own secret wins over a server-wide one of the same name.
    Result<Statement> stmt = conn.Prepare(
        "SELECT sealed, repo_id FROM secrets WHERE name = ?2 AND (repo_id = ?1 OR repo_id IS NULL)"
        " ORDER BY repo_id IS NULL LIMIT 1");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, scope).BindText(2, name);
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("secret " + std::string(name) + " is not set for " + ScopeText(scope));
    sealed = stmt->ColumnText(0);
    found_in = stmt->ColumnOptionalInt(1);
  }
  return box_.Open(sealed, Context(found_in, name));
}

}  // namespace slipway::store
