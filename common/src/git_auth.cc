#include "common/git_auth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "common/strings.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;

// git reads the helper's answer up to the first line break; the prompt ("Username for
// 'https://host': ") is only matched, never run.
constexpr std::string_view kAskpass =
    "#!/bin/sh\n"
    "# git's askpass helper: the answers are the files beside this script.\n"
    "case \"$1\" in\n"
    "  Username*) exec cat -- \"${0%/*}/username\" ;;\n"
    "  *) exec cat -- \"${0%/*}/token\" ;;\n"
    "esac\n";

std::string SingleQuoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Creates `path` with exactly `mode` (O_EXCL: never through a file or link already there).
Status WriteNewFile(const std::string& path, std::string_view content, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Status::Internal("cannot create " + path + ": " + std::strerror(errno));
  bool ok = fchmod(fd, mode) == 0;
  for (size_t off = 0; ok && off < content.size();) {
    ssize_t n = write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) off += static_cast<size_t>(n);
  }
  int error = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (!ok) return Status::Internal("cannot write " + path + ": " + std::strerror(error));
  return Status::Ok();
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// The user information of a `scheme://` URL (nullopt: none), and the scheme in lower case.
std::optional<std::string_view> UserInfo(std::string_view url, std::string* scheme) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  *scheme = AsciiLower(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  return authority.substr(0, at);
}

}  // namespace

bool IsSshUrl(std::string_view url) {
  size_t sep = url.find("://");
  if (sep != std::string_view::npos) {
    std::string scheme = AsciiLower(url.substr(0, sep));
    return scheme == "ssh" || scheme == "git+ssh" || scheme == "ssh+git";
  }
  size_t colon = url.find(':');
  return colon != std::string_view::npos && colon > 0 &&
         url.substr(0, colon).find('/') == std::string_view::npos;
}

bool IsHttpUrl(std::string_view url) {
  std::string lower = AsciiLower(url.substr(0, 8));
  return lower.starts_with("http://") || lower.starts_with("https://");
}

Status CheckCloneUrl(std::string_view url) {
  std::string scheme;
  std::optional<std::string_view> info = UserInfo(url, &scheme);
  if (!info) return Status::Ok();
  bool ssh = scheme == "ssh" || scheme == "git+ssh" || scheme == "ssh+git";
  if (ssh && info->find(':') == std::string_view::npos) return Status::Ok();  // a user name only
  return Status::InvalidArgument(
      "\"clone_url\" must not carry a credential (user:password@ or token@ before the host): "
      "register "
      "the plain URL and set the repository's secret GIT_TOKEN (and GIT_USERNAME), or GIT_SSH_KEY "
      "and "
      "GIT_KNOWN_HOSTS for an ssh URL (docs/secrets.md, \"Private repositories\")");
}

Status CheckGitCredential(const GitCredential& c) {
  if (HasLineBreak(c.username) || HasLineBreak(c.token)) {
    return Status::InvalidArgument("GIT_USERNAME and GIT_TOKEN must be one line each");
  }
  if (!c.ssh_key.empty()) {
    if (c.ssh_key.find("PRIVATE KEY-----") == std::string::npos) {
      return Status::InvalidArgument(
          "GIT_SSH_KEY must be a private key (\"-----BEGIN OPENSSH PRIVATE KEY-----\" ...)");
    }
    if (TrimAsciiSpace(c.known_hosts).empty()) {
      return Status::InvalidArgument(
          "GIT_SSH_KEY needs GIT_KNOWN_HOSTS: the git server's host key line(s), as `ssh-keyscan "
          "HOST` "
          "prints them, so that no other server is trusted");
    }
  }
  return Status::Ok();
}

std::string AskpassScript() { return std::string(kAskpass); }

std::string SshCommand(const std::string& key_file, const std::string& known_hosts_file) {
  return "ssh -F /dev/null -i " + SingleQuoted(key_file) +
         " -o IdentitiesOnly=yes -o IdentityAgent=none -o UserKnownHostsFile=" +
         SingleQuoted(known_hosts_file) +
         " -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o "
         "ConnectTimeout=30";
}

Result<std::unique_ptr<GitAuthFiles>> GitAuthFiles::Create(const std::string& dir,
                                                           const GitCredential& credential) {
  auto files = std::unique_ptr<GitAuthFiles>(new GitAuthFiles(dir));
  if (credential.empty()) return files;
  if (Status s = CheckGitCredential(credential); !s.ok()) return s;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(fs::path(dir).parent_path(), ec);
  if (mkdir(dir.c_str(), 0700) != 0) {
    return Status::Internal("cannot create the credential directory " + dir + ": " +
                            std::strerror(errno));
  }
  // Set first: from here on the destructor removes the directory, whatever fails. No credential
  // helper (the user's or the system's) sees the answers, so none stores them.
  files->env_ = {"GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_COUNT=1",
                 "GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0="};
  if (!credential.token.empty()) {
    std::string username =
        credential.username.empty() ? std::string(kDefaultGitUsername) : credential.username;
    if (Status s = WriteNewFile(dir + "/username", username, 0600); !s.ok()) return s;
    if (Status s = WriteNewFile(dir + "/token", credential.token, 0600); !s.ok()) return s;
    if (Status s = WriteNewFile(dir + "/askpass", kAskpass, 0700); !s.ok()) return s;
    files->env_.push_back("GIT_ASKPASS=" + dir + "/askpass");
  }
  if (!credential.ssh_key.empty()) {
    // OpenSSH refuses a key whose last line has no line break, or whose lines end in CR LF.
    std::string key;
    for (char c : credential.ssh_key) {
      if (c != '\r') key += c;
    }
    if (!key.ends_with("\n")) key += "\n";
    std::string known_hosts = credential.known_hosts;
    if (!known_hosts.ends_with("\n")) known_hosts += "\n";
    if (Status s = WriteNewFile(dir + "/key", key, 0600); !s.ok()) return s;
    if (Status s = WriteNewFile(dir + "/known_hosts", known_hosts, 0600); !s.ok()) return s;
    files->env_.push_back("GIT_SSH_COMMAND=" + SshCommand(dir + "/key", dir + "/known_hosts"));
  }
  return files;
}

GitAuthFiles::~GitAuthFiles() {
  if (env_.empty()) return;  // nothing was made
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::vector<std::string> MergeEnv(std::vector<std::string> base,
                                  const std::vector<std::string>& overrides) {
  for (const std::string& entry : overrides) {
    const std::string name = entry.substr(0, entry.find('=') + 1);
    bool replaced = false;
    for (std::string& b : base) {
      if (b.starts_with(name)) {
        b = entry;
        replaced = true;
      }
    }
    if (!replaced) base.push_back(entry);
  }
  return base;
}

std::string GitErrorSummary(std::string_view text) {
  constexpr size_t kMax = 1024;
  std::string first, picked;
  for (const std::string& raw : SplitNonEmpty(text, '\n')) {
    std::string line(TrimAsciiSpace(raw));
    if (line.empty()) continue;
    if (first.empty()) first = line;
    if (line.starts_with("fatal:") || line.starts_with("error:") ||
        line.find("denied") != std::string::npos ||
        line.find("verification failed") != std::string::npos ||
        line.find("has changed") != std::string::npos) {
      if (!picked.empty()) picked += "; ";
      picked += line;
    }
  }
  std::string out = picked.empty() ? first : picked;
  if (out.size() > kMax) out.resize(kMax);
  return out;
}

}  // namespace slipway
