#include "core/image_review.h"

#include <ctime>
#include <optional>

#include "common/json_text.h"
#include "common/log.h"
#include "core/image_details.h"
#include "insight/compare.h"
#include "insight/osv.h"
#include "insight/report.h"
#include "store/image_store.h"
#include "store/scan_store.h"

namespace slipway::core {
namespace {

using nlohmann::json;

json Ids(const std::vector<insight::Finding>& findings) {
  json out = json::array();
  for (const auto& f : findings) out.push_back(f.id + " (" + f.package + ")");
  return out;
}

store::ScanRecord ScanRecordOf(const std::string& digest, const std::string& scanner,
                               const std::vector<insight::Finding>& findings, int64_t now) {
  store::ScanRecord r;
  r.image_digest = digest;
  r.scanner = scanner;
  r.finished_at = now;
  r.summary_json = JsonText(insight::SeverityCounts(findings));
  r.findings_json = JsonText(insight::ToJson(findings));
  return r;
}

// The previous successful build of the stage on `branch`, compared with the current analysis.
struct Previous {
  store::ImageRecord record;
  std::optional<insight::Analysis> analysis;
  json view;
};
std::optional<Previous> FindPrevious(store::Database& db, const ReviewSubject& subject, const std::string& branch,
                                     const insight::Analysis& current) {
  auto record = store::ImageStore(db).LastGood(subject.repo_id, subject.stage, branch);
  if (!record.ok()) return std::nullopt;
  auto report = StoredReport(db, record->digest);
  Previous p{*record, std::nullopt, json::object()};
  if (report.ok()) p.analysis = std::move(report->analysis);
  p.view = {{"branch", branch}, {"digest", record->digest}, {"sha", record->sha}};
  if (record->job_id) p.view["job_id"] = *record->job_id;
  if (p.analysis) {
    json comparison = insight::ToJson(insight::CompareAnalyses(*p.analysis, current));
    p.view.update(comparison);
  } else {
    p.view["note"] = "that build has no analysis to compare with";
  }
  return p;
}

insight::Budget BudgetOf(const pipelines::Budget& b) {
  insight::Budget out;
  if (b.max_size_bytes) out.max_size_bytes = static_cast<uint64_t>(*b.max_size_bytes);
  out.max_growth_percent = b.max_growth_percent;
  out.min_efficiency = b.min_efficiency;
  out.max_ratio_percent = b.max_ratio_percent;
  out.ratio_of = b.ratio_of_stage;
  return out;
}

json BudgetJson(const pipelines::Budget& b) {
  json out = json::object();
  if (b.max_size_bytes) out["max_size_bytes"] = *b.max_size_bytes;
  if (b.max_growth_percent) out["max_growth_percent"] = *b.max_growth_percent;
  if (b.min_efficiency) out["min_efficiency"] = *b.min_efficiency;
  if (b.max_ratio_percent) out["max_ratio_of"] = {{"stage", b.ratio_of_stage}, {"percent", *b.max_ratio_percent}};
  return out;
}

insight::ScanPolicy PolicyOf(const pipelines::ScanPolicy& p) {
  insight::ScanPolicy out;
  if (!p.fail_on.empty()) out.fail_on = insight::ParseSeverity(p.fail_on);
  for (const auto& i : p.ignore) out.ignore.push_back({i.id, i.until, i.reason});
  return out;
}

// Why no scanner answered for the image ("" when one did): the counts then mean nothing.
std::string NotScannedReason(const json& scanners) {
  if (scanners.empty()) return "no scanner configured on the server: see scan.scanners";
  std::string errors;
  for (const json& s : scanners) {
    if (!s.contains("error")) return "";
    errors += (errors.empty() ? "" : "; ") + s.value("scanner", "") + ": " + s.value("error", "");
  }
  return errors;
}

}  // namespace

std::string UtcDate(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

namespace {

// Comparison with the previous builds, on the branch and on the default branch, added to
// *summary; the previous build on the branch, if any.
std::optional<Previous> AddComparison(store::Database& db, const ReviewSubject& subject,
                                      const insight::Analysis& current, const std::vector<insight::Finding>& findings,
                                      json* summary) {
  (*summary)["previous"] = json::object();
  auto on_branch = FindPrevious(db, subject, subject.branch, current);
  if (on_branch) (*summary)["previous"]["branch"] = on_branch->view;
  if (!subject.default_branch.empty() && subject.default_branch != subject.branch) {
    if (auto on_default = FindPrevious(db, subject, subject.default_branch, current)) {
      (*summary)["previous"]["default_branch"] = on_default->view;
    }
  }
  auto diff = insight::DiffFindings(on_branch ? StoredFindings(db, on_branch->record.digest)
                                              : std::vector<insight::Finding>{},
                                    findings);
  (*summary)["new_findings"] = on_branch ? Ids(diff.added) : json::array();
  (*summary)["fixed_findings"] = on_branch ? Ids(diff.fixed) : json::array();
  return on_branch;
}

// The stage's budget, checked against the previous build on the branch (when there is one).
void AddBudget(const ReviewSubject& subject, const insight::Analysis& current, const insight::Analysis* previous,
               ReviewOutcome* out, json* warnings) {
  json budget = BudgetJson(subject.budget);
  if (!budget.empty()) {
    if (subject.budget.max_growth_percent && !previous) {
      warnings->push_back("budget.max_growth not checked: no earlier analysed build of this stage on " + subject.branch);
    }
    if (subject.budget.max_ratio_percent && !subject.ratio_of_bytes) {
      warnings->push_back("budget.max_ratio_of not checked: stage " + subject.budget.ratio_of_stage +
                          " has no image in this run");
    }
    insight::Budget limits = BudgetOf(subject.budget);
    if (subject.ratio_of_bytes) limits.ratio_of_bytes = static_cast<uint64_t>(*subject.ratio_of_bytes);
    auto broken = insight::CheckBudget(limits, current, previous);
    budget["broken"] = broken;
    for (const auto& message : broken) out->failures.push_back("budget: " + message);
    out->summary["budget"] = budget;
  }
}

// The stage's scan policy.
void AddScanGate(const ReviewSubject& subject, const std::vector<insight::Finding>& findings, const json& scanners,
                 int64_t now_ms, ReviewOutcome* out, json* warnings) {
  if (!subject.scan.fail_on.empty() || !subject.scan.ignore.empty()) {
    auto gate = insight::GateFindings(findings, PolicyOf(subject.scan), UtcDate(now_ms));
    out->summary["scan_gate"] = {{"fail_on", subject.scan.fail_on.empty() ? "none" : subject.scan.fail_on},
                                 {"blocking", Ids(gate.blocking)},
                                 {"ignored", Ids(gate.ignored)}};
    if (gate.failed) out->failures.push_back("scan: " + gate.message);
    if (!subject.scan.fail_on.empty() && scanners.empty()) {
      warnings->push_back("scan.fail_on is set, but the server runs no scanner (scan.scanners in its config)");
    }
  }
}

}  // namespace

Result<std::vector<insight::Finding>> ImageReviewer::ScanWithOsv(const std::string& digest,
                                                                 const insight::PackageInventory& inventory,
                                                                 int64_t now_ms) {
  // The version first: data that changes during the scan is then scanned again later.
  auto index = osv_.Current();
  if (!index.ok()) return index.status();
  std::vector<insight::Finding> findings = (*index)->Scan(inventory);
  store::ScanRecord record = ScanRecordOf(digest, "osv", findings, now_ms);
  record.data_version = (*index)->version();
  if (auto stored = store::ScanStore(db_).Record(record); !stored.ok()) return stored.status();
  return findings;
}

Result<ReviewOutcome> ImageReviewer::Review(const ReviewSubject& subject, const json& report_json,
                                            const json& agent_scans, int64_t now_ms) {
  try {
    return ReviewUnguarded(subject, report_json, agent_scans, now_ms);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("the image report could not be read: ") + e.what());
  }
}

Result<ReviewOutcome> ImageReviewer::ReviewUnguarded(const ReviewSubject& subject, const json& report_json,
                                                     const json& agent_scans, int64_t now_ms) {
  auto report = insight::ReportFromJson(report_json);
  if (!report.ok()) return report.status().Annotate("insight report");
  const insight::Analysis& current = report->analysis;
  if (Status s = store::ImageStore(db_).SaveReport(subject.digest, JsonText(report_json), now_ms); !s.ok()) return s;

  ReviewOutcome out;
  json& summary = out.summary;
  json warnings = json::array();
  summary = {{"digest", subject.digest},
             {"size_bytes", current.size_bytes},
             {"efficiency", current.efficiency},
             {"wasted_bytes", current.wasted_bytes},
             {"layers", current.layers.size()},
             {"packages", report->inventory.packages.size()},
             {"os", report->inventory.os.pretty_name}};
  if (current.compressed_size_bytes) summary["compressed_size_bytes"] = *current.compressed_size_bytes;

  json scanners = json::array();
  auto findings = ScanImage(subject, report->inventory, agent_scans, now_ms, &scanners);
  if (!findings.ok()) return findings.status();
  summary["scanners"] = scanners;
  summary["vulnerabilities"] = insight::SeverityCounts(*findings);
  if (std::string why = NotScannedReason(scanners); !why.empty()) summary["not_scanned"] = why;

  auto on_branch = AddComparison(db_, subject, current, *findings, &summary);
  const insight::Analysis* previous = on_branch && on_branch->analysis ? &*on_branch->analysis : nullptr;
  AddBudget(subject, current, previous, &out, &warnings);
  AddScanGate(subject, *findings, scanners, now_ms, &out, &warnings);
  summary["warnings"] = warnings;
  return out;
}

// Vulnerabilities: the server's OSV scan, then what the agent's scanners found; each scanner's
// count or error is added to *scanners.
Result<std::vector<insight::Finding>> ImageReviewer::ScanImage(const ReviewSubject& subject,
                                                               const insight::PackageInventory& inventory,
                                                               const json& agent_scans, int64_t now_ms,
                                                               json* scanners) {
  std::vector<insight::Finding> findings;
  if (config_.Uses("osv")) {
    auto osv = ScanWithOsv(subject.digest, inventory, now_ms);
    if (osv.ok()) {
      scanners->push_back({{"scanner", "osv"}, {"findings", osv->size()}});
      findings.insert(findings.end(), osv->begin(), osv->end());
    } else {
      scanners->push_back({{"scanner", "osv"}, {"error", osv.status().message()}});
      LogWarn("osv scan failed", {{"digest", subject.digest}, {"error", osv.status().ToString()}});
    }
  }
  for (const auto& scan : agent_scans.is_array() ? agent_scans : json::array()) {
    std::string scanner = scan.is_object() ? scan.value("scanner", "") : "";
    if (scanner != "trivy" && scanner != "grype") continue;  // only the scanners agents are asked for
    if (scan.contains("error")) {
      scanners->push_back({{"scanner", scanner}, {"error", scan.value("error", "")}});
      continue;
    }
    std::vector<insight::Finding> found;
    for (const auto& j : scan.value("findings", json::array())) {
      auto f = insight::FindingFromJson(j);
      if (!f.ok()) return f.status().Annotate(scanner + " finding");
      found.push_back(std::move(*f));
    }
    if (auto stored = store::ScanStore(db_).Record(ScanRecordOf(subject.digest, scanner, found, now_ms)); !stored.ok()) {
      return stored.status();
    }
    scanners->push_back({{"scanner", scanner}, {"findings", found.size()}});
    findings.insert(findings.end(), found.begin(), found.end());
  }
  insight::SortFindings(&findings);
  return findings;
}

}  // namespace slipway::core
