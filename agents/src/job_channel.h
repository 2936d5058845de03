// A running job's lines to the server, each on its own thread so the build never waits on HTTP:
// the lease's renewals (which bring a cancel, or say the lease is lost) and the job's log chunks
// and step lists, in order. Private to job_runner.cc.
//
// Thread-safety: JobState is shared by the job's thread, its renewer and its reporter; a Reporter
// is fed by the build's threads (its methods lock).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_client.h"
#include "agent/buildx_runner.h"
#include "agent/cancel_token.h"
#include "agent/job_secrets.h"
#include "agent/log_batcher.h"

namespace slipway::agent {

using Clock = std::chrono::steady_clock;

// State shared by the job's thread, its renewer and its reporter.
struct JobState {
  CancelToken build_cancel;    // stops the build (server cancel, lost lease, shutdown)
  std::atomic<bool> lost{false};
  std::atomic<bool> cancel_requested{false};
  CancelToken done;            // the job is over: the renewer stops
};

// Renews the lease every round trip (the server holds each renewal up to 3 s) until st->done:
// a cancel from the server stops the build, a 409 marks the lease lost and stops it too.
void StartRenewer(AgentClient* client, std::string lease_id, int renew_every_ms,
                  std::shared_ptr<JobState> st);

// Ships log chunks and step lists from its own thread, in order, so the build never waits on HTTP.
class Reporter {
 public:
  // `secrets` (may be null) masks every line and step before it leaves the agent.
  Reporter(AgentClient* client, std::string lease_id, std::shared_ptr<JobState> st,
           const JobSecrets* secrets)
      : client_(client),
        lease_id_(std::move(lease_id)),
        st_(std::move(st)),
        secrets_(secrets),
        thread_([this] { Run(); }) {}
  ~Reporter() { Close(); }

  void AddLines(const std::vector<std::string>& lines);
  void AddLine(const std::string& line) { AddLines({line}); }
  // The build's steps so far; only the latest list is sent.
  void SetSteps(const std::vector<BuildStep>& steps);
  // Sends everything still pending and stops the thread.
  void Close();

 private:
  void Run();
  // Posts with retries while the server is unavailable; a 409 means the lease is lost.
  void Send(const std::function<Status()>& post);

  AgentClient* client_;
  std::string lease_id_;
  std::shared_ptr<JobState> st_;
  const JobSecrets* secrets_;
  std::mutex mutex_;
  std::condition_variable cv_;
  LogBatcher batcher_;
  protocol::StepsReport steps_;
  bool steps_dirty_ = false;
  bool closing_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace slipway::agent
