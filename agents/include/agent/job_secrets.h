// JobSecrets: the secret values a lease carries (protocol::LeaseOffer), on disk only while its job
// runs, and the masking of them in everything the agent reports.
//
//   <workdir>/secrets/<slot>/           0700, made for the job and removed when it ends (finished,
//                                       failed, canceled or lost); a folder left by an agent that
//                                       was killed is removed when the agent starts again
//     secret-<id>                       0600, a build secret buildx reads (--secret id=<id>,src=)
//     ssh-<id>                          0600, a private key buildx serves (--ssh <id>=)
//     docker/config.json                0600, the job's own DOCKER_CONFIG: the agent's docker
//                                       config with `auths` for the lease's registries, so a build
//                                       logs in to them and nothing is ever `docker login`-ed
//
// A build secret with `env` is never written: buildx reads it from an environment variable of its
// own process (--secret id=<id>,env=SLIPWAY_SECRET_<n>).
//
// Thread-safety: one JobSecrets per job, used by its thread; Mask may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "protocol/agent_protocol.h"

namespace slipway::agent {

class JobSecrets {
 public:
  // Writes what `lease` carries under `dir` (which must not exist yet or is replaced).
  // `docker_config_dir` is the agent's own ("" : $DOCKER_CONFIG, else $HOME/.docker). Fails, with
  // nothing left on disk, when a secret or SSH key the job's spec names is missing from the lease.
  static Result<std::unique_ptr<JobSecrets>> Write(const std::string& dir,
                                                   const protocol::LeaseOffer& lease,
                                                   const std::string& docker_config_dir = "");
  ~JobSecrets();  // Remove()
  JobSecrets(const JobSecrets&) = delete;
  JobSecrets& operator=(const JobSecrets&) = delete;

  // Removes the folder and everything in it; safe to call twice.
  void Remove();

  const std::map<std::string, std::string>& secret_files() const {
    return secret_files_;
  }  // id -> path
  const std::map<std::string, std::string>& secret_envs() const {
    return secret_envs_;
  }  // id -> variable
  const std::map<std::string, std::string>& ssh_files() const { return ssh_files_; }  // id -> path
  // "" when the lease carries no registry login (the agent's own docker config is used).
  const std::string& docker_config_dir() const { return docker_config_dir_; }
  // NAME=value entries for the build's environment: DOCKER_CONFIG and the env secrets.
  const std::vector<std::string>& environment() const { return environment_; }

  // `text` with every value of the lease, in each encoded form (common/redact.h), as "***".
  std::string Mask(std::string_view text) const;

 private:
  JobSecrets() = default;
  Status WriteAll(const protocol::LeaseOffer& lease, const std::string& docker_config_dir);
  Status WriteDockerConfig(const std::vector<protocol::RegistryLogin>& logins,
                           const std::string& base_dir);

  std::string dir_;
  std::map<std::string, std::string> secret_files_;
  std::map<std::string, std::string> secret_envs_;
  std::map<std::string, std::string> ssh_files_;
  std::string docker_config_dir_;
  std::vector<std::string> environment_;
  std::vector<std::string> forms_;  // what Mask hides, longest first
};

// The folder under which jobs keep their secrets: <workdir>/secrets.
std::string SecretsRoot(const std::string& workdir);

// Removes what jobs of an agent that was killed left under SecretsRoot(workdir).
void RemoveLeftoverSecrets(const std::string& workdir);

}  // namespace slipway::agent
