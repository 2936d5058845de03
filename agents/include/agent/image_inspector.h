// Image inspection after a build: sizes per image and per layer, and the instruction that made each
// layer.
//
// Sizes mean different things in different places, so each field says which it is:
//   size_bytes             uncompressed: the layer's unpacked size as `docker history` reports it;
//                          the image's is their sum.
//   compressed_size_bytes  the layer blob's size in the registry manifest (gzip); the image's is
//                          their sum. Known only for pushed images.
// Layers are listed base first. A layer's digest is the registry blob digest when the image was
// pushed, else the uncompressed diff id from `docker image inspect` ("" when it cannot be matched).
//
// Thread-safety: plain functions; each runs its own processes and HTTP requests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/image_ref.h"  // ImageRef, ParseImageRef
#include "common/status.h"

namespace slipway::agent {

struct LayerInfo {
  std::string digest;
  long long size_bytes = 0;
  std::optional<long long> compressed_size_bytes;
  std::string instruction;  // created-by, e.g. "COPY /small /small # buildkit"; "" for imported bases
  bool empty_layer = false; // metadata-only history entry (ENV, WORKDIR, ...), no blob
};

struct ImageInfo {
  std::string ref;
  std::string digest;         // the image id in the engine (with the containerd store: the index digest)
  std::string config_digest;  // from the registry manifest when pushed
  long long size_bytes = 0;
  std::optional<long long> compressed_size_bytes;
  std::vector<LayerInfo> layers;
};

// `docker image inspect` and `docker history` for an image in the local engine.
Result<ImageInfo> InspectLocalImage(const std::string& ref, const std::string& docker = "docker");

// One platform's manifest as the registry serves it.
struct RegistryManifest {
  std::string digest;  // of the platform manifest
  std::string config_digest;
  struct Blob {
    std::string digest;
    long long size = 0;
  };
  std::vector<Blob> layers;  // base first
  std::vector<bool> history_empty;  // from the config blob: per history entry, whether it has no layer
  long long CompressedSize() const;
};

// GET /v2/<name>/manifests/<reference> of the reference's registry (common/registry_client.h:
// https, its credentials in `access`) with OCI and Docker index and manifest types in Accept.
// An index leads to its `platform` manifest (default linux/amd64); attestation manifests
// (platform unknown/unknown) are skipped. The config blob is read for the history's empty layers.
Result<RegistryManifest> FetchRegistryManifest(const ImageRef& ref, const RegistryAccess& access = {},
                                               const std::string& platform = "linux/amd64");

// Adds compressed sizes and blob digests from the registry to layers listed from `docker history`.
void MergeRegistrySizes(const RegistryManifest& manifest, ImageInfo* image);

}  // namespace slipway::agent
