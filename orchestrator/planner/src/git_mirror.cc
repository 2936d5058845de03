#include "planner/git_mirror.h"

#include <filesystem>

#include "common/git_auth.h"
#include "common/redact.h"
#include "common/strings.h"
#include "common/subprocess.h"

namespace slipway::planner {
namespace fs = std::filesystem;

bool IsCommitSha(const std::string& s) {
  if (s.size() != 40 && s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

namespace {

// git with a fixed, quiet environment: no prompts, no system or user config surprises; `auth` is
// a credential's environment (common/git_auth.h).
Result<ProcessOutput> Git(const std::vector<std::string>& args, std::chrono::milliseconds timeout = kGitCallTimeout,
                          size_t max_stdout_bytes = 0, const std::vector<std::string>& auth = {}) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = MergeEnv({"GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C"}, auth);
  auto out = RunProcess(argv, {.extra_env = env,
                               .timeout = timeout,
                               .max_stdout_bytes = max_stdout_bytes});
  if (out.ok() && out->timed_out) {
    const std::string& command = args[0] == "-C" && args.size() > 2 ? args[2] : args[0];
    return Status::Unavailable("git " + command + " took longer than " +
                               std::to_string(timeout.count() / 1000) + " s and was stopped");
  }
  return out;
}

std::string FirstLine(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

}  // namespace

GitMirror::GitMirror(std::string root_dir) : root_dir_(std::move(root_dir)) {
  // Credential files a stopped server left behind (each lives only for one fetch).
  std::error_code ec;
  for (fs::directory_iterator it(root_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".auth") fs::remove_all(it->path(), ec);
  }
}

std::string GitMirror::MirrorDir(const std::string& repo) const {
  std::string name;
  for (char c : repo) name.push_back((isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_');
  return root_dir_ + "/" + name + ".git";
}

std::mutex& GitMirror::RepoMutex(const std::string& repo) {
  std::lock_guard lock(mutexes_mu_);
  auto& m = mutexes_[repo];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

Status GitMirror::Fetch(const std::string& repo, const std::string& clone_url, const GitCredential& credential) {
  std::lock_guard lock(RepoMutex(repo));
  std::string dir = MirrorDir(repo);
  std::vector<std::string> secrets = credential.Secrets();
  secrets.push_back(UrlCredential(clone_url));
  // The credential's files exist for this fetch only.
  auto auth = GitAuthFiles::Create(dir + ".auth", credential);
  if (!auth.ok()) return Status(auth.status().code(), "git fetch of " + repo + ": " + auth.status().message());
  Result<ProcessOutput> out = Status::Internal("unreached");
  if (!fs::exists(dir + "/HEAD")) {
    std::error_code ec;
    fs::create_directories(root_dir_, ec);
    fs::remove_all(dir, ec);
    out = Git({"clone", "--mirror", "--quiet", "--", clone_url, dir}, kGitFetchTimeout, 0, (*auth)->env());
  } else {
    out = Git({"-C", dir, "fetch", "--prune", "--quiet", "origin"}, kGitFetchTimeout, 0, (*auth)->env());
  }
  if (!out.ok()) return out.status();
  if (!out->ok()) {
    return Status::Unavailable("git fetch of " + repo + " failed: " + Redact(GitErrorSummary(out->err), secrets));
  }
  return Status::Ok();
}

Result<std::optional<std::string>> GitMirror::ReadFile(const std::string& repo, const std::string& sha,
                                                       const std::string& path, size_t max_bytes) {
  if (!IsCommitSha(sha)) return Status::InvalidArgument("not a commit sha: " + sha);
  std::lock_guard lock(RepoMutex(repo));
  std::string dir = MirrorDir(repo);
  auto commit = Git({"-C", dir, "cat-file", "-e", sha + "^{commit}"});
  if (!commit.ok()) return commit.status();
  if (!commit->ok()) return Status::NotFound("commit " + sha + " is not in " + repo);
  auto out = Git({"-C", dir, "cat-file", "blob", sha + ":" + path}, kGitCallTimeout, max_bytes + 1);
  if (!out.ok()) return out.status();
  if (out->truncated) return std::optional<std::string>(std::move(out->out));
  if (!out->ok()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(out->out));
}

Result<std::optional<GitMirror::TreeEntry>> GitMirror::Entry(const std::string& repo, const std::string& sha,
                                                             const std::string& path) {
  if (!IsCommitSha(sha)) return Status::InvalidArgument("not a commit sha: " + sha);
  std::lock_guard lock(RepoMutex(repo));
  std::string dir = MirrorDir(repo);
  // "<mode> SP <type> SP <object> TAB <path>", NUL-terminated; nothing when there is no entry.
  auto out = Git({"-C", dir, "ls-tree", "-z", "--full-tree", sha, "--", path}, kGitCallTimeout, kMaxTreeListingBytes);
  if (!out.ok()) return out.status();
  if (!out->ok()) return Status::NotFound("cannot list " + path + " at " + sha + " in " + repo);
  if (out->out.empty()) return std::optional<TreeEntry>();
  TreeEntry entry;
  entry.mode = out->out.substr(0, out->out.find(' '));
  if (entry.mode == "120000") {
    auto target = Git({"-C", dir, "cat-file", "blob", sha + ":" + path}, kGitCallTimeout, kMaxLinkTargetBytes);
    if (!target.ok()) return target.status();
    if (!target->ok()) return Status::InvalidArgument("cannot read the symbolic link " + path);
    entry.link_target = target->out;
  }
  return std::optional<TreeEntry>(std::move(entry));
}

Result<CommitInfo> GitMirror::Commit(const std::string& repo, const std::string& sha) {
  if (!IsCommitSha(sha)) return Status::InvalidArgument("not a commit sha: " + sha);
  std::lock_guard lock(RepoMutex(repo));
  auto out = Git({"-C", MirrorDir(repo), "log", "-1", "--format=%an%x00%s", sha, "--"});
  if (!out.ok()) return out.status();
  if (!out->ok()) return Status::NotFound("commit " + sha + " is not in " + repo);
  std::string text = out->out;
  if (!text.empty() && text.back() == '\n') text.pop_back();
  auto nul = text.find('\0');
  CommitInfo info;
  info.sha = sha;
  info.author = text.substr(0, nul);
  info.message = nul == std::string::npos ? "" : text.substr(nul + 1);
  return info;
}

Result<std::string> GitMirror::ResolveBranch(const std::string& repo, const std::string& branch) {
  std::lock_guard lock(RepoMutex(repo));
  auto out = Git({"-C", MirrorDir(repo), "rev-parse", "--verify", "--quiet", "refs/heads/" + branch + "^{commit}"});
  if (!out.ok()) return out.status();
  if (!out->ok()) return Status::NotFound("branch " + branch + " is not in " + repo);
  return FirstLine(out->out);
}

Result<std::vector<std::string>> GitMirror::ListTags(const std::string& repo, size_t max_tags) {
  std::lock_guard lock(RepoMutex(repo));
  auto out = Git({"-C", MirrorDir(repo), "for-each-ref", "--count=" + std::to_string(max_tags),
                  "--format=%(refname:lstrip=2)", "refs/tags/"});
  if (!out.ok()) return out.status();
  if (!out->ok()) return Status::NotFound("tags of " + repo + ": " + FirstLine(out->err));
  return SplitNonEmpty(out->out, '\n');
}

Result<bool> GitMirror::IsAncestor(const std::string& repo, const std::string& ancestor,
                                   const std::string& descendant) {
  if (!IsCommitSha(ancestor) || !IsCommitSha(descendant)) {
    return Status::InvalidArgument("not a commit sha: " + ancestor + " or " + descendant);
  }
  std::lock_guard lock(RepoMutex(repo));
  auto out = Git({"-C", MirrorDir(repo), "merge-base", "--is-ancestor", ancestor, descendant});
  if (!out.ok()) return out.status();
  if (out->exit_code == 0) return true;
  if (out->exit_code == 1) return false;
  return Status::NotFound("git merge-base in " + repo + ": " + FirstLine(out->err));
}

}  // namespace slipway::planner
