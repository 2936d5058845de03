#include "pipelines/filters.h"

namespace slipway::pipelines {
namespace {

std::string JoinList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  return out + "]";
}

}  // namespace

bool MatchesFilter(const std::vector<std::string>& patterns, std::string_view value) {
  if (patterns.empty()) return true;
  bool any_positive = false;
  bool included = false;
  for (const std::string& p : patterns) {
    if (!p.empty() && p.front() == '!') {
      if (GlobMatch(std::string_view(p).substr(1), value)) return false;
    } else {
      any_positive = true;
      if (!included && GlobMatch(p, value)) included = true;
    }
  }
  return included || !any_positive;
}

std::optional<std::string> FilterPush(const PushFilter& filter, const std::string& branch,
                                      const std::optional<std::vector<std::string>>& changed_paths) {
  if (!branch.empty() && !MatchesFilter(filter.branches, branch)) {
    return "branch \"" + branch + "\" does not match on.push.branches " + JoinList(filter.branches);
  }
  if (changed_paths && !filter.paths.empty()) {
    for (const std::string& path : *changed_paths) {
      if (MatchesFilter(filter.paths, path)) return std::nullopt;
    }
    return "no changed path matches on.push.paths " + JoinList(filter.paths);
  }
  return std::nullopt;
}

}  // namespace slipway::pipelines
