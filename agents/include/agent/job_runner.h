// RunLease: carries out one leased job from start to finish report.
//
//   renew (its own thread, long-polling `renew?wait=3`; cancel -> stop the build; 409 -> lost)
//   workspace at the sha -> docker buildx build -> log chunks and steps while it runs
//   -> image inspection -> finish (success, failure with failed_step and log_tail, canceled, error)
// When the lease is lost (409 on any call) the build stops and nothing more is reported.
//
// Thread-safety: one call per lease; `stop` may be canceled from any thread (agent shutdown: the
// build stops and the job is left for the server to requeue when its lease lapses).
#pragma once

#include <atomic>
#include <string>

#include "agent/agent_client.h"
#include "agent/cancel_token.h"
#include "agent/git_workspace.h"
#include "agent/image_examiner.h"

namespace slipway::agent {

struct JobContext {
  AgentClient* client = nullptr;
  GitWorkspace* workspace = nullptr;
  std::string workdir;
  std::string slot;                          // a name unique among this agent's workers
  std::atomic<bool>* cache_export = nullptr; // the builder can export caches (cleared on refusal)
  const CancelToken* stop = nullptr;         // agent shutdown
  ImageExaminer* examiner = nullptr;         // analyses built images; none: no insight report
};

enum class LeaseEnd { kFinished, kLost, kAbandoned };

LeaseEnd RunLease(const JobContext& ctx, const Lease& lease);

// Renewal threads still running (they outlive RunLease by up to one renew round trip).
int LiveRenewers();

}  // namespace slipway::agent
