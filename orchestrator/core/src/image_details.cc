#include "core/image_details.h"

#include "core/views.h"
#include "store/job_store.h"
#include "store/scan_store.h"

namespace slipway::core {

using nlohmann::json;

std::vector<insight::Finding> StoredFindings(store::Database& db, const std::string& digest) {
  std::vector<insight::Finding> out;
  auto scans = store::ScanStore(db).LatestEach(digest);
  if (!scans.ok()) return out;
  for (const auto& scan : *scans) {
    json list = json::parse(scan.findings_json, nullptr, false);
    if (!list.is_array()) continue;
    for (const auto& j : list) {
      if (auto f = insight::FindingFromJson(j); f.ok()) out.push_back(std::move(*f));
    }
  }
  insight::SortFindings(&out);
  return out;
}

Result<insight::ImageReport> StoredReport(store::Database& db, const std::string& digest) {
  auto text = store::ImageStore(db).Report(digest);
  if (!text.ok()) return text.status();
  auto report = insight::ReportFromJson(json::parse(*text, nullptr, false));
  if (!report.ok()) return report.status().Annotate("stored report of " + digest);
  return report;
}

json ImageDetailView(store::Database& db, const store::ImageRecord& image) {
  json out = ImageView(image);
  auto report = store::ImageStore(db).Report(image.digest);
  out["analysis"] = report.ok() ? json::parse(*report, nullptr, false) : json();
  out["vulnerabilities"] = insight::ToJson(StoredFindings(db, image.digest));
  out["scans"] = json::array();
  if (auto scans = store::ScanStore(db).LatestEach(image.digest); scans.ok()) {
    for (const auto& s : *scans) {
      out["scans"].push_back({{"scanner", s.scanner},
                              {"finished_at", s.finished_at},
                              {"data_version", s.data_version},
                              {"counts", json::parse(s.summary_json, nullptr, false)}});
    }
  }
  out["insight"] = json();
  if (image.job_id) {
    auto job = store::JobStore(db).Get(*image.job_id);
    if (job.ok() && job->result_json) {
      json result = json::parse(*job->result_json, nullptr, false);
      if (result.is_object() && result.contains("insight")) out["insight"] = result["insight"];
    }
  }
  return out;
}

Result<json> ImageSbom(store::Database& db, const std::string& digest) {
  auto report = StoredReport(db, digest);
  if (!report.ok()) return report.status();
  auto image = store::ImageStore(db).Get(digest);
  if (image.ok() && !image->ref.empty()) report->image_ref = image->ref;
  return insight::CycloneDxSbom(*report);
}

}  // namespace slipway::core
