// What the server knows of a built image, read back from the store: its latest findings, its
// insight report, the whole analysis as `GET /api/v1/images/{digest}` serves it, and its SBOM.
//
// Thread-safety: plain functions over the store, callable from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "insight/findings.h"
#include "insight/report.h"
#include "store/database.h"
#include "store/image_store.h"

namespace slipway::core {

// The findings of the digest's latest scan by each scanner, merged and sorted.
std::vector<insight::Finding> StoredFindings(store::Database& db, const std::string& digest);
// The insight report stored for the digest; NotFound when the agent sent none.
Result<insight::ImageReport> StoredReport(store::Database& db, const std::string& digest);

// The image view (views.h) plus "analysis" (the insight report, null when none), "vulnerabilities"
// (merged findings), "scans" ([{scanner, finished_at, data_version, counts}]) and "insight" (the
// latest build's review summary, null when none).
nlohmann::json ImageDetailView(store::Database& db, const store::ImageRecord& image);

// The CycloneDX 1.5 SBOM of the digest, from its stored report.
Result<nlohmann::json> ImageSbom(store::Database& db, const std::string& digest);

}  // namespace slipway::core
