#include "agent/report.h"

namespace slipway::agent {

protocol::StepsReport StepsOf(const std::vector<BuildStep>& steps) {
  protocol::StepsReport out;
  for (const auto& s : steps) {
    out.steps.push_back({s.index, s.digest, s.name, s.cached, s.started_ms, s.completed_ms, s.duration_ms, s.error});
  }
  return out;
}

protocol::ImageFacts ImageFactsOf(const ImageInfo& im) {
  protocol::ImageFacts out{im.ref, im.digest, im.config_digest, im.size_bytes, std::nullopt, {}};
  if (im.compressed_size_bytes) out.compressed_size_bytes = *im.compressed_size_bytes;
  for (const auto& l : im.layers) {
    protocol::LayerFacts layer{l.digest, l.size_bytes, std::nullopt, l.instruction};
    if (l.compressed_size_bytes) layer.compressed_size_bytes = *l.compressed_size_bytes;
    out.layers.push_back(std::move(layer));
  }
  return out;
}

FinishReport ReportFromOutcome(const BuildOutcome& o) {
  FinishReport r;
  r.duration_ms = o.duration_ms;
  r.cache = o.cache;
  if (o.canceled) {
    r.status = JobStatus::kCanceled;
    r.error = o.error;
  } else if (o.exit_code != 0 || o.timed_out) {
    r.status = JobStatus::kFailure;
    r.error = o.error;
    r.failed_step = o.failed_step;
    r.log_tail = o.log_tail;
  } else {
    r.status = JobStatus::kSuccess;
  }
  return r;
}

}  // namespace slipway::agent
