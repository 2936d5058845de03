// ImageReviewer: what the server concludes from a freshly built image's insight report, before the
// job's status is recorded:
//   - the vulnerabilities: the built-in OSV scanner over the report's packages (when the server's
//     scan config has `osv`) and the findings agents sent (Trivy, Grype);
//   - the comparison with the previous successful build of the stage on the same branch, and on
//     the default branch;
//   - the stage's `budget` and `scan` policy: each broken limit is a failure, with the numbers.
// The report and the scans are stored per image digest (facts about the content, kept even if the
// job's finish is then refused); the summary is returned for the job's result.
//
// Thread-safety: Review may be called from any thread (the store serialises its writes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "core/config.h"
#include "insight/findings.h"
#include "insight/osv.h"
#include "insight/packages.h"
#include "pipelines/job_spec.h"
#include "store/database.h"

namespace slipway::core {

struct ReviewSubject {
  int64_t repo_id = 0;
  std::string stage;  // the job's name: one history per stage and matrix combination
  std::string branch;
  std::string default_branch;
  std::string digest;
  pipelines::Budget budget;
  pipelines::ScanPolicy scan;
  std::optional<int64_t> ratio_of_bytes;  // budget.max_ratio_of: that stage's image size in this run
};

struct ReviewOutcome {
  // {digest, size_bytes, efficiency, wasted_bytes, layers, packages, os, vulnerabilities: {critical,
  //  high, medium, low, unknown}, scanners: [{scanner, findings | error}], not_scanned? (why no
  //  scanner gave an answer: then the counts say nothing), previous: {branch?,
  //  default_branch?}, budget?, scan_gate?, new_findings, fixed_findings, warnings}
  nlohmann::json summary;
  std::vector<std::string> failures;  // broken budgets and blocking findings, one message each
};

class ImageReviewer {
 public:
  ImageReviewer(const ScanConfig& config, store::Database& db)
      : config_(config), db_(db), osv_(config.osv_database) {}

  // report: the agent's insight report (insight::ToJson form); agent_scans: [{scanner, findings} or
  // {scanner, error}]. InvalidArgument when the report cannot be read, whatever it holds (an
  // exception from reading agent-sent JSON stops here).
  Result<ReviewOutcome> Review(const ReviewSubject& subject, const nlohmann::json& report,
                               const nlohmann::json& agent_scans, int64_t now_ms);

  // Scans the packages with the OSV database and stores the scan under `digest`; returns the
  // findings. Used by Review, and to scan stored images again when the database changes.
  Result<std::vector<insight::Finding>> ScanWithOsv(const std::string& digest,
                                                    const insight::PackageInventory& inventory,
                                                    int64_t now_ms);

 private:
  Result<ReviewOutcome> ReviewUnguarded(const ReviewSubject& subject, const nlohmann::json& report,
                                        const nlohmann::json& agent_scans, int64_t now_ms);
  // The image's vulnerabilities from every scanner, each scan stored; *scanners gets each one's
  // count or error.
  Result<std::vector<insight::Finding>> ScanImage(const ReviewSubject& subject, const insight::PackageInventory& inventory,
                                                  const nlohmann::json& agent_scans, int64_t now_ms,
                                                  nlohmann::json* scanners);

  const ScanConfig& config_;
  store::Database& db_;
  insight::OsvIndexCache osv_;  // the database, read once and again when it changes
};

// "YYYY-MM-DD" (UTC) of a time in milliseconds since the epoch.
std::string UtcDate(int64_t ms);

}  // namespace slipway::core
