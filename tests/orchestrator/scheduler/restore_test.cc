// Restoring the scheduler after a restart, and reruns that reuse succeeded jobs.
#include <catch2/catch.hpp>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace slipway::scheduler {
namespace {

using namespace testing;  // NOLINT: test builders

constexpr int64_t kT0 = 1'000'000;

TEST_CASE("After a restart, live leases keep working and results are recorded once") {
  Scheduler before(CountingIds(15000));
  REQUIRE(before.AddRun(Run(1), {Job(1, "base"), Job(2, "app", {"base"}), Job(3, "lint")}, kT0).ok());
  std::string base_lease;
  {
    auto base = before.Acquire(Agent("b1"), kT0);
    REQUIRE(base);
    base_lease = base->lease.id;
    REQUIRE(before.Finish(base_lease, JobStatus::kSuccess, kT0 + 100).ok());
  }
  auto app = before.Acquire(Agent("b1"), kT0 + 200);
  auto lint = before.Acquire(Agent("b2"), kT0 + 200);
  REQUIRE((app && lint));
  // Run 1 as a store holds it after persisting every change: base succeeded, app and lint running.
  JobNode base = Job(1, "base");
  base.status = JobStatus::kSuccess;
  base.attempt = 1;
  std::vector<JobNode> stored = {base, *before.JobByLease(app->lease.id),
                                 *before.JobByLease(lint->lease.id)};

  // The orchestrator restarts 5 s later; lint's agent renewed meanwhile, app's did not.
  stored[2].lease_expires_ms = kT0 + 20000;
  Scheduler after(CountingIds(15000));
  RunInfo run = Run(1);
  run.status = RunStatus::kRunning;
  auto restored = after.AddRun(run, stored, kT0 + 5000);
  REQUIRE(restored.ok());
  CHECK(restored->empty());  // nothing changed
  CHECK(after.LeaseCount() == 2);
  CHECK(after.JobByLease(app->lease.id)->agent == "b1");
  CHECK(after.JobByLease(lint->lease.id)->agent == "b2");
  CHECK(after.ReadyCount() == 0);

  REQUIRE(after.Renew(app->lease.id, kT0 + 6000).ok());
  auto done = after.Finish(lint->lease.id, JobStatus::kSuccess, kT0 + 7000);
  REQUIRE(done.ok());
  CHECK(after.Finish(lint->lease.id, JobStatus::kSuccess, kT0 + 7001).status().code() ==
        ErrorCode::kConflict);
  // The old agent's stale lease on base (finished before the restart) is unknown too.
  CHECK(after.Renew(base_lease, kT0 + 7002).status().code() == ErrorCode::kConflict);
  auto last = after.Finish(app->lease.id, JobStatus::kSuccess, kT0 + 8000);
  REQUIRE(last.ok());
  CHECK(FindRunChange(*last, 1)->run_status == RunStatus::kSuccess);
}

TEST_CASE("Leases that died while the orchestrator was down are taken back at restore") {
  JobNode lost = Job(1, "build");
  lost.status = JobStatus::kRunning;
  lost.attempt = 1;
  lost.lease_id = "old";
  lost.agent = "gone";
  lost.lease_expires_ms = kT0 - 1;
  JobNode no_lease = Job(2, "lint");
  no_lease.status = JobStatus::kRunning;
  no_lease.attempt = 3;
  JobNode after = Job(3, "after", {"lint"});
  Scheduler s(CountingIds(15000, 3));
  RunInfo run = Run(1);
  run.status = RunStatus::kRunning;
  auto changes = s.AddRun(run, {lost, no_lease, after}, kT0);
  REQUIRE(changes.ok());
  REQUIRE(changes->size() == 3);
  CHECK((*changes)[0].job_name == "build");
  CHECK((*changes)[0].job_status == JobStatus::kPending);
  CHECK((*changes)[0].reason ==
        "lease lost while the orchestrator was down; requeued after attempt 1 of 3");
  CHECK((*changes)[1].job_name == "lint");
  CHECK((*changes)[1].job_status == JobStatus::kError);  // its attempts were spent
  CHECK((*changes)[2].job_name == "after");
  CHECK((*changes)[2].job_status == JobStatus::kSkipped);
  CHECK(s.Renew("old", kT0).status().code() == ErrorCode::kConflict);
  auto grant = s.Acquire(Agent("new"), kT0);
  REQUIRE(grant);
  CHECK(grant->lease.job_name == "build");
  CHECK(grant->lease.attempt == 2);
}

TEST_CASE("A rerun starts with reused jobs as success and runs only the rest") {
  JobNode test = Job(1, "test");
  test.status = JobStatus::kSuccess;  // reused from the old run: attempt 0
  JobNode runtime = Job(2, "runtime", {"test"});
  JobNode deploy = Job(3, "deploy", {"runtime"});
  Scheduler s(CountingIds());
  auto added = s.AddRun(Run(9), {test, runtime, deploy}, kT0);
  REQUIRE(added.ok());
  CHECK(added->empty());  // still pending: reused jobs do not start a run
  auto grant = s.Acquire(Agent("x"), kT0);
  REQUIRE(grant);
  CHECK(grant->lease.job_name == "runtime");
  CHECK(FindRunChange(grant->changes, 9)->run_status == RunStatus::kRunning);
}

TEST_CASE("Restoring a run with a failed job skips its pending dependents at once") {
  JobNode failed = Job(1, "test");
  failed.status = JobStatus::kFailure;
  failed.attempt = 1;
  Scheduler s(CountingIds());
  RunInfo run = Run(1);
  run.status = RunStatus::kRunning;
  auto changes = s.AddRun(run, {failed, Job(2, "runtime", {"test"})}, kT0);
  REQUIRE(changes.ok());
  REQUIRE(changes->size() == 2);
  CHECK((*changes)[0].job_status == JobStatus::kSkipped);
  CHECK((*changes)[1].run_status == RunStatus::kFailure);
  CHECK(s.RunCount() == 0);
}

TEST_CASE("Restoring a run that was being canceled finishes the cancel") {
  JobNode running = Job(1, "build");
  running.status = JobStatus::kRunning;
  running.attempt = 1;
  running.lease_id = "L";
  running.agent = "x";
  running.lease_expires_ms = kT0 + 10000;
  Scheduler s(CountingIds());
  RunInfo run = Run(1);
  run.status = RunStatus::kRunning;
  run.canceled = true;
  auto changes = s.AddRun(run, {running, Job(2, "push", {"build"})}, kT0);
  REQUIRE(changes.ok());
  REQUIRE(changes->size() == 1);
  CHECK((*changes)[0].job_name == "push");
  CHECK((*changes)[0].job_status == JobStatus::kCanceled);
  CHECK(s.CancelRequested("L"));
}

}  // namespace
}  // namespace slipway::scheduler
