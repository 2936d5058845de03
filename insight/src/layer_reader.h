// One layer blob of an image archive: a tar, plain or compressed (gzip, zstd), read in one
// streaming pass into its file entries, whiteouts and the captured small files (image.h).
//
// Thread-safety: plain values and free functions; a LayerFeed is used by one thread.
#pragma once

#include <archive.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "insight/image.h"

namespace slipway::insight {

inline constexpr size_t kArchiveChunk = 1 << 16;

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

// The last component of an archive path, and everything before it ("" for a top-level name).
std::string_view BaseName(std::string_view path);
std::string DirName(std::string_view path);

// A captured path's state in one layer: its contents, or where it links to.
struct Captured {
  bool is_link = false;
  std::string data;
};

struct ParsedBlob {
  Layer layer;
  std::map<std::string, Captured> captured;
};

// Feeds a layer blob, an entry of the outer archive, to the layer reader: first the bytes already
// peeked (`head`), then the rest of the entry.
struct LayerFeed {
  archive* outer = nullptr;
  std::string head;
  bool head_given = false;
  char buf[kArchiveChunk];
};

// Reads one layer blob. nullopt when the blob is not a tar at all (a config or another file);
// InvalidArgument when the tar breaks after its first entry.
Result<std::optional<ParsedBlob>> ReadLayerBlob(LayerFeed* feed);

}  // namespace slipway::insight
