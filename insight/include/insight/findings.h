// The one finding model every scanner reports into (the built-in OSV scanner, Trivy, Grype), with
// severities normalised to low, medium, high, critical or unknown.
//
// Thread-safety: pure functions over values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slipway::insight {

enum class Severity { kUnknown, kLow, kMedium, kHigh, kCritical };

struct Finding {
  std::string id;  // the advisory id (CVE-..., GHSA-..., DSA-...)
  std::vector<std::string> aliases;
  std::string package;
  std::string installed_version;
  std::string fixed_version;  // empty when no fix is known
  Severity severity = Severity::kUnknown;
  std::string source;  // "osv", "trivy", "grype"
};

std::string_view SeverityName(Severity s);  // "low" ... "critical", "unknown"
// Scanner words: LOW, MODERATE/MEDIUM, HIGH/IMPORTANT, CRITICAL; NEGLIGIBLE counts as low.
Severity ParseSeverity(std::string_view word);
// From a CVSS base score: 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10 critical.
Severity SeverityFromScore(double score);
// The CVSS v3.x base score of a vector "CVSS:3.1/AV:N/AC:L/...", or a negative value if unreadable.
double CvssV3BaseScore(std::string_view vector);

// Reports written by `trivy image --format json` and `grype -o json`.
Result<std::vector<Finding>> ReadTrivyReport(std::string_view json);
Result<std::vector<Finding>> ReadGrypeReport(std::string_view json);

// Sorted by severity (critical first), then id and package; exact duplicates removed.
void SortFindings(std::vector<Finding>* findings);

}  // namespace slipway::insight
