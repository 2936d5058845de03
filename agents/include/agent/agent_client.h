// AgentClient: the agent's side of docs/agent-protocol.md (lease, renew, log, steps, finish) over
// the blocking HTTP client. Nothing here retries: callers decide, using the Status codes:
//   conflict     the server answered 409 (the lease is lost: stop, report nothing more)
//   unavailable  the server cannot be reached or answered 5xx (try again later)
//   other codes  the server refused the request (4xx)
//
// Thread-safety: every call opens its own connection; calls from many threads are fine.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "pipelines/job_spec.h"

namespace slipway::agent {

struct AgentConfig {
  std::string server;  // http://host:port
  std::string token;
  std::string name;
  std::map<std::string, std::string> labels;
  int capacity = 1;
  std::string workdir;
  std::string docker = "docker";
  std::string version = "0.1.0";
};

struct Lease {
  std::string id;
  long long job_id = 0;
  long long run_id = 0;
  int attempt = 0;
  std::string repo;
  std::string clone_url;
  std::string sha;
  std::string branch;
  int renew_every_ms = 3000;
  std::vector<std::string> scanners;  // external scanners the server asks for ("trivy", "grype")
  pipelines::JobSpec spec;
};

// Reads the "lease" object of a 200 answer.
Result<Lease> LeaseFromJson(const nlohmann::json& j);

enum class RenewAnswer { kContinue, kCancel };

class AgentClient {
 public:
  explicit AgentClient(AgentConfig config) : config_(std::move(config)) {}

  // Long-polls for a job; std::nullopt when none came within wait_seconds (204).
  Result<std::optional<Lease>> LeaseJob(int wait_seconds);
  Result<RenewAnswer> Renew(const std::string& lease_id, int wait_seconds);
  Status PostLog(const std::string& lease_id, long long seq, const std::string& data);
  // body: {"steps": [...]}
  Status PostSteps(const std::string& lease_id, const nlohmann::json& body);
  Status Finish(const std::string& lease_id, const nlohmann::json& body);
  // Tells the server the image is being pushed, so a newer push does not cancel this job.
  Status MarkPushing(const std::string& lease_id);

  const AgentConfig& config() const { return config_; }

 private:
  struct Answer {
    int status = 0;
    std::string body;
  };
  Result<Answer> Post(const std::string& path, const std::string& body, int timeout_ms);

  AgentConfig config_;
};

}  // namespace slipway::agent
