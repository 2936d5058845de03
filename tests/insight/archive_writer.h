// Test helper: builds tar, gzip/zstd tar and zip archives in memory with libarchive, to make image
// archives (docker save layouts) and OSV zip databases of known content.
#pragma once

#include <string>
#include <vector>

namespace slipway::insight::testing {

struct TarItem {
  std::string path;
  std::string data;  // regular files
  char type = 'f';   // 'f' file, 'd' directory, 'l' symlink (data = target)
};

enum class Filter { kNone, kGzip, kZstd };
enum class Format { kTar, kZip };

std::string MakeArchive(const std::vector<TarItem>& items, Filter filter = Filter::kNone,
                        Format format = Format::kTar);

// The hex sha256 of data, for blob names and diff ids.
std::string Sha256Hex(const std::string& data);

}  // namespace slipway::insight::testing
