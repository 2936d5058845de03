// Comparison with the previous build, budgets and the scan gate (see compare.h).
#include "insight/compare.h"

#include <cstdio>
#include <map>
#include <set>

namespace slipway::insight {
namespace {

std::string Bytes(uint64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f MB (%llu bytes)", static_cast<double>(n) / 1e6,
                static_cast<unsigned long long>(n));
  return buf;
}

std::string Percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", p);
  return buf;
}

bool Ignored(const Finding& f, const IgnoreRule& rule, const std::string& today) {
  if (!rule.until.empty() && today > rule.until) return false;  // ISO dates order as strings
  if (rule.id == f.id) return true;
  for (const std::string& a : f.aliases) {
    if (a == rule.id) return true;
  }
  return false;
}

}  // namespace

std::string_view LayerChangeName(LayerChange::Kind kind) {
  switch (kind) {
    case LayerChange::Kind::kAdded:
      return "added";
    case LayerChange::Kind::kRemoved:
      return "removed";
    case LayerChange::Kind::kGrown:
      return "grown";
    case LayerChange::Kind::kShrunk:
      return "shrunk";
    case LayerChange::Kind::kChanged:
      return "changed";
  }
  return "?";
}

Comparison CompareAnalyses(const Analysis& previous, const Analysis& current) {
  Comparison c;
  c.size_delta_bytes =
      static_cast<int64_t>(current.size_bytes) - static_cast<int64_t>(previous.size_bytes);
  if (previous.size_bytes > 0) {
    c.size_delta_percent =
        100.0 * static_cast<double>(c.size_delta_bytes) / static_cast<double>(previous.size_bytes);
  }
  // Identical layers first (by diff id), then the rest paired by instruction, in order.
  std::multiset<std::string> previous_ids;
  for (const LayerSummary& l : previous.layers) previous_ids.insert(l.diff_id);
  std::multiset<std::string> current_ids;
  for (const LayerSummary& l : current.layers) current_ids.insert(l.diff_id);
  std::vector<const LayerSummary*> old_rest, new_rest;
  for (const LayerSummary& l : previous.layers) {
    auto it = current_ids.find(l.diff_id);
    if (!l.diff_id.empty() && it != current_ids.end()) {
      current_ids.erase(it);
    } else {
      old_rest.push_back(&l);
    }
  }
  for (const LayerSummary& l : current.layers) {
    auto it = previous_ids.find(l.diff_id);
    if (!l.diff_id.empty() && it != previous_ids.end()) {
      previous_ids.erase(it);
    } else {
      new_rest.push_back(&l);
    }
  }
  std::vector<bool> old_used(old_rest.size(), false);
  for (const LayerSummary* now : new_rest) {
    LayerChange change;
    change.created_by = now->created_by;
    change.after_bytes = now->size_bytes;
    bool paired = false;
    for (size_t i = 0; i < old_rest.size(); ++i) {
      if (old_used[i] || old_rest[i]->created_by != now->created_by) continue;
      old_used[i] = paired = true;
      change.before_bytes = old_rest[i]->size_bytes;
      change.kind = now->size_bytes > change.before_bytes   ? LayerChange::Kind::kGrown
                    : now->size_bytes < change.before_bytes ? LayerChange::Kind::kShrunk
                                                            : LayerChange::Kind::kChanged;
      break;
    }
    if (!paired) change.kind = LayerChange::Kind::kAdded;
    c.layers.push_back(std::move(change));
  }
  for (size_t i = 0; i < old_rest.size(); ++i) {
    if (old_used[i]) continue;
    c.layers.push_back(
        {LayerChange::Kind::kRemoved, old_rest[i]->created_by, old_rest[i]->size_bytes, 0});
  }
  return c;
}

std::vector<std::string> CheckBudget(const Budget& budget, const Analysis& current,
                                     const Analysis* previous) {
  std::vector<std::string> broken;
  if (budget.max_size_bytes && current.size_bytes > *budget.max_size_bytes) {
    broken.push_back("size " + Bytes(current.size_bytes) + " is over max_size " +
                     Bytes(*budget.max_size_bytes));
  }
  if (budget.max_growth_percent && previous && previous->size_bytes > 0) {
    Comparison c = CompareAnalyses(*previous, current);
    if (c.size_delta_percent > *budget.max_growth_percent) {
      broken.push_back("size grew " + Percent(c.size_delta_percent) + " (" +
                       Bytes(previous->size_bytes) + " -> " + Bytes(current.size_bytes) +
                       "), over max_growth " + Percent(*budget.max_growth_percent));
    }
  }
  if (budget.max_ratio_percent && budget.ratio_of_bytes && *budget.ratio_of_bytes > 0) {
    double ratio = 100.0 * static_cast<double>(current.size_bytes) / static_cast<double>(*budget.ratio_of_bytes);
    if (ratio > *budget.max_ratio_percent) {
      broken.push_back("size " + Bytes(current.size_bytes) + " is " + Percent(ratio) + " of " + budget.ratio_of +
                       " (" + Bytes(*budget.ratio_of_bytes) + "), over max_ratio_of " +
                       Percent(*budget.max_ratio_percent));
    }
  }
  if (budget.min_efficiency && current.efficiency < *budget.min_efficiency) {
    broken.push_back("efficiency " + Percent(current.efficiency * 100) + " (" +
                     std::to_string(current.wasted_bytes) +
                     " bytes wasted) is under min_efficiency " +
                     Percent(*budget.min_efficiency * 100));
  }
  return broken;
}

GateResult GateFindings(const std::vector<Finding>& findings, const ScanPolicy& policy,
                        const std::string& today) {
  GateResult g;
  for (const Finding& f : findings) {
    bool ignored = false;
    for (const IgnoreRule& rule : policy.ignore) ignored = ignored || Ignored(f, rule, today);
    if (ignored) {
      g.ignored.push_back(f);
    } else if (policy.fail_on && f.severity != Severity::kUnknown &&
               f.severity >= *policy.fail_on) {
      g.blocking.push_back(f);
    }
  }
  g.failed = !g.blocking.empty();
  if (g.failed) {
    g.message = std::to_string(g.blocking.size()) +
                (g.blocking.size() == 1 ? " finding" : " findings") + " at or above " +
                std::string(SeverityName(*policy.fail_on)) + ":";
    for (size_t i = 0; i < g.blocking.size() && i < 5; ++i) {
      const Finding& f = g.blocking[i];
      g.message += std::string(i ? "," : "") + " " + f.id + " (" + f.package + " " +
                   f.installed_version + ", " + std::string(SeverityName(f.severity)) +
                   (f.fixed_version.empty() ? "" : ", fixed in " + f.fixed_version) + ")";
    }
    if (g.blocking.size() > 5)
      g.message += " and " + std::to_string(g.blocking.size() - 5) + " more";
  }
  return g;
}

FindingDiff DiffFindings(const std::vector<Finding>& previous,
                         const std::vector<Finding>& current) {
  auto key = [](const Finding& f) { return f.id + "\n" + f.package; };
  std::set<std::string> before, after;
  for (const Finding& f : previous) before.insert(key(f));
  for (const Finding& f : current) after.insert(key(f));
  FindingDiff d;
  for (const Finding& f : current) {
    if (!before.count(key(f))) d.added.push_back(f);
  }
  for (const Finding& f : previous) {
    if (!after.count(key(f))) d.fixed.push_back(f);
  }
  return d;
}

}  // namespace slipway::insight
