// Coordinator: the orchestrator's service layer. It turns accepted pushes, manual triggers and
// reruns into runs, plans them (git mirror + pipelines::PlanPipeline) on a worker thread, hands
// ready jobs to waiting agents, records what agents report, and publishes every change to SSE.
//
// The Scheduler decides (pure, in memory); the store records (SQLite, durable); the Coordinator
// keeps the two in step under one mutex: every scheduler call and the store writes of the changes
// it returns happen together, so a restart restores exactly what was recorded.
//
// Long-polls: an agent asking for work, or renewing, may be answered later. The Coordinator keeps
// its poll (core/sinks.h) and answers when a job becomes ready (or a cancel arrives), or on time-out.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/git_auth.h"
#include "common/secret_box.h"
#include "common/status.h"
#include "core/config.h"
#include "core/event_hub.h"
#include "core/forge_feedback.h"
#include "core/forge_outbox.h"
#include "core/image_review.h"
#include "core/queries.h"
#include "core/rerun_plan.h"
#include "core/rescanner.h"
#include "core/sinks.h"
#include "pipelines/diagnostic.h"
#include "pipelines/job_spec.h"
#include "pipelines/pipeline.h"
#include "pipelines/planner.h"
#include "planner/git_mirror.h"
#include "protocol/agent_protocol.h"
#include "scheduler/scheduler.h"
#include "store/agent_store.h"
#include "store/database.h"
#include "store/image_store.h"
#include "store/job_store.h"
#include "store/log_store.h"
#include "store/repo_store.h"
#include "store/run_store.h"
#include "store/step_store.h"

namespace slipway::core {

class BaseWatch;
class WorkQueue;

// What the HTTP layer hands over for an authenticated, parsed push.
struct PushIntake {
  std::string forge;        // github | gitlab | gitea
  std::string delivery_id;
  std::string event;
  int64_t repo_id = 0;
  std::string repo;
  std::string branch;
  std::string sha;
  std::string message;
  std::string author;
  std::optional<std::vector<std::string>> changed_paths;  // none: unknown, no paths filter
  std::string body_sha256;  // of the delivery's body: a body seen before starts no second run
  std::string trigger = "push";  // push | tag | pull_request
  store::RunOrigin origin;       // the tag or pull request, and the forge's links
};

struct IntakeAnswer {
  int64_t run_id = 0;
  bool duplicate = false;
  bool held = false;   // a fork's pull request awaiting approval
  std::string ignored;  // why nothing was started (fork_pull_requests: ignore); "" when a run was
};

// One log chunk as the SSE event a follower receives ("log", with its seq and attempt).
std::string LogEventFrame(const store::LogChunk& chunk, int attempt);

class Coordinator {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds since the epoch

  Coordinator(const ServerConfig& config, store::Database& db, Clock clock);
  ~Coordinator();

  // The key of the secret store, for registry credentials (core/registry_access.h). Call before
  // Start(); without it registries are asked anonymously.
  void UseSecrets(const SecretBox* box) { secret_box_ = box; }

  // Loads unfinished runs from the store and starts the worker thread. Call once, before serving.
  Status Start();
  // Stops the worker thread; answers every held long-poll.
  void Stop();

  // Intake.
  // A push of a branch or tag (push.trigger): a run stored with its delivery, then planned; with
  // `hold`, stored awaiting approval instead of planned.
  Result<IntakeAnswer> AcceptPush(const PushIntake& push, bool hold = false);
  Result<store::Run> TriggerManual(const std::string& repo, const std::string& branch, const std::string& sha);
  Result<store::Run> Rerun(int64_t run_id, const RerunSelection& selection);
  Status CancelRun(int64_t run_id);
  // A webhook delivery that starts no run (`reason` says why), kept so a redelivery is known.
  Status RecordIgnoredDelivery(const std::string& forge, const std::string& delivery_id, const std::string& event,
                               int64_t repo_id, const std::string& reason);
  // Registers a repository, or updates the one of that name.
  Result<store::Repo> SaveRepo(const store::RepoSpec& spec);
  // A pull request's run: a fork's is held (the repository's fork_pull_requests: approve), started
  // (run) or not stored at all (ignore, with the delivery recorded). Else as AcceptPush.
  Result<IntakeAnswer> AcceptPullRequest(const PushIntake& pr);
  // A pull request closed: cancels its unfinished runs; returns their ids.
  Result<std::vector<int64_t>> ClosePullRequest(int64_t repo_id, int64_t pr_number);
  // Releases a run held for approval and plans it. kConflict when it does not await approval.
  Status ApproveRun(int64_t run_id);
  // A full build of the default branch's head (on.schedule with build: true): trigger schedule.
  Result<store::Run> StartScheduledBuild(const store::Repo& repo);

