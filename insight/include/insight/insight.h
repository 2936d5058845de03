// The one call the rest of Slipway makes: read an image from the local engine (or from a saved
// archive), analyse its size, list its packages and, given an OSV database, scan them.
//
//   insight::InsightOptions options;
//   options.osv_database = "/var/lib/slipway/osv";   // optional
//   Result<insight::ImageReport> r = insight::AnalyzeLocalImage("shop:runtime", options);
//   if (r.ok()) Store(insight::ToJson(*r), insight::CycloneDxSbom(*r));
//
// Thread-safety: independent calls may run on different threads.
#pragma once

#include <string>

#include "common/status.h"
#include "insight/image.h"
#include "insight/report.h"

namespace slipway::insight {

struct InsightOptions {
  std::string osv_database;  // empty: no vulnerability scan
  size_t top_n = 10;         // entries in the wasted / largest lists
};

// The report for an image already read.
Result<ImageReport> BuildReport(const Image& image, const std::string& image_ref,
                                const InsightOptions& options);
// `docker save image_ref`, streamed, then BuildReport.
Result<ImageReport> AnalyzeLocalImage(const std::string& image_ref, const InsightOptions& options);
// A `docker save -o` archive on disk, then BuildReport.
Result<ImageReport> AnalyzeImageArchive(const std::string& archive_path,
                                        const InsightOptions& options);

}  // namespace slipway::insight
