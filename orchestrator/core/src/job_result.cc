#include "core/job_result.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace slipway::core {
namespace {

std::string JoinMessages(const std::vector<std::string>& messages) {
  std::string out;
  for (const auto& m : messages) out += (out.empty() ? "" : "; ") + m;
  return out;
}

store::ImageRecord ImageRecordOf(const protocol::ImageFacts& image, const store::Run& run, const store::Job& job,
                                 int64_t now_ms) {
  store::ImageRecord record;
  record.digest = image.digest;
  record.repo_id = run.repo_id;
  record.job_id = job.id;
  record.stage = job.name;
  record.branch = run.branch;
  record.sha = run.sha;
  record.ref = image.ref;
  record.size_bytes = image.size_bytes;
  record.compressed_size_bytes = image.compressed_size_bytes;
  record.created_at = now_ms;
  for (const auto& l : image.layers) {
    record.layers.push_back({.index = static_cast<int>(record.layers.size()),
                             .digest = l.digest,
                             .size_bytes = l.size_bytes,
                             .compressed_size_bytes = l.compressed_size_bytes,
                             .instruction = l.instruction});
  }
  return record;
}

bool FailedByReview(const store::Job& job) {
  if (!job.result_json) return false;
  auto result = nlohmann::json::parse(*job.result_json, nullptr, false);
  if (!result.is_object() || !result.contains("insight") || !result["insight"].is_object()) return false;
  auto failures = result["insight"].value("failures", nlohmann::json::array());
  return failures.is_array() && !failures.empty();
}

// The reported bases that the job's own spec names: an agent cannot make the server record (and
// later look up) an image its job was never asked to build from.
std::vector<protocol::BaseImage> BasesNamedBySpec(const std::vector<protocol::BaseImage>& reported,
                                                  const store::Job& job) {
  auto spec = nlohmann::json::parse(job.spec_json, nullptr, false);
  const nlohmann::json named = spec.is_object() ? spec.value("bases", nlohmann::json::array()) : nlohmann::json::array();
  std::vector<protocol::BaseImage> kept;
  for (const auto& b : reported) {
    if (std::any_of(named.begin(), named.end(), [&](const nlohmann::json& n) { return n == b.ref; })) kept.push_back(b);
  }
  return kept;
}

}  // namespace

store::JobFinish JobFinishOf(const protocol::FinishReport& report, const std::optional<ReviewOutcome>& review,
                             const store::Run& run, const store::Job& job, const std::string& lease_id,
                             int64_t now_ms) {
  store::JobFinish f{.job_id = job.id,
                     .lease_id = lease_id,
                     .status = report.status,
                     .result_json = "",
                     .error = report.error,
                     .finished_at = now_ms,
                     .duration_ms = report.duration_ms};
  if (review && !review->failures.empty()) {
    f.status = JobStatus::kFailure;
    f.error = JoinMessages(review->failures);
  }
  nlohmann::json result = {{"cache", report.cache},
                           {"failed_step", report.failed_step},
                           {"log_tail", report.log_tail},
                           {"duration_ms", report.duration_ms}};
  if (report.image) result["image"] = *report.image;
  if (review) {
    result["insight"] = review->summary;
    result["insight"]["failures"] = review->failures;
  }
  const std::vector<protocol::BaseImage> bases = BasesNamedBySpec(report.bases, job);
  if (!bases.empty()) result["bases"] = bases;
  f.result_json = protocol::ToBody(result);
  if (report.status == JobStatus::kSuccess && report.image) f.image = ImageRecordOf(*report.image, run, job, now_ms);
  if (f.status == JobStatus::kSuccess) {
    for (const auto& b : bases) f.bases.push_back({b.ref, b.digest, b.source});
  }
  return f;
}

bool IsRetriedFinish(const store::Job& job, JobStatus reported) {
  if (job.status == reported) return true;
  return reported == JobStatus::kSuccess && job.status == JobStatus::kFailure && FailedByReview(job);
}

}  // namespace slipway::core
