// The agent protocol (docs/agent-protocol.md) as plain structs with one JSON codec each, written
// once for slipwayd and slipway-agent.
//
// Writing is nlohmann's to_json (`nlohmann::json j = report;`). Reading what the other side sent is
// a Read* function, which checks every field's type and bound and names the first bad one
// ("finish report: image.layers[2].digest must be \"sha256:\" and 64 hex digits"): the server reads
// what agents send with them, and the agent reads the server's answers with them. Fields may be
// absent (they keep their defaults) unless a reader says they are required; unknown fields are
// ignored, so either side may add one.
//
// Pure. Thread-safety: plain values and functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/build_status.h"
#include "common/git_auth.h"
#include "common/status.h"
#include "pipelines/job_spec.h"

namespace slipway::protocol {

// Bounds on what a reader accepts.
inline constexpr size_t kMaxNameBytes = 128;          // agent names, label keys and values, versions
inline constexpr size_t kMaxLabels = 64;
inline constexpr size_t kMaxRefBytes = 512;           // image references
inline constexpr size_t kMaxLineBytes = 64 * 1024;    // a step name, an instruction, a log-tail line
inline constexpr size_t kMaxErrorBytes = 64 * 1024;
inline constexpr size_t kMaxLogBatchBytes = 1 << 20;  // one log batch's data
inline constexpr size_t kMaxSteps = 10'000;
inline constexpr size_t kMaxLayers = 4096;
inline constexpr size_t kMaxLogTail = 1000;
inline constexpr size_t kMaxBases = 256;
inline constexpr size_t kMaxScans = 16;
inline constexpr size_t kMaxJobSecrets = 64;              // build secrets, SSH keys, registry logins: each
inline constexpr size_t kMaxSecretValueBytes = 64 * 1024;  // as the secret store keeps them
inline constexpr size_t kMaxCredentialBytes = 64 * 1024;  // each value of a lease's git_credential

// POST /api/v1/agent/lease: who asks for work.
struct LeaseRequest {
  std::string agent;
  std::map<std::string, std::string> labels;
  int capacity = 1;  // 1..256
  std::string version;
  bool operator==(const LeaseRequest&) const = default;
};

// A secret value handed to the agent for one job: a build secret (`--secret id=...`) or an SSH key
// (`--ssh id=...`), by the id the job's spec names.
struct JobSecret {
  std::string id;
  std::string value;
  bool env = false;  // build secrets: passed to buildx in an environment variable, not a file
  bool operator==(const JobSecret&) const = default;
};

// Credentials for one registry host, written to the job's own DOCKER_CONFIG.
struct RegistryLogin {
  std::string host;  // "host[:port]" as image references name it
  std::string username;
  std::string password;
  bool operator==(const RegistryLogin&) const = default;
};

// The lease an agent is granted (the "lease" object of the 200 answer).
struct LeaseOffer {
  std::string id;  // travels in URL paths: letters, digits, '-', '_', '.'
  int64_t job_id = 0;
  int64_t run_id = 0;
  int attempt = 0;
  std::string repo;
  std::string clone_url;
  std::string sha;
  std::string branch;
  int64_t renew_every_ms = 3000;
  std::vector<std::string> scanners;  // external scanners the server asks for ("trivy", "grype")
  // The registry of bases named without one ("python:3.11-slim"): the server's, so the digests the
  // agent reports are the ones its base checks compare with. Empty: Docker Hub.
  std::string upstream_registry;
  pipelines::JobSpec spec;
  // Values for this job only (docs/secrets.md); the agent keeps them in the job's own folder and
  // masks them in everything it reports.
  std::vector<JobSecret> secrets;
  std::vector<JobSecret> ssh_keys;
  std::vector<RegistryLogin> registries;
  GitCredential git_credential;  // the repository's clone credential, for this job only; empty: none
};

// The answer to a renewal.
struct RenewAnswer {
  bool cancel = false;
  bool operator==(const RenewAnswer&) const = default;
};

// POST .../log: one batch of the attempt's log; seq counts from 0.
struct LogBatch {
  int64_t seq = 0;
  std::string data;
  bool operator==(const LogBatch&) const = default;
};

// One BuildKit step, as POST .../steps lists them (the whole list each time).
struct StepReport {
  int index = 0;
  std::string digest;
  std::string name;
  bool cached = false;
  int64_t started_ms = 0;
  int64_t completed_ms = 0;
  int64_t duration_ms = 0;
  std::string error;
  bool operator==(const StepReport&) const = default;
};

struct StepsReport {
  std::vector<StepReport> steps;
  bool operator==(const StepsReport&) const = default;
};

// What the agent found out about the image it built (sizes: see docs/agent-protocol.md).
struct LayerFacts {
  std::string digest;  // "" when it could not be matched
  int64_t size_bytes = 0;
  std::optional<int64_t> compressed_size_bytes;  // pushed images only
  std::string instruction;
  bool operator==(const LayerFacts&) const = default;
};

struct ImageFacts {
  std::string ref;
  std::string digest;         // "sha256:<64 hex>"
  std::string config_digest;  // "" when not pushed
  int64_t size_bytes = 0;
  std::optional<int64_t> compressed_size_bytes;
  std::vector<LayerFacts> layers;  // base first
  bool operator==(const ImageFacts&) const = default;
};

struct CacheCount {
  int steps = 0;   // instruction steps other than FROM
  int cached = 0;  // of those, answered from the cache
  bool operator==(const CacheCount&) const = default;
};

// A base image of the job's target and the digest it had when the build finished.
struct BaseImage {
  std::string ref;     // as the Dockerfile names it, e.g. "busybox:1.36"
  std::string digest;  // "sha256:<64 hex>"
  std::string source;  // "engine" or "registry" (common/image_ref.h)
  bool operator==(const BaseImage&) const = default;
};

// POST .../finish.
struct FinishReport {
  JobStatus status = JobStatus::kError;  // success failure canceled error
  int64_t duration_ms = 0;
  std::string error;
  std::string failed_step;
  std::vector<std::string> log_tail;
  std::optional<ImageFacts> image;
  CacheCount cache;
  std::optional<nlohmann::json> insight;  // the image's insight report (an object)
  std::optional<nlohmann::json> scans;    // external scanners' findings (an array of objects)
  std::vector<BaseImage> bases;           // distinct (ref, digest) pairs
  bool operator==(const FinishReport&) const = default;
};

// Writers. The flat messages map field for field; the others leave out what is absent.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LeaseRequest, agent, labels, capacity, version)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RenewAnswer, cancel)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LogBatch, seq, data)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StepReport, index, digest, name, cached, started_ms,
                                                completed_ms, duration_ms, error)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StepsReport, steps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CacheCount, steps, cached)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BaseImage, ref, digest, source)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(JobSecret, id, value, env)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RegistryLogin, host, username, password)
void to_json(nlohmann::json& j, const LeaseOffer& v);
void to_json(nlohmann::json& j, const LayerFacts& v);
void to_json(nlohmann::json& j, const ImageFacts& v);
void to_json(nlohmann::json& j, const FinishReport& v);

// Validating readers: kInvalidArgument naming the first bad field.
Result<LeaseRequest> ReadLeaseRequest(const nlohmann::json& j);
Result<LeaseOffer> ReadLeaseOffer(const nlohmann::json& j);
Result<RenewAnswer> ReadRenewAnswer(const nlohmann::json& j);
Result<LogBatch> ReadLogBatch(const nlohmann::json& j);
Result<StepsReport> ReadStepsReport(const nlohmann::json& j);
Result<FinishReport> ReadFinishReport(const nlohmann::json& j);

// The body, compact, with bytes that are not UTF-8 replaced (log lines come from builds).
std::string ToBody(const nlohmann::json& j);

}  // namespace slipway::protocol
