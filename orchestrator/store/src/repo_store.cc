#include "store/repo_store.h"

#include "rows.h"

namespace slipway::store {
namespace {

constexpr char kColumns[] =
    "SELECT id, name, forge, clone_url, secret, default_branch, created_at FROM repos ";

Repo ReadRepo(const Statement& s) {
  return Repo{s.ColumnInt(0),  s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
              s.ColumnText(4), s.ColumnText(5), s.ColumnInt(6)};
}

}  // namespace

Result<Repo> RepoStore::Upsert(const RepoSpec& spec, int64_t now_ms) {
  if (spec.name.empty()) return Status::InvalidArgument("repository name is empty");
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "INSERT INTO repos (name, forge, clone_url, secret, default_branch, created_at)"
      " VALUES (?1, ?2, ?3, ?4, COALESCE(?5, 'main'), ?6)"
      " ON CONFLICT (name) DO UPDATE SET forge = excluded.forge, clone_url = excluded.clone_url,"
      " secret = excluded.secret, default_branch = COALESCE(?5, default_branch)"
      " RETURNING id, name, forge, clone_url, secret, default_branch, created_at");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, spec.name)
      .BindText(2, spec.forge)
      .BindText(3, spec.clone_url)
      .BindText(4, spec.secret)
      .BindText(5, spec.default_branch)
      .BindInt(6, now_ms);
  Result<Repo> repo = ReadOne<Repo>(*stmt, ReadRepo, "repository not stored");
  if (!repo.ok()) return repo.status().Annotate("storing repository " + spec.name);
  // Finish the RETURNING statement so its write is complete before the connection is released.
  Status done = stmt->Run();
  if (!done.ok()) return done;
  return repo;
}

Result<Repo> RepoStore::GetByName(std::string_view name) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kColumns) + "WHERE name = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, name);
  return ReadOne<Repo>(*stmt, ReadRepo, "repository " + std::string(name) + " does not exist");
}

Result<Repo> RepoStore::GetById(int64_t id) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kColumns) + "WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id);
  return ReadOne<Repo>(*stmt, ReadRepo, "repository " + std::to_string(id) + " does not exist");
}

Result<std::vector<Repo>> RepoStore::List() {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kColumns) + "ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  return ReadAll<Repo>(*stmt, ReadRepo);
}

}  // namespace slipway::store
