// An image read from its archive: layers in order, each with the instruction that made it and its
// file entries, and the small files Slipway reads packages from (dpkg, apk, Python metadata,
// os-release), taken from the image's final filesystem after whiteouts.
//
// The archive is what `docker save` writes: an OCI layout (index.json, blobs/sha256/...) and/or the
// classic manifest.json. It is read as a stream in one pass: blobs may come before the manifest
// that names them, so every layer-like blob is read (gzip, zstd or plain tar) and kept only as
// metadata.
//
// Thread-safety: plain values and free functions; a ByteSource is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slipway::insight {

enum class EntryType { kFile, kDirectory, kSymlink, kHardlink, kOther };

struct FileEntry {
  std::string path;  // normalised: no leading "/" or "./", no trailing "/"
  uint64_t size = 0;
  EntryType type = EntryType::kFile;
  uint32_t mode = 0;        // permission bits
  std::string link_target;  // symlinks and hardlinks
};

struct Layer {
  std::string diff_id;      // "sha256:..." of the uncompressed tar (from the config)
  std::string blob;         // the blob's path in the archive
  std::string created_by;   // the instruction, from the config history (empty_layer skipped)
  uint64_t size_bytes = 0;  // sum of the sizes of its regular files
  uint64_t tar_bytes = 0;   // the uncompressed tar stream's length
  std::optional<uint64_t> compressed_size_bytes;  // when the blob is gzip or zstd
  std::vector<FileEntry> files;                   // in archive order, whiteout markers excluded
  std::vector<std::string> whiteouts;             // paths deleted from lower layers
  std::vector<std::string> opaque_dirs;           // dirs whose lower contents are hidden
};

struct Image {
  std::string id;  // the config digest, "sha256:..."
  std::vector<std::string> repo_tags;
  std::string os;
  std::string architecture;
  std::vector<Layer> layers;  // bottom first
  // Contents of the captured small files present in the final filesystem, by normalised path
  // (see IsCapturedPath). Symlinks among them are resolved.
  std::map<std::string, std::string> files;
};

// True for the files whose contents are kept: etc/os-release, usr/lib/os-release,
// var/lib/dpkg/status, var/lib/dpkg/status.d/*, lib/apk/db/installed, *.dist-info/METADATA,
// *.egg-info/PKG-INFO and *.egg-info (a file).
bool IsCapturedPath(std::string_view path);

// Normalises an archive path: strips "./" and "/" prefixes and a trailing "/".
std::string NormalisePath(std::string_view path);

// A pull source of bytes: fills buf, returns the count, 0 at the end, or -1 on error.
using ByteSource = std::function<long(char* buf, size_t len)>;

// Reads an image archive from a stream.
Result<Image> ReadImageArchive(const ByteSource& source);
// Reads an image archive file (a `docker save -o` output).
Result<Image> ReadImageArchiveFile(const std::string& path);

}  // namespace slipway::insight
