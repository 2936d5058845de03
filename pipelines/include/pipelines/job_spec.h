// JobSpec: the compiled, self-contained description of one build job, as an agent receives it.
//
// The planner makes one JobSpec per (stage × matrix combination); the agent turns it into one
// `docker buildx build` invocation. Paths are relative to the repository root and have been
// checked to stay inside it. Serialised as JSON on the wire (ToJson/FromJson round-trip).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace slipway::pipelines {

// Size and efficiency limits a stage's image must keep (issue: image insight).
struct Budget {
  std::optional<long long> max_size_bytes;
  std::optional<double> max_growth_percent;
  std::optional<double> min_efficiency;  // 0..1
  // max_ratio_of: at most this percent of the size of another stage's image in the same run
  std::string ratio_of_stage;
  std::optional<double> max_ratio_percent;
};

struct ScanIgnore {
  std::string id;
  std::string until;   // YYYY-MM-DD, empty: forever
  std::string reason;
};

struct ScanPolicy {
  std::string fail_on;  // "", "low", "medium", "high", "critical"
  std::vector<ScanIgnore> ignore;
};

// A secret the build reads with `RUN --mount=type=secret,id=<id>`, taken from the repository's (or
// the server's) secret `from`. env: handed to buildx in an environment variable instead of a file.
struct BuildSecretRef {
  std::string id;
  std::string from;
  bool env = false;
  bool operator==(const BuildSecretRef&) const = default;
};

// An SSH key the build uses with `RUN --mount=type=ssh[,id=<id>]`, from the secret `from`.
struct SshKeyRef {
  std::string id;
  std::string from;
  bool operator==(const SshKeyRef&) const = default;
};

struct JobSpec {
  std::string name;        // unique in the run: the stage key, plus a matrix suffix
  std::string stage;       // the stage key in .slipway.yml (or the Dockerfile stage name)
  std::string context = ".";            // build context, relative to the repo root
  std::string dockerfile = "Dockerfile";  // relative to the repo root
  std::string target;                   // the Dockerfile stage to build (--target)
  std::vector<std::pair<std::string, std::string>> build_args;  // in order, matrix values included
  std::map<std::string, std::string> matrix;  // this job's matrix combination
  std::vector<std::string> platforms;   // e.g. linux/amd64; empty: the engine's own
  std::vector<std::string> tags;        // full references, e.g. 127.0.0.1:5000/shop:main
  bool push = false;                    // push to the registry (else --load into the engine)
  bool pull = false;                    // --pull: ask the registry for newer bases (base-update runs too)
  std::string image;                    // repository the stage pushes to; "" when none
  std::string cache_ref;                // registry cache for this repo and stage; "" when none
  std::vector<std::string> needs;       // names of jobs in the same run that must succeed first
  std::map<std::string, std::string> labels;  // agent labels this job requires
  std::vector<std::string> bases;       // external images the target is built from (Dockerfile::BaseImages)
  // The stage's `timeout:` in seconds; 0: the server's default. In a lease: the limit the agent
  // enforces, the server's default and maximum applied.
  long long timeout_seconds = 0;
  Budget budget;
  ScanPolicy scan;
  std::vector<BuildSecretRef> secrets;  // names only: values reach the agent in its lease
  std::vector<SshKeyRef> ssh;
};

nlohmann::json ToJson(const JobSpec& spec);
Result<JobSpec> JobSpecFromJson(const nlohmann::json& j);

}  // namespace slipway::pipelines