  // Agents. These answer on `poll`, now or later.
  void WaitForLease(const scheduler::AgentInfo& agent, const std::string& version, int wait_ms,
                    std::shared_ptr<LeasePoll> poll);
  void RenewLease(const std::string& lease_id, int wait_ms, std::shared_ptr<RenewPoll> poll);
  Status MarkPushing(const std::string& lease_id);
  // Answers the held lease requests of agent `name` with "no work" (204), so that an agent whose
  // token was revoked gets no job from a wait it began before: its next request is refused.
  void EndLeaseWaits(const std::string& name);
  Status AppendLog(const std::string& lease_id, int64_t seq, const std::string& data);
  Status ReplaceSteps(const std::string& lease_id, const protocol::StepsReport& steps);
  // Records the job's result, its image and its bases (one transaction), reviewing the image
  // first. kConflict for a lease that is not held; a finish retried under the lease that already
  // finished the job with this result is ok.
  Status FinishJob(const std::string& lease_id, const protocol::FinishReport& report);

  // Fresh bases (core/base_watch.h): checks a repository's bases soon; `done` gets the report.
  void CheckBases(const std::string& repo, std::function<void(Result<nlohmann::json>)> done);

  // Follows a job's log as SSE on sink, which already carries the attempt's chunks up to
  // after_seq (-1: none), sent by the caller from the store page by page, outside the lock. Under
  // the lock: sends the chunks stored since (one page at most) and, if that was all, subscribes
  // sink to the live chunks, so that none is lost or sent twice. Returns the last seq sent when
  // more remain (the caller pages on and calls again), or nullopt once sink follows the live log
  // (or has received the end of a finished job's log).
  Result<std::optional<int64_t>> FollowLogFrom(int64_t job_id, int attempt, int64_t after_seq,
                                               std::shared_ptr<EventSink> sink);

  // Housekeeping, called about once a second: lost leases, long-poll time-outs, SSE keepalives,
  // base checks that fall due.
  void Tick();

  int64_t Now() const { return clock_(); }
  EventHub& hub() { return hub_; }
  Queries& queries() { return queries_; }
  store::Database& db() { return db_; }
  const ServerConfig& config() const { return config_; }
  nlohmann::json Metrics();

 private:
  struct LeaseWaiter {
    scheduler::AgentInfo agent;
    std::shared_ptr<LeasePoll> poll;
    int64_t deadline_ms;
  };
  struct RenewWaiter {
    std::string lease_id;
    std::shared_ptr<RenewPoll> poll;
    int64_t deadline_ms;
  };

  void TickUnguarded();
  // Planning, on the worker thread. QueuePlanning posts a planning task for the run; anything it
  // throws becomes the run's error.
  void QueuePlanning(int64_t run_id, std::function<void()> plan);
  void MarkPlanningStarted(int64_t run_id);
  void PlanRun(int64_t run_id, std::optional<std::vector<std::string>> changed_paths);
  void PlanRerun(int64_t run_id, int64_t parent_run_id, RerunSelection selection);
  // PlanRun's steps: the run's commit in the mirror (fetched when missing), the pipeline planned
  // at it (with the publish policy's violations), and the plan recorded and scheduled.
  Status FetchCommit(const store::Repo& repo, const std::string& sha);
  Result<pipelines::PlanResult> PlanAtCommit(const store::Run& run, const store::Repo& repo,
                                             std::optional<std::vector<std::string>> changed_paths);
  void RecordPlan(const store::Run& run, pipelines::PlanResult plan);
  void FailRun(int64_t run_id, const std::string& error);
  Status CancelRunFor(int64_t run_id, const std::string& reason);
  // Planning inputs that depend on the run's trigger: the repository's tags for a tag run, and the
  // branch the publish policy judges ("tag v1 (on no protected branch)" for a tag whose commit is
  // on none).
  std::optional<std::vector<std::string>> TagsForRun(const store::Run& run, const store::Repo& repo);
  std::string PolicyBranch(const store::Run& run, const store::Repo& repo);
  void SkipRun(int64_t run_id, const std::string& reason);
  // Publish policy (core/publish_policy.h) and build secrets (core/build_secrets.h): what the jobs of `repo` on `branch` may not do or lack.
  std::vector<pipelines::Diagnostic> PolicyViolations(const store::Repo& repo, const std::string& branch,
                                                      const std::vector<pipelines::JobSpec>& jobs,
                                                      const pipelines::Pipeline* pipeline);
  Status CheckRerunPolicy(int64_t run_id, const std::vector<store::NewJob>& new_jobs);
  // Why a push run is skipped as older than what its branch already built; nullopt: it is not.
  std::optional<std::string> OlderThanBuilt(const store::Run& run, const std::string& repo);
  // The repository's clone credential (core/git_credentials.h); empty without a secret store.
  // Where git runs with it (the mirror, the agent's checkout), its output is redacted of it.
  Result<GitCredential> CloneCredential(const store::Repo& repo);
  // Fetches the repository into its mirror with its clone credential.
  Status FetchMirror(const store::Repo& repo);
  // Text from agents and git with URL credentials and every secret the server knows (its tokens,
  // webhook secrets, clone URL passwords) redacted (common/redact.h): applied before it is stored.
  std::string RedactSecrets(std::string_view text);
  // What RedactSecrets hides, one read of the repositories: also every value of the secret store,
  // with its encoded forms (common/redact.h), read again only when the store changed.
  std::vector<std::string> KnownSecrets();
  // The report with every text an agent wrote (error, failed step, log tail) redacted.
  protocol::FinishReport RedactReport(const protocol::FinishReport& report);
  // Fresh bases (coordinator_bases.cc): the BaseWatch for this configuration, and a base-update
  // run at `sha`, planned like a push.
  std::unique_ptr<BaseWatch> MakeBaseWatch();
  Result<store::Run> StartBaseUpdate(const store::Repo& repo, const std::string& branch, const std::string& sha,
                                     const std::string& message);
  // A run reached its final status (stored): its statuses, notification and pull request comment
  // (core/forge_feedback.h).
  void ReportRunFinished(int64_t run_id);
  // Adds a planned run's jobs to the scheduler and hands out what became ready. REQUIRES: mu_ held.
  void ScheduleRunLocked(const store::Run& run, const std::vector<store::Job>& jobs);

