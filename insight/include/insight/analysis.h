// Size analysis of an image, as dive defines it.
//
// Each layer's leaf entries (files, whiteouts, directories with nothing under them in that layer)
// are visited bottom up; a whiteout counts the size of what it removes from the layers below. For
// every path, the smallest size seen and the sum of all sizes seen are kept:
//   efficiency   = sum over paths of the smallest size / sum over paths of the sizes seen
//   wasted_bytes = sum of the sizes seen, over the paths visited in two or more layers
// (a file rewritten, or written and removed later). A whiteout of a directory counts once, at the
// directory, with everything under it; an opaque directory (.wh..wh..opq) counts each path it
// hides. An image with no such path has efficiency 1.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "insight/image.h"

namespace slipway::insight {

struct LayerSummary {
  std::string diff_id;
  std::string created_by;
  uint64_t size_bytes = 0;
  std::optional<uint64_t> compressed_size_bytes;
  uint64_t files = 0;  // entries, directories included
  uint64_t whiteouts = 0;
};

struct WastedPath {
  std::string path;
  uint64_t occurrences = 0;   // layers in which it was visited (writes and removals)
  uint64_t wasted_bytes = 0;  // the sum of the sizes seen
};

struct SizedPath {
  std::string path;
  uint64_t size_bytes = 0;
};

struct Analysis {
  std::string image_id;
  uint64_t size_bytes = 0;                        // sum of the layers' sizes
  std::optional<uint64_t> compressed_size_bytes;  // when every layer blob is compressed
  double efficiency = 1.0;
  uint64_t wasted_bytes = 0;
  std::vector<LayerSummary> layers;
  std::vector<WastedPath> wasted;        // largest first
  std::vector<SizedPath> largest_files;  // in the final filesystem, largest first
  std::vector<SizedPath> largest_dirs;   // cumulative, in the final filesystem, largest first
};

// REQUIRES: top_n > 0. Keeps top_n entries in each of the three lists.
Analysis Analyze(const Image& image, size_t top_n = 10);

}  // namespace slipway::insight
