#include "agent/image_examiner.h"

#include <chrono>

#include "insight/external_scanners.h"
#include "insight/insight.h"
#include "insight/report.h"

namespace slipway::agent {

std::optional<nlohmann::json> ImageExaminer::Cached(const std::string& digest) {
  std::lock_guard lock(mu_);
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (it->first != digest) continue;
    cache_.splice(cache_.begin(), cache_, it);
    return cache_.front().second;
  }
  return std::nullopt;
}

void ImageExaminer::Keep(const std::string& digest, const nlohmann::json& report) {
  std::lock_guard lock(mu_);
  cache_.emplace_front(digest, report);
  while (cache_.size() > capacity_) cache_.pop_back();
}

Examination ImageExaminer::Examine(const std::string& image_ref, const std::string& digest,
                                   const std::vector<std::string>& scanners) {
  Examination out;
  auto started = std::chrono::steady_clock::now();
  out.report = digest.empty() ? std::nullopt : Cached(digest);
  if (out.report) {
    out.log_lines.push_back("slipway: image " + digest + " analysed before; report reused");
  } else {
    auto report = insight::AnalyzeLocalImage(image_ref, {});
    if (report.ok()) {
      out.report = insight::ToJson(*report);
      out.report->erase("vulnerabilities");
      out.report->erase("severity_counts");
      if (!digest.empty()) Keep(digest, *out.report);
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      out.log_lines.push_back("slipway: image analysed in " + std::to_string(ms.count()) + " ms: " +
                              std::to_string(report->analysis.layers.size()) + " layers, " +
                              std::to_string(report->inventory.packages.size()) + " packages");
    } else {
      out.log_lines.push_back("slipway: image analysis failed: " + report.status().message());
    }
  }
  for (const auto& scanner : scanners) {
    Result<std::vector<insight::Finding>> findings = Status::InvalidArgument("unknown scanner '" + scanner + "'");
    if (scanner == "trivy") findings = insight::RunTrivy(image_ref);
    if (scanner == "grype") findings = insight::RunGrype(image_ref);
    if (!findings.ok()) {
      out.scans.push_back({{"scanner", scanner}, {"error", findings.status().message()}});
      out.log_lines.push_back("slipway: " + scanner + " scan not done: " + findings.status().message());
      continue;
    }
    out.scans.push_back({{"scanner", scanner}, {"findings", insight::ToJson(*findings)}});
    out.log_lines.push_back("slipway: " + scanner + " found " + std::to_string(findings->size()) + " vulnerabilities");
  }
  return out;
}

}  // namespace slipway::agent
