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

#include "common/status.h"
#include "protocol/agent_protocol.h"

namespace slipway::agent {

struct AgentConfig {
  std::string server;  // http[s]://host:port
  std::string ca_file;  // https://: the PEM certificates that sign the server's; "" for the system's
  std::string token;
  std::string name;
  std::map<std::string, std::string> labels;
  int capacity = 1;
  std::string workdir;
  std::string docker = "docker";
  std::string version = "0.1.0";
};

// The lease a job came with (docs/agent-protocol.md).
using Lease = protocol::LeaseOffer;

enum class RenewAnswer { kContinue, kCancel };

class AgentClient {
 public:
  explicit AgentClient(AgentConfig config) : config_(std::move(config)) {}

  // Long-polls for a job; std::nullopt when none came within wait_seconds (204).
  Result<std::optional<Lease>> LeaseJob(int wait_seconds);
  Result<RenewAnswer> Renew(const std::string& lease_id, int wait_seconds);
  Status PostLog(const std::string& lease_id, long long seq, const std::string& data);
  Status PostSteps(const std::string& lease_id, const protocol::StepsReport& steps);
  Status Finish(const std::string& lease_id, const protocol::FinishReport& report);
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
