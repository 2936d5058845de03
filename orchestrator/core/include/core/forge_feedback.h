// ForgeFeedback: what the Coordinator tells the outbox when runs and jobs change, for
// repositories with an api_url (commit statuses, pull request comment) or a notify_url
// (notification webhooks). docs/forges.md describes what each forge then shows.
//
//   OnRunStatus(run)       the run's status ("slipway"): pending while it waits and plans,
//                          running once a job runs, then its result
//   OnJobStatus(job)       a stage's status ("slipway/<stage>"): pending when planned, running
//                          when leased, then its verdict in one line
//   OnRunFinished(run, pr) after a run's final status: the notification (run.finished, or
//                          run.failed for failure and error) and, with a pull request number,
//                          that pull request's comment, created or updated in place
//   OnBaseUpdateStarted    the base_update.started notification
//
// Every call only stores messages (one small write each); ForgeOutbox sends them on its own
// thread and is woken through `wake`. A failure to store is logged, never the caller's failure.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "store/database.h"
#include "store/job_store.h"
#include "store/outbox_store.h"
#include "store/repo_store.h"
#include "store/run_store.h"

namespace slipway::core {

class ForgeFeedback {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds since the epoch

  // public_url: the server's address as people reach it (links in statuses and comments).
  ForgeFeedback(store::Database& db, std::string public_url, Clock clock,
                std::function<void()> wake);

  void OnRunStatus(int64_t run_id);
  void OnJobStatus(int64_t job_id);
  void OnRunFinished(const store::Run& run, std::optional<int64_t> pr_number);
  void OnBaseUpdateStarted(const store::Run& run);

 private:
  void Enqueue(const store::Repo& repo, store::NewOutboxMessage message);
  void Notify(const store::Repo& repo, std::string_view event, const store::Run& run);
  std::vector<store::Job> JobsOf(int64_t run_id);

  store::Database& db_;
  const std::string public_url_;
  Clock clock_;
  std::function<void()> wake_;
  store::RepoStore repos_;
  store::RunStore runs_;
  store::JobStore jobs_;
  store::OutboxStore outbox_;
};

}  // namespace slipway::core
