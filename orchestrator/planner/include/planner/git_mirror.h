// GitMirror: one bare mirror per registered repo, kept under the server's data directory, from
// which the planner reads `.slipway.yml` and Dockerfiles at the pushed commit.
//
// git runs through argument vectors only; shas are validated before use and paths are passed as
// one `<sha>:<path>` element, so nothing from a push is parsed by a shell or taken for an option.
//
// A private repository is fetched with its clone credential (common/git_auth.h), written to
// <root>/<repo>.git.auth for that fetch only; git's errors are redacted of it.
//
// Every git call has a timeout (a fetch kGitFetchTimeout, any other call kGitCallTimeout): a
// repository that stalls git fails its run instead of holding the planning thread.
//
// Thread-safety: calls for one repo are serialised by a per-repo mutex; different repos proceed
// in parallel.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/git_auth.h"
#include "common/status.h"

namespace slipway::planner {

inline constexpr std::chrono::milliseconds kGitFetchTimeout = std::chrono::minutes(10);
inline constexpr std::chrono::milliseconds kGitCallTimeout = std::chrono::seconds(30);
// What Entry reads: the listing of one path, and a symbolic link's target.
inline constexpr size_t kMaxTreeListingBytes = 64 << 10;
inline constexpr size_t kMaxLinkTargetBytes = 4096;

struct CommitInfo {
  std::string sha;
  std::string message;  // the subject line
  std::string author;
};

class GitMirror {
 public:
  explicit GitMirror(std::string root_dir);

  // Clones the mirror on first use, fetches every ref afterwards, with the repository's clone
  // credential when it has one (its files live beside the mirror for the fetch only).
  Status Fetch(const std::string& repo, const std::string& clone_url, const GitCredential& credential = {});

  // The file's content at the commit; nullopt when the commit has no such file. Reads at most
  // max_bytes + 1 bytes, so the caller sees that a larger file is too large without holding it.
  // NotFound when the commit itself is missing.
  Result<std::optional<std::string>> ReadFile(const std::string& repo, const std::string& sha,
                                              const std::string& path, size_t max_bytes);
  // The tree entry at path in the commit: nullopt when there is none, else its git mode
  // ("100644", "040000", "120000" for a symbolic link, ...) and, for a symbolic link, its target.
  struct TreeEntry {
    std::string mode;
    std::string link_target;
  };
  Result<std::optional<TreeEntry>> Entry(const std::string& repo, const std::string& sha, const std::string& path);
  Result<CommitInfo> Commit(const std::string& repo, const std::string& sha);
  // The commit a branch points at in the mirror.
  Result<std::string> ResolveBranch(const std::string& repo, const std::string& branch);
  // The names of the repository's tags in the mirror ("v1.2.3"), at most max_tags of them.
  Result<std::vector<std::string>> ListTags(const std::string& repo, size_t max_tags = 10000);
  // Whether `ancestor` is `descendant` or one of its ancestors (git merge-base --is-ancestor).
  Result<bool> IsAncestor(const std::string& repo, const std::string& ancestor, const std::string& descendant);

 private:
  std::string MirrorDir(const std::string& repo) const;
  std::mutex& RepoMutex(const std::string& repo);

  std::string root_dir_;
  std::mutex mutexes_mu_;
  std::map<std::string, std::unique_ptr<std::mutex>> mutexes_;  // GUARDED_BY(mutexes_mu_)
};

// 40 or 64 lowercase hex digits.
bool IsCommitSha(const std::string& s);

}  // namespace slipway::planner
