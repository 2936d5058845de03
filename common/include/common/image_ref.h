// Image references and where a tag points now: in the local Docker engine, or in its registry.
//
// Digests from the two places are comparable with the containerd image store (what Slipway's
// setup configures): there an image's id is the digest of its manifest, or of its index for a
// multi-platform image, which is the digest the registry serves for the tag and the one BuildKit
// resolves `FROM` to (`FROM ref@sha256:<id>` in the build's progress). With the classic store the
// id is the config digest instead, comparable only with another id from the same engine.
//
// Registries are spoken to through common/registry_client.h: HTTPS with the certificate verified,
// basic auth or the token flow, plain HTTP for a loopback registry without TLS. A reference that
// names no registry host ("python:3.11-slim") is looked up on the configured upstream
// (RegistryAccess::upstream, Docker Hub by default).
//
// Nothing here reaches a shell: docker runs from an argument vector, references are checked first.
//
// Thread-safety: plain functions; each runs its own process or HTTP request.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/registry_client.h"
#include "common/status.h"

namespace slipway {

// The parts of "host[:port]/name[:tag|@digest]".
struct ImageRef {
  std::string host;       // "127.0.0.1:5000"
  std::string name;       // "slipway-test/app"
  std::string reference;  // the tag or "sha256:..."; "latest" when absent
  bool on_upstream = false;  // the reference named no host: `host` is the upstream given
};
// With `upstream` empty, only references with an explicit registry host. Else a reference without
// one is placed on `upstream`, a one-part name under "library/" as Docker Hub keeps official
// images ("python:3.11-slim" -> library/python:3.11-slim); "docker.io" names Docker Hub's registry.
Result<ImageRef> ParseImageRef(const std::string& ref, const std::string& upstream = "");

// The Accept header that asks a registry for OCI and Docker image indexes and manifests.
extern const char kManifestAccept[];

// "sha256:" and 64 lower-case hex digits.
bool IsImageDigest(const std::string& digest);

// The image's id in the local engine (`docker image inspect`); NotFound when the engine has no
// such image, Unavailable when docker cannot be run or the engine does not answer.
Result<std::string> EngineImageDigest(const std::string& ref, const std::string& docker = "docker");

// The digest the registry serves for the reference (HEAD of its manifest, Docker-Content-Digest).
Result<std::string> RegistryImageDigest(const ImageRef& ref, const RegistryAccess& access = {});

// The registries a caller may contact. An entry matches a host equal to it, or, when the entry
// names no port, the same host on any port ("127.0.0.1" allows "127.0.0.1:5000").
struct RegistryAllowlist {
  std::vector<std::string> hosts;
  bool Allows(const std::string& host) const;
};

struct ResolvedDigest {
  std::string digest;
  std::string source;  // "engine" or "registry"
};

// The local engine first; when it lacks the image or cannot be asked, the reference's registry, or
// the upstream for a reference naming none. A failure says which registry and why ("upstream
// registry-1.docker.io unreachable: ..."). With `allowed`, a registry it does not list is not
// contacted: kPermissionDenied naming the host.
Result<ResolvedDigest> ResolveImageDigest(const std::string& ref, const std::string& docker = "docker",
                                          const RegistryAccess& access = {},
                                          const RegistryAllowlist* allowed = nullptr);

}  // namespace slipway
