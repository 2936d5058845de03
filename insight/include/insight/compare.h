// Judging a build's image against the previous one and the pipeline's policy, as pure functions
// the agent or the orchestrator calls once it has both analyses:
//   - CompareAnalyses: size delta, and layers added, removed, grown or shrunk (matched by diff id,
//     then by instruction), with the instructions that changed;
//   - CheckBudget: a stage's `budget: {max_size, max_growth, min_efficiency}`; each broken limit
//     gives a message with the numbers;
//   - GateFindings / DiffFindings: `scan: {fail_on, ignore: [{id, until, reason}]}` over the
//     findings (today's date injected), and the findings new or fixed since the previous build.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "insight/analysis.h"
#include "insight/findings.h"

namespace slipway::insight {

struct LayerChange {
  enum class Kind {
    kAdded,
    kRemoved,
    kGrown,
    kShrunk,
    kChanged
  };  // kChanged: same size, new content
  Kind kind = Kind::kAdded;
  std::string created_by;
  uint64_t before_bytes = 0;
  uint64_t after_bytes = 0;
};

struct Comparison {
  int64_t size_delta_bytes = 0;
  double size_delta_percent = 0;    // against the previous size; 0 when that was 0
  std::vector<LayerChange> layers;  // unchanged layers (same diff id) are not listed
};

std::string_view LayerChangeName(LayerChange::Kind kind);  // "added", "removed", ...
Comparison CompareAnalyses(const Analysis& previous, const Analysis& current);

struct Budget {
  std::optional<uint64_t> max_size_bytes;
  std::optional<double> max_growth_percent;  // against the previous build; unchecked without one
  std::optional<double> min_efficiency;      // a fraction, 0..1
  // At most this percent of another image's size (ratio_of_bytes); unchecked without that size.
  std::optional<double> max_ratio_percent;
  std::string ratio_of;  // what the other image is, for the message ("build")
  std::optional<uint64_t> ratio_of_bytes;
};

// One message per broken limit, e.g. "size 160.2 MB (160234567 bytes) is over max_size 150.0 MB
// (150000000 bytes)"; empty when the budget is kept. previous may be null.
std::vector<std::string> CheckBudget(const Budget& budget, const Analysis& current,
                                     const Analysis* previous);

struct IgnoreRule {
  std::string id;     // matches a finding's id or one of its aliases
  std::string until;  // "YYYY-MM-DD", the last day it applies; empty: no end
  std::string reason;
};

struct ScanPolicy {
  std::optional<Severity> fail_on;  // none: findings never fail the job
  std::vector<IgnoreRule> ignore;
};

struct GateResult {
  bool failed = false;
  std::vector<Finding> blocking;  // at or above fail_on, not ignored
  std::vector<Finding> ignored;   // matched by a rule still in force
  std::string message;            // empty unless failed: "2 findings at or above high: CVE-1 (...)"
};

// REQUIRES: today is "YYYY-MM-DD".
GateResult GateFindings(const std::vector<Finding>& findings, const ScanPolicy& policy,
                        const std::string& today);

struct FindingDiff {
  std::vector<Finding> added;  // in current, not in previous (by id and package)
  std::vector<Finding> fixed;  // in previous, not in current
};
FindingDiff DiffFindings(const std::vector<Finding>& previous, const std::vector<Finding>& current);

}  // namespace slipway::insight
