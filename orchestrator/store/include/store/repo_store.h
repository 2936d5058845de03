// RepoStore: the repositories Slipway builds, by "owner/repo" name, with their forge, clone URL,
// webhook secret, publish policy (what their pipelines may push and ask for; core/publish_policy.h)
// and the links Slipway reports back through (forge API, notification webhooks).
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

// Set by the administrator, never by a push. An empty list sets no rule of its kind.
struct PublishPolicy {
  std::vector<std::string> image_prefixes;      // "127.0.0.1:5000/shop": images it may push
  std::vector<std::string> protected_tags;      // "latest", "v*": tags only protected branches move
  std::vector<std::string> protected_branches;  // besides the default branch
  std::vector<std::string> agent_labels;        // "pool=build", "arch=*": labels its jobs may ask for
};

// Where Slipway reports back (docs/forges.md). The tokens and signing keys are the repository's
// secrets `forge_token` and `notify_secret`, never stored here.
struct ForgeLinks {
  std::string api_url;                     // the forge's REST API root; "": no statuses or comments
  std::string notify_url;                  // notification webhooks; "": none
  std::vector<std::string> notify_events;  // which (core/forge_messages.h); empty: every one
};

struct Repo {
  int64_t id = 0;
  std::string name;   // "owner/repo"
  std::string forge;  // github | gitlab | gitea
  std::string clone_url;
  std::string secret;  // webhook secret (or GitLab token)
  std::string default_branch;
  int64_t created_at = 0;
  PublishPolicy policy;
  ForgeLinks links;
  std::string fork_pull_requests = "approve";  // run | approve | ignore: a fork's pull requests
};

struct RepoSpec {
  std::string name;
  std::string forge;
  std::string clone_url;
  std::string secret;
  std::optional<std::string> default_branch;  // nullopt: "main" when new, unchanged otherwise
  std::optional<PublishPolicy> policy;        // nullopt: none when new, unchanged otherwise
  std::optional<ForgeLinks> links;            // nullopt: none when new, unchanged otherwise
  std::optional<std::string> fork_pull_requests;  // nullopt: "approve" when new, unchanged otherwise
};

class RepoStore {
 public:
  explicit RepoStore(Database& db) : db_(db) {}

  // Creates the repository, or updates forge, clone URL and secret (and default branch and policy
  // when given) of the one with this name. `now_ms` is its created_at when new.
  Result<Repo> Upsert(const RepoSpec& spec, int64_t now_ms);
  Result<Repo> GetByName(std::string_view name);
  Result<Repo> GetById(int64_t id);
  Result<std::vector<Repo>> List();  // by name

 private:
  Database& db_;
};

}  // namespace slipway::store
