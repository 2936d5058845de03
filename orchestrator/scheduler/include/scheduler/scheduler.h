// Scheduler: the job graph of every unfinished run and the leases agents hold on its jobs.
//
// Pure and deterministic, like ninja's Plan: no sockets, no threads, no store and no clock of its
// own. The caller passes the time (milliseconds since the epoch) into each call, persists every
// Change a call returns (in order), and forwards them to SSE listeners.
//
// Rules:
// - A job is ready when it is pending and every job it needs (by name, in the same run) succeeded.
//   Ready jobs are handed out oldest job id first to an agent whose labels include the job's labels
//   (agent labels ⊇ job labels), while the agent holds fewer leases than its capacity.
// - A job that ends failure, error or canceled, or is skipped, makes its pending dependents skipped,
//   transitively.
// - Every lease lives `lease_ms` (default 15 s) from its grant or last renewal. Expire() takes lost
//   leases back: the job is requeued while attempts remain, else it ends in error.
// - Fencing: a lease that expired, was taken back or whose job ended is refused by every call
//   (Conflict), so a late agent cannot record a result twice or over another agent's.
// - A run's status is derived from its jobs (DeriveRunStatus). When a run reaches a final status,
//   it leaves the scheduler.
// - CancelRun: pending jobs become canceled; running jobs get a cancel request, which the agent
//   hears on its next renewal and answers by finishing with `canceled`. SupersedeBranch does the
//   same to older runs of a repo+branch, but spares a job that is pushing its image.
// - Restore after a restart: AddRun with the stored jobs, running ones with their lease ids, so
//   agents that keep renewing keep their leases.
//
// Thread-safety: none. One owner (the orchestrator's scheduling strand) calls it; callers serialise.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "scheduler/job_status.h"

namespace slipway::scheduler {

struct JobNode {
  int64_t job_id = 0;
  int64_t run_id = 0;             // set by AddRun
  std::string name;               // unique in its run
  std::vector<std::string> needs;  // names of jobs in the same run
  std::map<std::string, std::string> labels;  // what an agent must have to take it
  JobStatus status = JobStatus::kPending;  // a rerun adds reused jobs as kSuccess with attempt 0
  int attempt = 0;                // how many times it has been leased
  int max_attempts = 0;           // leases it may lose before it errors; 0: the scheduler's default
  // Set while running (and when restoring a running job after a restart):
  std::string lease_id;
  std::string agent;
  int64_t lease_expires_ms = 0;
  bool pushing = false;           // the agent is pushing the image (supersede spares it)
  bool cancel_requested = false;
  // Whether the lease was renewed at least once. A lease that expires unrenewed (the agent died
  // or never got the offer) gives its attempt back, up to kMaxUnrenewedLosses times per job.
  bool renewed = true;
  int unrenewed_losses = 0;
};

inline constexpr int kMaxUnrenewedLosses = 3;

struct RunInfo {
  int64_t run_id = 0;
  std::string repo;    // "owner/name"
  std::string branch;
  bool canceled = false;                   // restore: a cancel or supersede was in progress
  RunStatus status = RunStatus::kPending;  // the status the caller has stored for the run
};

struct AgentInfo {
  std::string name;
  std::map<std::string, std::string> labels;
  int capacity = 1;  // leases it may hold at once
};

struct Lease {
  std::string id;  // 128 random bits, hex
  int64_t job_id = 0;
  int64_t run_id = 0;
  std::string job_name;
  std::string agent;
  int attempt = 0;  // 1 for the first lease of a job
  int64_t expires_ms = 0;
};

// One state change to persist and publish.
struct Change {
  enum class Kind { kJob, kRun };
  Kind kind = Kind::kJob;
  int64_t run_id = 0;
  int64_t job_id = 0;                   // kJob only
  std::string job_name;                 // kJob only
  JobStatus job_status = JobStatus::kPending;  // kJob only
  RunStatus run_status = RunStatus::kPending;  // kRun only
  int attempt = 0;                      // kJob only
  std::string agent;                    // kJob only, when running
  std::string reason;                   // why, for people: "lease of agent b1 expired; requeued"
};

struct Grant {
  Lease lease;
  std::vector<Change> changes;  // the job → running, perhaps the run → running
};

struct Renewal {
  int64_t expires_ms = 0;
  bool cancel_requested = false;  // the agent should stop and finish with `canceled`
};

struct SchedulerOptions {
  int64_t lease_ms = 15000;
  int default_max_attempts = 3;
  // Makes lease ids; empty: 128 bits from OpenSSL's RAND_bytes, as 32 hex digits.
  std::function<std::string()> new_lease_id;
};

// pending: nothing started; running: some job is running, has ended, or was leased before and
// requeued (reused jobs, success with attempt 0, do not count); once every job is final: canceled if the run was canceled, else error,
// failure, canceled, success, the first that any job has in that order.
RunStatus DeriveRunStatus(const std::vector<JobNode>& jobs, bool canceled);

class Scheduler {
 public:
  explicit Scheduler(SchedulerOptions options = {});

