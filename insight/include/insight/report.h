// The whole insight of one image: size analysis, packages, findings, and their JSON forms (the
// shape `slipway analyze --json` prints and the API serves), plus a CycloneDX 1.5 SBOM.
//
// Thread-safety: pure functions over values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "insight/analysis.h"
#include "insight/compare.h"
#include "insight/findings.h"
#include "insight/packages.h"

namespace slipway::insight {

struct ImageReport {
  std::string image_ref;  // as the user named it (may be empty)
  Analysis analysis;
  PackageInventory inventory;
  std::vector<Finding> vulnerabilities;
};

// {"image", "id", "size_bytes", "compressed_size_bytes" (only when known), "efficiency",
//  "wasted_bytes", "layers": [{diff_id, created_by, size_bytes, compressed_size_bytes?, files,
//  whiteouts}], "wasted": [...], "largest_files": [...], "largest_dirs": [...],
//  "os": {id, version_id, pretty_name}, "packages": [{type, name, version, source_name?,
//  source_version?, purl, location}], "vulnerabilities": [{id, aliases, package,
//  installed_version, fixed_version, severity, source}], "severity_counts": {...}}
nlohmann::json ToJson(const ImageReport& report);
nlohmann::json ToJson(const Analysis& analysis);
nlohmann::json ToJson(const Package& package, const OsRelease& os);
nlohmann::json ToJson(const Finding& finding);
nlohmann::json ToJson(const std::vector<Finding>& findings);
// {"critical": N, "high": N, "medium": N, "low": N, "unknown": N}
nlohmann::json SeverityCounts(const std::vector<Finding>& findings);
// {"size_delta_bytes", "size_delta_percent", "layers": [{change, created_by, before_bytes,
// after_bytes}]}
nlohmann::json ToJson(const Comparison& comparison);

// The package URL of a package: pkg:deb/debian/NAME@VERSION?arch=..&distro=debian-12, pkg:apk/...,
// pkg:pypi/NAME@VERSION.
std::string PackageUrl(const Package& package, const OsRelease& os);

// The inverse of ToJson(ImageReport) (and of ToJson(Finding)), for reports stored or sent as
// JSON: InvalidArgument naming the first field that is missing or of the wrong type.
Result<ImageReport> ReportFromJson(const nlohmann::json& j);
Result<Finding> FindingFromJson(const nlohmann::json& j);

// A CycloneDX 1.5 JSON SBOM: the image as metadata.component, the OS and every package as
// components.
nlohmann::json CycloneDxSbom(const ImageReport& report);

}  // namespace slipway::insight
