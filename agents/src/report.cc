#include "agent/report.h"

#include <nlohmann/json.hpp>

namespace slipway::agent {

nlohmann::json StepsJson(const std::vector<BuildStep>& steps) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : steps) {
    list.push_back({{"index", s.index},
                    {"digest", s.digest},
                    {"name", s.name},
                    {"cached", s.cached},
                    {"started_ms", s.started_ms},
                    {"completed_ms", s.completed_ms},
                    {"duration_ms", s.duration_ms},
                    {"error", s.error}});
  }
  return {{"steps", list}};
}

nlohmann::json FinishJson(const FinishReport& r) {
  nlohmann::json j = {{"status", r.status},
                      {"duration_ms", r.duration_ms},
                      {"error", r.error},
                      {"failed_step", r.failed_step},
                      {"log_tail", r.log_tail},
                      {"cache", {{"steps", r.cache.steps}, {"cached", r.cache.cached}}},
                      {"bases", nlohmann::json::array()}};
  for (const BaseImage& b : r.bases) {
    j["bases"].push_back({{"ref", b.ref}, {"digest", b.digest}, {"source", b.source}});
  }
  if (r.image) {
    const ImageInfo& im = *r.image;
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : im.layers) {
      nlohmann::json layer = {{"digest", l.digest}, {"size_bytes", l.size_bytes}, {"instruction", l.instruction}};
      if (l.compressed_size_bytes) layer["compressed_size_bytes"] = *l.compressed_size_bytes;
      layers.push_back(std::move(layer));
    }
    nlohmann::json image = {{"ref", im.ref},
                            {"digest", im.digest},
                            {"config_digest", im.config_digest},
                            {"size_bytes", im.size_bytes},
                            {"layers", layers}};
    if (im.compressed_size_bytes) image["compressed_size_bytes"] = *im.compressed_size_bytes;
    j["image"] = std::move(image);
  }
  if (r.insight) j["insight"] = *r.insight;
  if (r.scans) j["scans"] = *r.scans;
  return j;
}

FinishReport ReportFromOutcome(const BuildOutcome& o) {
  FinishReport r;
  r.duration_ms = o.duration_ms;
  r.cache = o.cache;
  if (o.canceled) {
    r.status = "canceled";
    r.error = o.error;
  } else if (o.exit_code != 0) {
    r.status = "failure";
    r.error = o.error;
    r.failed_step = o.failed_step;
    r.log_tail = o.log_tail;
  } else {
    r.status = "success";
  }
  return r;
}

}  // namespace slipway::agent
