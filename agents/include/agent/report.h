// The JSON bodies the agent sends for steps and finish (docs/agent-protocol.md).
//
// Pure. Thread-safety: plain functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/buildx_runner.h"
#include "agent/image_inspector.h"
#include "agent/progress_parser.h"

namespace slipway::agent {

// A base image of the job's target and the digest it had when the build finished.
struct BaseImage {
  std::string ref;     // as the Dockerfile names it, e.g. "busybox:1.36"
  std::string digest;  // "sha256:..."
  std::string source;  // "engine" or "registry" (common/image_ref.h)
};

struct FinishReport {
  std::string status;  // success failure canceled error
  long long duration_ms = 0;
  std::string error;
  std::string failed_step;
  std::vector<std::string> log_tail;
  std::optional<ImageInfo> image;
  CacheCount cache;
  std::optional<nlohmann::json> insight;  // the image's insight report (image_examiner.h)
  std::optional<nlohmann::json> scans;    // external scanners' findings
  std::vector<BaseImage> bases;  // sent as "bases": [{ref, digest, source}], empty when none resolved
};

// {"steps": [{index, digest, name, cached, started_ms, completed_ms, duration_ms, error}, ...]}
nlohmann::json StepsJson(const std::vector<BuildStep>& steps);
nlohmann::json FinishJson(const FinishReport& report);

// The finish report for a build outcome: failure with failed_step and log_tail, canceled, or success.
FinishReport ReportFromOutcome(const BuildOutcome& outcome);

}  // namespace slipway::agent
