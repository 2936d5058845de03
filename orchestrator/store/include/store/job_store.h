// JobStore: the jobs of a run (one per pipeline stage and matrix combination) and their leases.
//
// Leases fence agents: a job is leased to one agent under a lease id; renewing and finishing name
// that id, and a write under any other id (the job was requeued, canceled or finished) is refused
// with kConflict, so a result is recorded exactly once. A retried Finish under the lease that
// already finished the job is kAlreadyExists (the first result stays), so the API can answer it as
// done. Terminal statuses (success failure canceled error skipped) are final. A row whose status
// is not one of common/build_status.h's words is an error (kInternal) wherever it is read.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/build_status.h"
#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

struct NewJob {
  std::string name;                // unique within the run: "runtime", "test-py3.11"
  std::string stage;               // the Dockerfile target
  std::string spec_json;           // the compiled JobSpec, as JSON
  std::vector<std::string> needs;  // names of jobs of the same run
  int max_attempts = 3;
};

struct Job {
  int64_t id = 0;
  int64_t run_id = 0;
  std::string name;
  std::string stage;
  std::string spec_json;
  std::vector<std::string> needs;
  JobStatus status = JobStatus::kPending;
  int attempt = 0;     // 0 until first leased
  int max_attempts = 1;
  std::optional<std::string> lease_id;
  std::optional<int64_t> lease_expires_at;
  std::string agent;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
  std::optional<int64_t> duration_ms;
  std::optional<std::string> result_json;
  std::string error;
};

// A job being built, as the agents listing shows it: the agent holding its lease, the run and the
// repository it belongs to, and when the build started.
struct LeasedJob {
  int64_t job_id = 0;
  int64_t run_id = 0;
  std::string name;
  std::string repo;  // "owner/name"
  std::string agent;
  int64_t started_at = 0;
};

class JobStore {
 public:
  explicit JobStore(Database& db) : db_(db) {}

  // Inserts all jobs of a run, pending, in one transaction (none when any fails); returns them.
  Result<std::vector<Job>> CreateJobs(int64_t run_id, const std::vector<NewJob>& jobs);
  Result<Job> Get(int64_t id);
  // The job that lease `lease_id` was granted for (kNotFound when no job has it).
  Result<Job> GetByLease(std::string_view lease_id);
  Result<std::vector<Job>> ListByRun(int64_t run_id);  // in creation order
  // Pending and running jobs, oldest first: what a restarted orchestrator picks up again.
  Result<std::vector<Job>> ListUnfinished();
  // Running jobs with the agent that holds each, by agent name, then oldest first.
  Result<std::vector<LeasedJob>> ListLeased();

  // pending -> running under a new lease. kConflict unless the job is pending. Lease ids are
  // unique across all jobs (kAlreadyExists otherwise): they are how agents name their job.
  Status MarkLeased(int64_t job_id, std::string_view lease_id, std::string_view agent, int attempt,
                    int64_t lease_expires_at, int64_t started_at);
  // Extends the lease. kConflict when the job is not running under `lease_id`.
  Status RenewLease(int64_t job_id, std::string_view lease_id, int64_t lease_expires_at);
  // Records the result (status: success failure canceled error) and ends the lease.
  // kConflict when the job is not running under `lease_id`; kAlreadyExists when this lease already
  // finished it. `result_json` empty stores NULL.
  Status Finish(int64_t job_id, std::string_view lease_id, JobStatus status,
                std::string_view result_json, std::string_view error, int64_t finished_at,
                int64_t duration_ms);
  // For the scheduler: pending requeues (a lost agent), skipped / canceled / error end an
  // unfinished job without a result. Drops any lease, so the old holder is fenced off.
  // kConflict when the job has finished; kInvalidArgument for running (that needs a lease).
  Status SetStatus(int64_t job_id, JobStatus status, std::optional<int64_t> finished_at = std::nullopt);

 private:
  Database& db_;
};

}  // namespace slipway::store
