#include "pipelines/filters.h"

namespace slipway::pipelines {
namespace {

// Backtracking matcher; patterns are short, so the simple recursion is enough. `**` handling:
// "**/" may match zero directories.
bool Match(std::string_view p, std::string_view t, int budget) {
  if (budget <= 0) return false;
  while (!p.empty()) {
    if (p.size() >= 2 && p[0] == '*' && p[1] == '*') {
      std::string_view rest = p.substr(2);
      if (!rest.empty() && rest.front() == '/') {
        // "**/rest": rest at any depth, including here.
        if (Match(rest.substr(1), t, budget - 1)) return true;
      }
      for (size_t i = 0; i <= t.size(); ++i) {
        if (Match(rest, t.substr(i), budget - 1)) return true;
      }
      return false;
    }
    if (p[0] == '*') {
      std::string_view rest = p.substr(1);
      for (size_t i = 0; i <= t.size(); ++i) {
        if (Match(rest, t.substr(i), budget - 1)) return true;
        if (i < t.size() && t[i] == '/') break;
      }
      return false;
    }
    if (t.empty()) return false;
    if (p[0] == '?') {
      if (t[0] == '/') return false;
    } else if (p[0] != t[0]) {
      return false;
    }
    p.remove_prefix(1);
    t.remove_prefix(1);
  }
  return t.empty();
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  return out + "]";
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  return Match(pattern, text, 100000);
}

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
