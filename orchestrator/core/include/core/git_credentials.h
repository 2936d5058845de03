// A repository's clone credential (common/git_auth.h), read from its own secrets:
//
//   GIT_TOKEN, and GIT_USERNAME when the forge wants a particular one    http(s) clone URLs
//   GIT_SSH_KEY and GIT_KNOWN_HOSTS (the pinned host key lines)           ssh clone URLs
//
// Only the kind the clone URL uses is read, and only the repository's own secrets: a server-wide
// secret of the same name is never offered to a repository's git host. The server's mirror fetch
// and the lease of each job of the repository use it (docs/secrets.md, "Private repositories").
//
// Thread-safety: a plain function; the secret store serialises its own reads.
#pragma once

#include <cstdint>
#include <string>

#include "common/git_auth.h"
#include "common/status.h"
#include "store/secret_store.h"

namespace slipway::core {

inline constexpr const char* kGitTokenSecret = "GIT_TOKEN";
inline constexpr const char* kGitUsernameSecret = "GIT_USERNAME";
inline constexpr const char* kGitSshKeySecret = "GIT_SSH_KEY";
inline constexpr const char* kGitKnownHostsSecret = "GIT_KNOWN_HOSTS";

// The credential for `clone_url` from the secrets of repository `repo_id`; empty when none is set.
// InvalidArgument when the secrets set do not make a usable credential (a key without known hosts).
Result<GitCredential> RepoGitCredential(store::SecretStore& secrets, int64_t repo_id,
                                        const std::string& clone_url);

// Which secret a credential came from, for an error about it: "the repository's secret GIT_TOKEN",
// or what to set when there is none.
std::string DescribeGitCredential(const GitCredential& credential);

}  // namespace slipway::core
