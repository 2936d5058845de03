// `on.push` filters: branch and path globs deciding whether a push starts a run.
//
// Globs: `*` matches any run of characters except `/`; `**` matches any run including `/` (and
// `**/` also matches nothing, so "src/**/x.c" matches "src/x.c"); `?` matches one character other
// than `/`. Everything else is literal. A pattern starting with `!` excludes: a value passes when
// it matches at least one positive pattern and no negative one (a list of only negative patterns
// passes everything they do not exclude). An empty list passes everything.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::pipelines {

bool GlobMatch(std::string_view pattern, std::string_view text);

bool MatchesFilter(const std::vector<std::string>& patterns, std::string_view value);

struct PushFilter {
  std::vector<std::string> branches;  // empty: every branch
  std::vector<std::string> paths;     // empty: every change
};

// nullopt when the push passes, else the reason it is filtered out. An empty branch skips the
// branch filter (the caller does not know it); the paths filter applies only when changed_paths is
// given, and then at least one changed path must pass.
std::optional<std::string> FilterPush(const PushFilter& filter, const std::string& branch,
                                      const std::optional<std::vector<std::string>>& changed_paths);

}  // namespace slipway::pipelines
