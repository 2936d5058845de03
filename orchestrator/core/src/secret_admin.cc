#include "core/secret_admin.h"

#include "store/repo_store.h"

namespace slipway::core {

Result<store::SecretScope> SecretAdmin::ScopeOf(const std::string& repo) {
  if (repo.empty()) return store::SecretScope{};
  Result<store::Repo> found = store::RepoStore(db_).GetByName(repo);
  if (!found.ok()) return found.status();
  return store::SecretScope{found->id};
}

Result<store::SecretInfo> SecretAdmin::Put(const std::string& repo, const std::string& name,
                                           const std::string& value, bool is_protected,
                                           int64_t now_ms) {
  Result<store::SecretScope> scope = ScopeOf(repo);
  if (!scope.ok()) return scope.status();
  store::SecretStore secrets(db_, box_);
  if (Status s = secrets.Put(*scope, name, value, is_protected, now_ms); !s.ok()) return s;
  auto listed = secrets.List(*scope);
  if (!listed.ok()) return listed.status();
  for (const auto& s : *listed) {
    if (s.name == name) return s;
  }
  return Status::Internal("the secret was stored but cannot be listed");
}

Result<std::vector<store::SecretInfo>> SecretAdmin::List(const std::string& repo) {
  Result<store::SecretScope> scope = ScopeOf(repo);
  if (!scope.ok()) return scope.status();
  return store::SecretStore(db_, box_).List(*scope);
}

Status SecretAdmin::Delete(const std::string& repo, const std::string& name) {
  Result<store::SecretScope> scope = ScopeOf(repo);
  if (!scope.ok()) return scope.status();
  return store::SecretStore(db_, box_).Delete(*scope, name);
}

}  // namespace slipway::core