  // Adds a new run, or restores a stored one. Jobs may start in any status (reruns start reused
  // jobs as success; restores bring running jobs with their leases). Returns the changes this
  // causes at once: dependents of ended jobs skipped, running jobs without a live lease requeued,
  // the run's status when it differs from run.status.
  // InvalidArgument: duplicate job names or ids, unknown needs, a cycle. AlreadyExists: the run or
  // a job id is already held.
  Result<std::vector<Change>> AddRun(const RunInfo& run, std::vector<JobNode> jobs, int64_t now_ms);

  // The first ready job this agent may take, leased to it; nullopt when there is none or the
  // agent is at capacity.
  std::optional<Grant> Acquire(const AgentInfo& agent, int64_t now_ms);

  // Extends a live lease to now + lease_ms. Conflict when the lease is stale.
  Result<Renewal> Renew(std::string_view lease_id, int64_t now_ms);

  // The agent started pushing. Conflict when the lease is stale or the job is being canceled.
  Status MarkPushing(std::string_view lease_id, int64_t now_ms);

  // Records the job's result (success, failure, canceled or error) once, ends the lease, and makes
  // dependents ready or skipped. Conflict when the lease is stale; InvalidArgument for another status.
  Result<std::vector<Change>> Finish(std::string_view lease_id, JobStatus result, int64_t now_ms,
                                     std::string reason = "");

  // Takes back every lease that expired at or before now_ms.
  std::vector<Change> Expire(int64_t now_ms);

  // NotFound when the run is not held (unknown or already final).
  Result<std::vector<Change>> CancelRun(int64_t run_id, std::string reason = "canceled");

  // Cancels the unfinished runs of repo+branch older than newer_run_id, sparing pushing jobs.
  std::vector<Change> SupersedeBranch(std::string_view repo, std::string_view branch,
                                      int64_t newer_run_id);

  // True when the lease is live and its job should stop.
  bool CancelRequested(std::string_view lease_id) const;

  // Queries.
  // The job a lease was granted for, while the lease is held (granted or restored, and not yet
  // finished, expired or taken back); its lease_id, run_id and attempt say which attempt it is.
  std::optional<JobNode> JobByLease(std::string_view lease_id) const;
  std::size_t LeaseCount() const { return leases_.size(); }
  std::size_t ReadyCount() const { return ready_.size(); }
  std::size_t RunCount() const { return runs_.size(); }

 private:
  struct RunState {
    RunInfo info;
    std::vector<int64_t> job_ids;                        // in the order given
    std::map<std::string, int64_t, std::less<>> by_name;
    std::map<int64_t, std::vector<int64_t>> dependents;  // job id → ids of jobs that need it
    RunStatus status = RunStatus::kPending;
  };

  // Fills run->by_name and run->dependents. InvalidArgument: a job without a name, a duplicate
  // name, an unknown need, a cycle; AlreadyExists: a job id or lease already held.
  Status IndexJobs(const std::vector<JobNode>& jobs, RunState* run) const;
  // Takes a restored run's live leases back into the lease table; running jobs whose lease is gone
  // are requeued (or end) as Expire would.
  void RestoreLeases(const RunState& run, int64_t now_ms, std::vector<Change>* out);
  int LeasesHeldBy(std::string_view agent) const;
  // The running job holding `lease_id`, if the lease is live at now_ms; else Conflict.
  Result<JobNode*> LiveJob(std::string_view lease_id, int64_t now_ms);
  void ReleaseLease(JobNode& job);
  void SetJobStatus(JobNode& job, JobStatus status, std::string reason, std::vector<Change>* out);
  void SkipDependents(const JobNode& job, std::vector<Change>* out);
  void ReadyDependents(const JobNode& job);
  bool NeedsSucceeded(const RunState& run, const JobNode& job) const;
  void LoseLease(JobNode& job, std::string reason, std::vector<Change>* out);
  void CancelJobs(RunState& run, const std::string& reason, bool spare_pushing,
                  std::vector<Change>* out);
  void UpdateRun(int64_t run_id, std::string reason, std::vector<Change>* out);
  std::string NewLeaseId();
  int MaxAttempts(const JobNode& job) const;

  SchedulerOptions options_;
  std::map<int64_t, JobNode> jobs_;       // every job of every held run, by id
  std::map<int64_t, RunState> runs_;
  std::set<int64_t> ready_;               // ids of ready jobs, oldest first
  std::unordered_map<std::string, int64_t> leases_;  // live lease id → job id
  std::map<std::string, int, std::less<>> agent_leases_;  // agent name → leases held
};

}  // namespace slipway::scheduler
