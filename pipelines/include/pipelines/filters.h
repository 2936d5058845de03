// `on.push` filters: branch and path globs deciding whether a push starts a run.
//
// Patterns are globs (glob.h). A pattern starting with `!` excludes: a value passes when
// it matches at least one positive pattern and no negative one (a list of only negative patterns
// passes everything they do not exclude). An empty list passes everything.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/glob.h"

namespace slipway::pipelines {

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
