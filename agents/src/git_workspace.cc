#include "agent/git_workspace.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "common/git_auth.h"
#include "common/log.h"
#include "common/redact.h"
#include "common/subprocess.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

// Git never prompts, never runs the ext:: transport, and ignores the user's global config.
const std::vector<std::string> kGitPrefix = {"git", "-c", "protocol.ext.allow=never", "-c",
                                             "core.hooksPath=/dev/null"};
const std::vector<std::string> kGitEnv = {"GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1",
                                          "GIT_CONFIG_GLOBAL=/dev/null", "GIT_ASKPASS=true"};

// `auth`: a clone credential's environment (common/git_auth.h), for the calls that reach the remote.
Result<ProcessOutput> Git(std::vector<std::string> args, const std::vector<std::string>& auth = {}) {
  std::vector<std::string> argv = kGitPrefix;
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.extra_env = MergeEnv(kGitEnv, auth);
  options.timeout = kGitTimeout;
  return RunProcess(argv, options);
}

Status GitOk(std::vector<std::string> args, const std::string& what, const std::vector<std::string>& auth = {}) {
  auto r = Git(std::move(args), auth);
  if (!r.ok()) return r.status();
  if (r->timed_out) return Status::Unavailable(what + ": stopped after " + std::to_string(kGitTimeout.count() / 1000) + " s");
  if (!r->ok()) return Status::Unavailable(what + ": " + RedactUrlCredentials(r->err));
  return Status::Ok();
}

// FNV-1a, for a stable directory name per URL.
std::string Fnv1a(const std::string& s) {
  unsigned long long h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

bool IsPlainName(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

bool IsCommitSha(const std::string& sha) {
  if (sha.size() != 40 && sha.size() != 64) return false;
  for (char c : sha) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Result<std::string> ResolveInCheckout(const std::string& checkout_dir, const std::string& relative) {
  std::error_code ec;
  const fs::path root = fs::canonical(checkout_dir, ec);
  if (ec) return Status::NotFound("the checkout " + checkout_dir + " is not there: " + ec.message());
  if (relative.empty() || relative[0] == '/') return Status::InvalidArgument(relative + " is not a path in the repository");
  const fs::path real = fs::canonical(root / relative, ec);
  if (ec) return Status::NotFound(relative + " is not in the checkout");
  const std::string root_text = root.string();
  const std::string real_text = real.string();
  if (real_text == root_text) return std::string(".");
  if (real_text.compare(0, root_text.size() + 1, root_text + "/") != 0) {
    return Status::InvalidArgument(relative + " leads out of the repository (through a symbolic link)");
  }
  return real_text.substr(root_text.size() + 1);
}

GitWorkspace::GitWorkspace(std::string workdir) : workdir_(std::move(workdir)) {
  // Credential files an agent stopped mid-checkout left behind.
  std::error_code ec;
  fs::remove_all(workdir_ + "/auth", ec);
}

std::string GitWorkspace::MirrorPath(const std::string& clone_url) const {
  std::string tail = clone_url.substr(clone_url.find_last_of("/:") + 1);
  std::string clean;
  for (char c : tail) clean.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  if (clean.size() > 40) clean.resize(40);
  return workdir_ + "/mirrors/" + clean + "-" + Fnv1a(clone_url) + ".git";
}

std::mutex& GitWorkspace::MirrorLock(const std::string& mirror) {
  std::lock_guard<std::mutex> lock(locks_mutex_);
  auto& m = locks_[mirror];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

Status GitWorkspace::EnsureCommit(const std::string& mirror, const std::string& clone_url, const std::string& sha,
                                  const std::vector<std::string>& auth) {
  std::error_code ec;
  if (!fs::exists(mirror + "/HEAD", ec)) {
    fs::create_directories(workdir_ + "/mirrors", ec);
    std::string tmp = mirror + ".tmp";
    fs::remove_all(tmp, ec);
    if (Status s = GitOk({"clone", "--mirror", "--quiet", "--", clone_url, tmp}, "git clone --mirror", auth); !s.ok()) {
      fs::remove_all(tmp, ec);
      return s;
    }
    fs::rename(tmp, mirror, ec);
    if (ec) return Status::Internal("renaming the new mirror: " + ec.message());
  }
  auto has = [&] {
    auto r = Git({"--git-dir", mirror, "cat-file", "-e", sha + "^{commit}"});
    return r.ok() && r->ok();
  };
  if (has()) return Status::Ok();
  if (Status s = GitOk({"--git-dir", mirror, "fetch", "--quiet", "--prune", "origin"}, "git fetch", auth); !s.ok()) {
    return s;
  }
  if (has()) return Status::Ok();
  // A commit no ref points at (yet): servers that allow it hand it out by id.
  (void)GitOk({"--git-dir", mirror, "fetch", "--quiet", "origin", sha}, "git fetch sha", auth);
  if (has()) return Status::Ok();
  return Status::NotFound("commit " + sha + " is not in " + RedactUrlCredentials(clone_url));
}

Result<std::string> GitWorkspace::Checkout(const std::string& clone_url, const std::string& sha,
                                           const std::string& name, const GitCredential& credential) {
  if (!IsCommitSha(sha)) return Status::InvalidArgument("not a commit sha: " + sha);
  if (clone_url.empty() || clone_url[0] == '-' || clone_url.find_first_of("\n\r") != std::string::npos ||
      clone_url.starts_with("ext::")) {
    return Status::InvalidArgument("bad clone URL: " + RedactUrlCredentials(clone_url));
  }
  if (!IsPlainName(name)) return Status::InvalidArgument("bad checkout name: " + name);
  const std::string mirror = MirrorPath(clone_url);
  const std::string dir = workdir_ + "/jobs/" + name;
  std::lock_guard<std::mutex> lock(MirrorLock(mirror));
  {
    // The credential's files exist while git talks to the remote, and not a moment longer.
    auto auth = GitAuthFiles::Create(workdir_ + "/auth/" + name, credential);
    if (!auth.ok()) return auth.status();
    if (Status s = EnsureCommit(mirror, clone_url, sha, (*auth)->env()); !s.ok()) {
      // git may print the URL's password alone; the job's error goes to the server and its users.
      std::vector<std::string> secrets = credential.Secrets();
      secrets.push_back(UrlCredential(clone_url));
      return Status(s.code(), Redact(s.message(), secrets));
    }
  }
  std::error_code ec;
  fs::create_directories(workdir_ + "/jobs", ec);
  if (fs::exists(dir, ec)) {
    (void)GitOk({"--git-dir", mirror, "worktree", "remove", "--force", dir}, "git worktree remove");
    fs::remove_all(dir, ec);
    (void)GitOk({"--git-dir", mirror, "worktree", "prune"}, "git worktree prune");
  }
  if (Status s = GitOk({"--git-dir", mirror, "worktree", "add", "--detach", "--quiet", "--", dir, sha},
                       "git worktree add");
      !s.ok()) {
    return s;
  }
  return dir;
}

void GitWorkspace::Remove(const std::string& clone_url, const std::string& dir) {
  const std::string mirror = MirrorPath(clone_url);
  std::lock_guard<std::mutex> lock(MirrorLock(mirror));
  std::error_code ec;
  fs::remove_all(dir, ec);
  (void)GitOk({"--git-dir", mirror, "worktree", "prune"}, "git worktree prune");
}

}  // namespace slipway::agent
