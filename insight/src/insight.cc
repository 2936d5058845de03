// Reading, analysis, packages and the OSV scan chained into one report (see insight.h).
#include "insight/insight.h"

#include "insight/docker_save.h"
#include "insight/osv.h"

namespace slipway::insight {

Result<ImageReport> BuildReport(const Image& image, const std::string& image_ref,
                                const InsightOptions& options) {
  ImageReport report;
  report.image_ref = image_ref;
  report.analysis = Analyze(image, options.top_n);
  report.inventory = ExtractPackages(image);
  if (!options.osv_database.empty()) {
    Result<std::vector<Finding>> findings = ScanWithOsv(options.osv_database, report.inventory);
    if (!findings.ok()) return findings.status().Annotate("scanning with OSV");
    report.vulnerabilities = std::move(*findings);
  }
  return report;
}

Result<ImageReport> AnalyzeLocalImage(const std::string& image_ref, const InsightOptions& options) {
  Result<Image> image = ReadImageFromDocker(image_ref);
  if (!image.ok()) return image.status();
  return BuildReport(*image, image_ref, options);
}

Result<ImageReport> AnalyzeImageArchive(const std::string& archive_path,
                                        const InsightOptions& options) {
  Result<Image> image = ReadImageArchiveFile(archive_path);
  if (!image.ok()) return image.status().Annotate(archive_path);
  std::string ref = image->repo_tags.empty() ? archive_path : image->repo_tags.front();
  return BuildReport(*image, ref, options);
}

}  // namespace slipway::insight
