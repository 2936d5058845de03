#include "store/repo_store.h"

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "rows.h"

namespace slipway::store {
namespace {

constexpr char kFields[] =
    "id, name, forge, clone_url, secret, default_branch, created_at, image_prefixes, protected_tags, "
    "protected_branches, agent_labels, api_url, notify_url, notify_events, fork_pull_requests";
std::string SelectRepos() { return std::string("SELECT ") + kFields + " FROM repos "; }

std::vector<std::string> ReadList(const std::string& json_text) {
  std::vector<std::string> out;
  auto list = nlohmann::json::parse(json_text, nullptr, false);
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string ListJson(const std::vector<std::string>& list) { return JsonText(nlohmann::json(list)); }

Repo ReadRepo(const Statement& s) {
  Repo repo{s.ColumnInt(0),  s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
            s.ColumnText(4), s.ColumnText(5), s.ColumnInt(6),  {}};
  repo.policy = {ReadList(s.ColumnText(7)), ReadList(s.ColumnText(8)), ReadList(s.ColumnText(9)),
                 ReadList(s.ColumnText(10))};
  repo.links = {s.ColumnText(11), s.ColumnText(12), ReadList(s.ColumnText(13))};
  repo.fork_pull_requests = s.ColumnText(14);
  return repo;
}

}  // namespace

Result<Repo> RepoStore::Upsert(const RepoSpec& spec, int64_t now_ms) {
  if (spec.name.empty()) return Status::InvalidArgument("repository name is empty");
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "INSERT INTO repos (name, forge, clone_url, secret, default_branch, created_at, image_prefixes,"
      " protected_tags, protected_branches, agent_labels, api_url, notify_url, notify_events, fork_pull_requests)"
      " VALUES (?1, ?2, ?3, ?4, COALESCE(?5, 'main'), ?6, COALESCE(?7, '[]'), COALESCE(?8, '[]'),"
      " COALESCE(?9, '[]'), COALESCE(?10, '[]'), COALESCE(?11, ''), COALESCE(?12, ''), COALESCE(?13, '[]'),"
      " COALESCE(?14, 'approve'))"
      " ON CONFLICT (name) DO UPDATE SET forge = excluded.forge, clone_url = excluded.clone_url,"
      " secret = excluded.secret, default_branch = COALESCE(?5, default_branch),"
      " image_prefixes = COALESCE(?7, image_prefixes), protected_tags = COALESCE(?8, protected_tags),"
      " protected_branches = COALESCE(?9, protected_branches), agent_labels = COALESCE(?10, agent_labels),"
      " api_url = COALESCE(?11, api_url), notify_url = COALESCE(?12, notify_url),"
      " notify_events = COALESCE(?13, notify_events), fork_pull_requests = COALESCE(?14, fork_pull_requests)"
      " RETURNING " + std::string(kFields));
  if (!stmt.ok()) return stmt.status();
  auto list = [&](std::vector<std::string> PublishPolicy::*field) -> std::optional<std::string> {
    if (!spec.policy) return std::nullopt;
    return ListJson((*spec.policy).*field);
  };
  stmt->BindText(1, spec.name)
      .BindText(2, spec.forge)
      .BindText(3, spec.clone_url)
      .BindText(4, spec.secret)
      .BindText(5, spec.default_branch)
      .BindInt(6, now_ms)
      .BindText(7, list(&PublishPolicy::image_prefixes))
      .BindText(8, list(&PublishPolicy::protected_tags))
      .BindText(9, list(&PublishPolicy::protected_branches))
      .BindText(10, list(&PublishPolicy::agent_labels));
  if (spec.links) {
    stmt->BindText(11, spec.links->api_url).BindText(12, spec.links->notify_url).BindText(13, ListJson(spec.links->notify_events));
  } else {
    stmt->BindNull(11).BindNull(12).BindNull(13);
  }
  if (spec.fork_pull_requests) {
    stmt->BindText(14, *spec.fork_pull_requests);
  } else {
    stmt->BindNull(14);
  }
  Result<Repo> repo = ReadOne<Repo>(*stmt, ReadRepo, "repository not stored");
  if (!repo.ok()) return repo.status().Annotate("storing repository " + spec.name);
  // Finish the RETURNING statement so its write is complete before the connection is released.
  Status done = stmt->Run();
  if (!done.ok()) return done;
  return repo;
}

Result<Repo> RepoStore::GetByName(std::string_view name) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(SelectRepos() + "WHERE name = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, name);
  return ReadOne<Repo>(*stmt, ReadRepo, "repository " + std::string(name) + " does not exist");
}

Result<Repo> RepoStore::GetById(int64_t id) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(SelectRepos() + "WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id);
  return ReadOne<Repo>(*stmt, ReadRepo, "repository " + std::to_string(id) + " does not exist");
}

Result<std::vector<Repo>> RepoStore::List() {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(SelectRepos() + "ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  return ReadAll<Repo>(*stmt, ReadRepo);
}

}  // namespace slipway::store
