#include "core/git_credentials.h"

#include <set>

namespace slipway::core {

Result<GitCredential> RepoGitCredential(store::SecretStore& secrets, int64_t repo_id,
                                        const std::string& clone_url) {
  GitCredential credential;
  const bool ssh = IsSshUrl(clone_url);
  if (!ssh && !IsHttpUrl(clone_url))
    return credential;                  // a path or git://: nothing to authenticate
  auto listed = secrets.List(repo_id);  // the repository's own names only
  if (!listed.ok()) return listed.status();
  std::set<std::string> names;
  for (const auto& s : *listed) names.insert(s.name);
  auto read = [&](const char* name, std::string* out) -> Status {
    if (!names.count(name)) return Status::Ok();
    auto value = secrets.Reveal(repo_id, name);  // the repository's own wins over a server-wide one
    if (!value.ok()) return value.status();
    *out = std::move(*value);
    return Status::Ok();
  };
  if (ssh) {
    if (Status s = read(kGitSshKeySecret, &credential.ssh_key); !s.ok()) return s;
    if (credential.ssh_key.empty()) return credential;
    if (Status s = read(kGitKnownHostsSecret, &credential.known_hosts); !s.ok()) return s;
  } else {
    if (Status s = read(kGitTokenSecret, &credential.token); !s.ok()) return s;
    if (credential.token.empty()) return credential;
    if (Status s = read(kGitUsernameSecret, &credential.username); !s.ok()) return s;
  }
  if (Status s = CheckGitCredential(credential); !s.ok()) return s;
  return credential;
}

std::string DescribeGitCredential(const GitCredential& credential) {
  if (!credential.token.empty()) return "with the repository's secret GIT_TOKEN";
  if (!credential.ssh_key.empty())
    return "with the repository's secrets GIT_SSH_KEY and GIT_KNOWN_HOSTS";
  return "with no credential; a private repository needs the secret GIT_TOKEN, or GIT_SSH_KEY and "
         "GIT_KNOWN_HOSTS for an ssh URL";
}

}  // namespace slipway::core