  // REQUIRES: mu_ held. Records each change in the store and publishes it.
  void PersistLocked(const std::vector<scheduler::Change>& changes, int64_t now, int64_t skip_job_id = 0);
  // Why a run whose change `c` cancels it was canceled. REQUIRES: mu_ held.
  std::string CancelReasonLocked(const scheduler::Change& c);
  // REQUIRES: mu_ held. Hands ready jobs to waiting agents; answers cancels to renew waiters.
  void DispatchLocked();
  void NotifyCancelsLocked();
  // REQUIRES: mu_ held. The lease an agent receives, recording the grant.
  std::optional<protocol::LeaseOffer> GrantLocked(const scheduler::AgentInfo& agent, int64_t now);
  // REQUIRES: mu_ held. The job holding the lease; kConflict when the lease is not held.
  Result<scheduler::JobNode> LeasedJobLocked(const std::string& lease_id);
  Status RestoreLocked();
  // The review of the image a finishing job built (image_review.h), when the agent sent its
  // insight report and the job is still running under this lease.
  std::optional<ReviewOutcome> ReviewImage(const std::string& lease_id, const protocol::FinishReport& report);

  const ServerConfig config_;
  store::Database& db_;
  Clock clock_;
  store::RepoStore repos_;
  store::RunStore runs_;
  store::JobStore jobs_;
  store::StepStore steps_;
  store::LogStore logs_;
  store::AgentStore agents_;
  store::ImageStore images_;
  Queries queries_;
  ImageReviewer reviewer_;
  std::unique_ptr<Rescanner> rescanner_;           // GUARDED_BY(mu_); when the server runs the osv scanner
  planner::GitMirror mirror_;
  EventHub hub_;
  std::unique_ptr<WorkQueue> work_;
  const SecretBox* secret_box_ = nullptr;
  std::mutex stored_secrets_mu_;
  uint64_t stored_secrets_generation_ = ~0ULL;     // GUARDED_BY(stored_secrets_mu_)
  std::vector<std::string> stored_secret_forms_;   // GUARDED_BY(stored_secrets_mu_)
  std::unique_ptr<ForgeOutbox> outbox_;  // made by Start(), which has the secret store by then
  ForgeFeedback feedback_;               // stores what outbox_ sends (statuses, comments, notifications)
  std::unique_ptr<BaseWatch> bases_;  // after work_: its checks post planning there

  std::mutex mu_;
  scheduler::Scheduler scheduler_;                 // GUARDED_BY(mu_)
  std::vector<LeaseWaiter> lease_waiters_;         // GUARDED_BY(mu_)
  std::vector<RenewWaiter> renew_waiters_;         // GUARDED_BY(mu_)
  // Reading a run's files at its commit and planning them (the fetch before has its own timeout).
  static constexpr std::chrono::seconds kPlanningDeadline{120};
  static constexpr int64_t kPruneEveryMs = 3600 * 1000;
  static constexpr int64_t kKeepDeliveriesMs = 7 * 24 * 3600 * 1000LL;  // a week: more than the 72 h promised
  int64_t last_heartbeat_ms_ = 0;                  // GUARDED_BY(mu_)
  int64_t last_prune_ms_ = 0;                      // GUARDED_BY(mu_)
  std::map<std::string, int64_t> counters_;        // GUARDED_BY(mu_)
};

}  // namespace slipway::core
