#include "pipelines/repo_path.h"

#include <vector>

namespace slipway::pipelines {

std::optional<std::string> NormalizeRepoPath(std::string_view path) {
  if (path.empty() || path.front() == '/') return std::nullopt;
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  if (parts.empty()) return ".";
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::optional<std::string> JoinRepoPath(std::string_view dir, std::string_view path) {
  if (path.empty() || path.front() == '/') return std::nullopt;
  auto base = NormalizeRepoPath(dir);
  if (!base) return std::nullopt;
  if (*base == ".") return NormalizeRepoPath(path);
  return NormalizeRepoPath(*base + "/" + std::string(path));
}

}  // namespace slipway::pipelines
