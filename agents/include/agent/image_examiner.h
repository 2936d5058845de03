// ImageExaminer: what the agent learns from an image it has just built, for the finish report:
//   - the insight report (insight::AnalyzeLocalImage over `docker save`: sizes, layers, waste,
//     packages), without vulnerabilities: the server scans the packages with its OSV data;
//   - the findings of Trivy or Grype, when the lease names them and they are installed here (they
//     need the image, which only the agent has).
// Reports are kept by image digest: a fully cached rebuild makes the same image again, and its
// analysis is not repeated.
//
// Thread-safety: Examine may be called from several job threads at once.
#pragma once

#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::agent {

struct Examination {
  std::optional<nlohmann::json> report;  // insight::ToJson form; none when the analysis failed
  nlohmann::json scans = nlohmann::json::array();  // [{scanner, findings: [...]} or {scanner, error}]
  std::vector<std::string> log_lines;    // "slipway: ..." lines for the job's log
};

class ImageExaminer {
 public:
  explicit ImageExaminer(size_t cached_reports = 32) : capacity_(cached_reports) {}

  // REQUIRES: image_ref names an image in the local engine; digest is its digest ("" if unknown).
  Examination Examine(const std::string& image_ref, const std::string& digest,
                      const std::vector<std::string>& scanners);

 private:
  std::optional<nlohmann::json> Cached(const std::string& digest);
  void Keep(const std::string& digest, const nlohmann::json& report);

  const size_t capacity_;
  std::mutex mu_;
  std::list<std::pair<std::string, nlohmann::json>> cache_;  // GUARDED_BY(mu_), most recent first
};

}  // namespace slipway::agent
