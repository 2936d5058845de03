// The agent's RegistryAccess (common/registry_client.h) for one registry host, taken from what the
// Docker CLI and engine it drives already use, so an agent that can push an image can also read
// its manifest back:
//   credentials  the host's entry in `auths` of <docker config dir>/config.json ("auth": base64 of
//                user:password, as `docker login` writes it); credential helpers are not asked.
//   CA           <certs dir>/<host>/ca.crt when present (the engine's per-registry trust).
//
// Thread-safety: a plain function; it reads files only.
#pragma once

#include <string>

#include "common/registry_client.h"

namespace slipway::agent {

// `docker_config_dir` "": $DOCKER_CONFIG, else $HOME/.docker.
RegistryAccess DockerRegistryAccess(const std::string& host, const std::string& docker_config_dir = "",
                                    const std::string& certs_dir = "/etc/docker/certs.d");

}  // namespace slipway::agent
