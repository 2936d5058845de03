#include "store/secret_store.h"

#include <atomic>

#include "rows.h"

namespace slipway::store {
namespace {

std::string Context(SecretScope scope, std::string_view name) {
  return (scope ? "repo:" + std::to_string(*scope) : std::string("server")) + "/" + std::string(name);
}

std::atomic<uint64_t> generation{0};

// The repository's own secret wins over a server-wide one of the same name.
constexpr char kFindSql[] =
    "SELECT name, repo_id, protected, created_at, updated_at, sealed FROM secrets"
    " WHERE name = ?2 AND (repo_id = ?1 OR repo_id IS NULL) ORDER BY repo_id IS NULL LIMIT 1";

std::string ScopeText(SecretScope scope) {
  return scope ? "repository " + std::to_string(*scope) : std::string("the server");
}

}  // namespace

Status ValidateSecretName(std::string_view name) {
  if (IsSecretName(name)) return Status::Ok();
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
  Status written = stmt->Run();
  ++generation;  // after the write: a cache filled in between reads again
  return written;
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
  Status written = stmt->Run();
  ++generation;  // after the write: a cache filled in between reads again
  return written;
}

uint64_t SecretStore::Generation() { return generation.load(); }

Result<SecretInfo> SecretStore::Find(SecretScope scope, std::string_view name) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(kFindSql);
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, scope).BindText(2, name);
  return ReadOne<SecretInfo>(
      *stmt,
      [](const Statement& s) {
        return SecretInfo{s.ColumnText(0), s.ColumnOptionalInt(1), s.ColumnInt(2) != 0,
                          s.ColumnInt(3), s.ColumnInt(4)};
      },
      "secret " + std::string(name) + " is not set for " + ScopeText(scope));
}

Result<RevealedSecret> SecretStore::RevealEntry(SecretScope scope, std::string_view name) {
  std::string sealed;
  SecretInfo info;
  {
    Connection conn = db_.Lock();
    Result<Statement> stmt = conn.Prepare(kFindSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, scope).BindText(2, name);
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("secret " + std::string(name) + " is not set for " + ScopeText(scope));
    info = {stmt->ColumnText(0), stmt->ColumnOptionalInt(1), stmt->ColumnInt(2) != 0, 0, 0};
    sealed = stmt->ColumnText(5);
  }
  Result<std::string> value = box_.Open(sealed, Context(info.repo_id, name));
  if (!value.ok()) return value.status();
  return RevealedSecret{std::move(*value), info.is_protected};
}

Result<std::string> SecretStore::Reveal(SecretScope scope, std::string_view name) {
  Result<RevealedSecret> found = RevealEntry(scope, name);
  if (!found.ok()) return found.status();
  return std::move(found->value);
}

Result<std::vector<std::string>> SecretStore::RevealAll() {
  std::vector<std::pair<std::string, std::string>> rows;  // context, sealed
  {
    Connection conn = db_.Lock();
    Result<Statement> stmt = conn.Prepare("SELECT repo_id, name, sealed FROM secrets");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      Result<bool> row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      rows.emplace_back(Context(stmt->ColumnOptionalInt(0), stmt->ColumnText(1)),
                        stmt->ColumnText(2));
    }
  }
  std::vector<std::string> values;
  for (const auto& [context, sealed] : rows) {
    Result<std::string> value = box_.Open(sealed, context);
    if (value.ok()) values.push_back(std::move(*value));
  }
  return values;
}

}  // namespace slipway::store
