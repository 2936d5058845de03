// Build secrets (docs/secrets.md): which values of the secret store a job's build is given.
//
// A job names its build secrets (`secrets: [{id, from}]`) and SSH keys (`ssh:`) by the store's
// names; registry credentials are found by host, for every registry the job pushes to, caches at
// or builds from (REGISTRY_<HOST>_USERNAME and _PASSWORD, core/registry_access.h). The
// repository's own secret wins over the server's of the same name. A secret marked protected
// reaches only runs of the repository's default branch and of its protected_branches; a rerun or
// a base-update run is a run of its branch like any other, so it follows the same rule.
//
//   planning  CheckBuildSecrets: a named secret that is not set (`unknown-secret`) or protected
//             from this branch (`protected-secret`) is a plan error at its `from:` in .slipway.yml,
//             and the run ends `error` before anything is built. A registry credential
//             (REGISTRY_...) named as a build secret is refused (`registry-secret`): it would hand
//             a RUN step the login buildx alone should hold.
//   lease     AddBuildSecrets: the values, for that one job's lease. A protected registry login is
//             left out for other branches (the registry is then spoken to anonymously).
//
// Thread-safety: plain functions; the secret store serialises its own reads.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "pipelines/diagnostic.h"
#include "pipelines/job_spec.h"
#include "pipelines/pipeline.h"
#include "protocol/agent_protocol.h"
#include "store/repo_store.h"
#include "store/secret_store.h"

namespace slipway::core {

// Diagnostics for the secrets `jobs` name; `pipeline` (may be null) gives positions.
std::vector<pipelines::Diagnostic> CheckBuildSecrets(
    const store::Repo& repo, const std::string& branch, const std::vector<pipelines::JobSpec>& jobs,
    const pipelines::Pipeline* pipeline, store::SecretStore& secrets,
    const std::string& pipeline_file = ".slipway.yml");

// Fills the lease's secrets, SSH keys and registry logins for its job. A secret the spec names
// that cannot be given (deleted since planning) is left out: the agent ends the job with an
// error naming it.
void AddBuildSecrets(const store::Repo& repo, const std::string& branch,
                     store::SecretStore& secrets, protocol::LeaseOffer* offer);

// The registry hosts a job talks to: those of its image, tags, cache and bases that name one.
std::vector<std::string> RegistryHostsOf(const pipelines::JobSpec& spec);

}  // namespace slipway::core
