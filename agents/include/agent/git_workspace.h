// GitWorkspace: source checkouts for builds. One bare mirror per clone URL under
// <workdir>/mirrors (`git clone --mirror` once, `git fetch` when a commit is missing), and for each
// job a fresh directory holding exactly the commit (`git worktree add --detach`), removed after.
//
// Every git call is an argument vector; the sha is checked to be 40 or 64 hex digits and the URL
// not to look like an option before either reaches git.
//
// Mirrors and the other jobs' checkouts sit beside a job's checkout, so a job's context and
// Dockerfile are resolved with ResolveInCheckout before a build: a symbolic link in the pushed
// tree (at any component) must not lead a build to them, or anywhere else on the host.
//
// Thread-safety: all members may be called from many threads; calls on the same mirror are
// serialised.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/git_auth.h"
#include "common/status.h"

namespace slipway::agent {

bool IsCommitSha(const std::string& sha);

// Every git call of a checkout is stopped past this (a clone of a large repository included), so
// a stalled remote fails the job instead of holding the agent's slot.
inline constexpr std::chrono::milliseconds kGitTimeout = std::chrono::minutes(30);

// `relative` (a path inside the repository) as the file system resolves it in the checkout, every
// symbolic link followed, given back relative to the checkout ("." for its root). InvalidArgument
// when it leads out of the checkout; NotFound when it does not exist.
Result<std::string> ResolveInCheckout(const std::string& checkout_dir, const std::string& relative);

class GitWorkspace {
 public:
  explicit GitWorkspace(std::string workdir);

  // Checks out sha from clone_url into a new directory <workdir>/jobs/<name>; returns its path.
  // name must be a plain file name ([A-Za-z0-9._-]). The credential (the lease's) is written to
  // <workdir>/auth/<name> for the git calls that reach the remote and removed before this returns.
  Result<std::string> Checkout(const std::string& clone_url, const std::string& sha, const std::string& name,
                               const GitCredential& credential = {});

  // Removes a directory made by Checkout (and its worktree record).
  void Remove(const std::string& clone_url, const std::string& dir);

  // The mirror directory for a URL (whether or not it exists yet).
  std::string MirrorPath(const std::string& clone_url) const;

 private:
  Status EnsureCommit(const std::string& mirror, const std::string& clone_url, const std::string& sha,
                      const std::vector<std::string>& auth);
  std::mutex& MirrorLock(const std::string& mirror);

  std::string workdir_;
  std::mutex locks_mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>> locks_;
};

}  // namespace slipway::agent
