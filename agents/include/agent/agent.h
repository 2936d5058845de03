// Agent: `capacity` workers, each long-polling the server for a lease and running it (job_runner.h),
// with backoff while the server cannot be reached.
//
// Stop() stops taking work and stops running builds (their jobs are left to lapse and be requeued);
// WaitIdle() then waits for the builds to end. Workers blocked in a lease long-poll are not waited
// for: a lease that arrives after Stop() is dropped.
//
// Thread-safety: Start, Stop and WaitIdle may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "agent/agent_client.h"
#include "agent/cancel_token.h"
#include "agent/git_workspace.h"
#include "agent/image_examiner.h"

namespace slipway::agent {

// Parses "k=v,k2=v2" into labels.
Result<std::map<std::string, std::string>> ParseLabels(const std::string& text);

class Agent {
 public:
  explicit Agent(AgentConfig config);
  ~Agent();

  void Start();
  void Stop();
  // True when no job is running any more; false when the timeout passed first.
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  void Work(int slot);

  AgentConfig config_;
  AgentClient client_;
  GitWorkspace workspace_;
  std::atomic<bool> cache_export_{true};
  ImageExaminer examiner_;
  CancelToken stop_;
  std::atomic<int> running_jobs_{0};
  std::vector<std::thread> workers_;
};

}  // namespace slipway::agent
