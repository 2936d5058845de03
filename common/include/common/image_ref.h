// Image references and where a tag points now: in the local Docker engine, or in its registry.
//
// Digests from the two places are comparable with the containerd image store (what Slipway's
// setup configures): there an image's id is the digest of its manifest, or of its index for a
// multi-platform image, which is the digest the registry serves for the tag and the one BuildKit
// resolves `FROM` to (`FROM ref@sha256:<id>` in the build's progress). With the classic store the
// id is the config digest instead, comparable only with another id from the same engine.
//
// Registries are spoken to over plain http:// (the loopback and insecure registries of a build
// farm); an https-only registry is reported unavailable.
//
// Nothing here reaches a shell: docker runs from an argument vector, references are checked first.
//
// Thread-safety: plain functions; each runs its own process or HTTP request.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace slipway {

// The parts of "host[:port]/name[:tag|@digest]". Only references with an explicit registry host.
struct ImageRef {
  std::string host;       // "127.0.0.1:5000"
  std::string name;       // "slipway-test/app"
  std::string reference;  // the tag or "sha256:..."; "latest" when absent
};
Result<ImageRef> ParseImageRef(const std::string& ref);

// The Accept header that asks a registry for OCI and Docker image indexes and manifests.
extern const char kManifestAccept[];

// "sha256:" and 64 lower-case hex digits.
bool IsImageDigest(const std::string& digest);

// The image's id in the local engine (`docker image inspect`); NotFound when the engine has no
// such image, Unavailable when docker cannot be run or the engine does not answer.
Result<std::string> EngineImageDigest(const std::string& ref, const std::string& docker = "docker");

// The digest the registry serves for the reference (HEAD of its manifest, Docker-Content-Digest).
Result<std::string> RegistryImageDigest(const ImageRef& ref,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

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

// The local engine first; when it lacks the image or cannot be asked, and the reference names a
// registry host, that registry: any (allowed null), or only one `allowed` lists (else
// kPermissionDenied naming the host, without contacting it).
Result<ResolvedDigest> ResolveImageDigest(const std::string& ref, const std::string& docker = "docker",
                                          const RegistryAllowlist* allowed = nullptr);

}  // namespace slipway
