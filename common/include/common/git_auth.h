// Credentials for git against a private repository, for the server's mirrors and the agents'
// checkouts alike: an HTTPS token or an SSH deploy key, never on a command line or in a URL.
//
//   HTTPS  git asks GIT_ASKPASS for the user name and the password; the helper is a fixed script
//          that prints the files `username` and `token` lying beside it (mode 0600).
//   SSH    GIT_SSH_COMMAND runs ssh with only the key file (0600) as identity and only the pinned
//          known_hosts file as the hosts it trusts (StrictHostKeyChecking=yes), no user or system
//          ssh configuration, no agent, no prompts.
//
// Either way git's credential helpers are switched off (no `credential.helper=store` of a user's
// configuration writes the token anywhere). The files live in a directory of their own, 0700,
// for the length of the git calls that need them (GitAuthFiles), and are removed after.
//
// Thread-safety: plain values and functions; one GitAuthFiles per directory.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slipway {

// The user name sent with a token when none is given: GitHub's for tokens; GitLab and Gitea
// accept any name with a personal access token.
inline constexpr std::string_view kDefaultGitUsername = "x-access-token";

struct GitCredential {
  std::string username;     // HTTPS: "" means kDefaultGitUsername
  std::string token;        // HTTPS: the password or access token
  std::string ssh_key;      // SSH: an unencrypted OpenSSH private key
  std::string known_hosts;  // SSH: known_hosts lines pinning the server's host key
  bool empty() const { return token.empty() && ssh_key.empty(); }
  // The values an error or a log must never show.
  std::vector<std::string> Secrets() const { return {token, ssh_key}; }
  bool operator==(const GitCredential&) const = default;
};

// Whether git reaches `url` over ssh: ssh://, git+ssh://, ssh+git://, or the scp-like
// `[user@]host:path` (a ':' before any '/', and no "://").
bool IsSshUrl(std::string_view url);
// Whether git reaches `url` over HTTP(S), where a token applies.
bool IsHttpUrl(std::string_view url);

// InvalidArgument when a clone URL carries a credential: any user information in an http(s)
// URL, or a password in any other. An ssh user name alone (`ssh://git@host/...`) is not one.
Status CheckCloneUrl(std::string_view url);

// Checks a credential's values: no line breaks in the user name or token (git reads one line),
// a key that looks like a private key, known hosts with the key.
Status CheckGitCredential(const GitCredential& credential);

// The askpass helper's text: prints `username` or `token` from its own directory, by the prompt.
std::string AskpassScript();
// GIT_SSH_COMMAND's value for these files (each path single-quoted for the shell git runs it with).
std::string SshCommand(const std::string& key_file, const std::string& known_hosts_file);

// The job-scoped files of one credential and the environment that points git at them.
class GitAuthFiles {
 public:
  // Writes the credential's files into `dir` (made afresh, 0700; anything there before is
  // removed). An empty credential writes nothing and gives an empty environment.
  static Result<std::unique_ptr<GitAuthFiles>> Create(const std::string& dir,
                                                      const GitCredential& credential);
  ~GitAuthFiles();  // removes the directory and everything in it
  GitAuthFiles(const GitAuthFiles&) = delete;
  GitAuthFiles& operator=(const GitAuthFiles&) = delete;

  // "NAME=value" entries to add to git's environment (replacing any of the same name).
  const std::vector<std::string>& env() const { return env_; }
  const std::string& dir() const { return dir_; }

 private:
  GitAuthFiles(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  std::vector<std::string> env_;
};

// `base` with each "NAME=value" of `overrides` replacing the entry of the same name, or added.
std::vector<std::string> MergeEnv(std::vector<std::string> base,
                                  const std::vector<std::string>& overrides);

// What a failed git call said, in one line: its `fatal:`/`error:` lines and ssh's refusals, else
// its first line; at most 1 KiB.
std::string GitErrorSummary(std::string_view stderr_text);

}  // namespace slipway
