// Efficiency, waste and the largest files and folders (see analysis.h).
#include "insight/analysis.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace slipway::insight {
namespace {

struct PathStats {
  uint64_t cumulative = 0;
  uint64_t minimum = 0;
  uint64_t count = 0;
};

void Record(std::unordered_map<std::string, PathStats>* stats, const std::string& path,
            uint64_t size) {
  PathStats& s = (*stats)[path];
  if (s.count == 0 || size < s.minimum) s.minimum = size;
  s.cumulative += size;
  ++s.count;
}

// The size under path in the stacked filesystem (a file's size, or the sum under a directory).
uint64_t SizeUnder(const std::map<std::string, uint64_t>& stacked, const std::string& path) {
  uint64_t total = 0;
  auto self = stacked.find(path);
  if (self != stacked.end()) total += self->second;
  std::string prefix = path.empty() ? "" : path + "/";
  for (auto it = stacked.lower_bound(prefix);
       it != stacked.end() && it->first.starts_with(prefix); ++it) {
    if (it->first != path) total += it->second;
  }
  return total;
}

void RemoveUnder(std::map<std::string, uint64_t>* stacked, const std::string& path,
                 bool keep_self) {
  if (!keep_self) stacked->erase(path);
  std::string prefix = path.empty() ? "" : path + "/";
  auto it = stacked->lower_bound(prefix);
  while (it != stacked->end() && it->first.starts_with(prefix)) it = stacked->erase(it);
}

template <typename T>
void KeepTop(std::vector<T>* v, size_t n, bool (*less)(const T&, const T&)) {
  std::sort(v->begin(), v->end(), less);
  if (v->size() > n) v->resize(n);
}

// The stacked filesystem: path -> size (0 for non-files).
using PathSizes = std::map<std::string, uint64_t>;
using PathStatsMap = std::unordered_map<std::string, PathStats>;

LayerSummary SummaryOf(const Layer& layer) {
  LayerSummary summary;
  summary.diff_id = layer.diff_id;
  summary.created_by = layer.created_by;
  summary.size_bytes = layer.size_bytes;
  summary.compressed_size_bytes = layer.compressed_size_bytes;
  summary.files = layer.files.size();
  summary.whiteouts = layer.whiteouts.size() + layer.opaque_dirs.size();
  return summary;
}

// The sum of the layers' compressed sizes, known only when every layer's is.
std::optional<uint64_t> CompressedSize(const std::vector<Layer>& layers) {
  if (layers.empty()) return std::nullopt;
  uint64_t total = 0;
  for (const Layer& layer : layers) {
    if (!layer.compressed_size_bytes) return std::nullopt;
    total += *layer.compressed_size_bytes;
  }
  return total;
}

// Parents of the layer's entries: a directory is a leaf only when nothing is under it here.
std::unordered_set<std::string> ParentsOf(const Layer& layer) {
  std::unordered_set<std::string> parents;
  auto add_parents = [&](const std::string& path) {
    size_t slash = path.rfind('/');
    while (slash != std::string::npos) {
      if (!parents.insert(path.substr(0, slash)).second) break;
      slash = slash == 0 ? std::string::npos : path.rfind('/', slash - 1);
    }
  };
  for (const FileEntry& f : layer.files) add_parents(f.path);
  for (const std::string& w : layer.whiteouts) add_parents(w);
  return parents;
}

// Puts a layer on the stack, recording every path it writes or removes.
void StackLayer(const Layer& layer, PathSizes* stacked, PathStatsMap* stats) {
  std::unordered_set<std::string> parents = ParentsOf(layer);
  // Removals first: they apply to the layers below.
  for (const std::string& dir : layer.opaque_dirs) {
    // Everything below an opaque directory is removed: each such path was written and removed.
    std::string prefix = dir.empty() ? "" : dir + "/";
    for (auto it = stacked->lower_bound(prefix);
         it != stacked->end() && it->first.starts_with(prefix); ++it) {
      Record(stats, it->first, it->second);
    }
    RemoveUnder(stacked, dir, /*keep_self=*/true);
  }
  for (const std::string& path : layer.whiteouts) {
    Record(stats, path, SizeUnder(*stacked, path));
    RemoveUnder(stacked, path, /*keep_self=*/false);
  }
  for (const FileEntry& f : layer.files) {
    bool is_dir = f.type == EntryType::kDirectory;
    if (!is_dir || !parents.count(f.path)) Record(stats, f.path, f.size);
    if (!is_dir) RemoveUnder(stacked, f.path, /*keep_self=*/false);  // a file replacing a dir
    (*stacked)[f.path] = f.size;
  }
}

// Efficiency (the smallest size of each path over what all layers wrote) and the paths written
// more than once.
void AddWaste(const PathStatsMap& stats, size_t top_n, Analysis* a) {
  uint64_t minimum = 0;
  uint64_t discovered = 0;
  for (const auto& [path, s] : stats) {
    minimum += s.minimum;
    discovered += s.cumulative;
    if (s.count >= 2) {
      a->wasted_bytes += s.cumulative;
      if (s.cumulative > 0) a->wasted.push_back({path, s.count, s.cumulative});
    }
  }
  a->efficiency =
      discovered == 0 ? 1.0 : static_cast<double>(minimum) / static_cast<double>(discovered);
  KeepTop<WastedPath>(&a->wasted, top_n, [](const WastedPath& x, const WastedPath& y) {
    return x.wasted_bytes != y.wasted_bytes ? x.wasted_bytes > y.wasted_bytes : x.path < y.path;
  });
}

// The largest files and folders of the final filesystem.
void AddLargest(const PathSizes& stacked, size_t top_n, Analysis* a) {
  std::unordered_map<std::string, uint64_t> dirs;
  for (const auto& [path, size] : stacked) {
    if (size == 0) continue;
    a->largest_files.push_back({path, size});
    size_t slash = path.rfind('/');
    while (slash != std::string::npos) {
      dirs[path.substr(0, slash)] += size;
      slash = slash == 0 ? std::string::npos : path.rfind('/', slash - 1);
    }
  }
  auto by_size = [](const SizedPath& x, const SizedPath& y) {
    return x.size_bytes != y.size_bytes ? x.size_bytes > y.size_bytes : x.path < y.path;
  };
  KeepTop<SizedPath>(&a->largest_files, top_n, by_size);
  for (const auto& [path, size] : dirs) a->largest_dirs.push_back({path, size});
  KeepTop<SizedPath>(&a->largest_dirs, top_n, by_size);
}

}  // namespace

Analysis Analyze(const Image& image, size_t top_n) {
  Analysis a;
  a.image_id = image.id;
  PathStatsMap stats;
  PathSizes stacked;
  for (const Layer& layer : image.layers) {
    a.layers.push_back(SummaryOf(layer));
    a.size_bytes += layer.size_bytes;
    StackLayer(layer, &stacked, &stats);
  }
  a.compressed_size_bytes = CompressedSize(image.layers);
  AddWaste(stats, top_n, &a);
  AddLargest(stacked, top_n, &a);
  return a;
}

}  // namespace slipway::insight
