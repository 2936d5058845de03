// Canceling runs and superseding older runs of a branch.
#include <catch2/catch.hpp>

#include <set>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace slipway::scheduler {
namespace {

using namespace testing;  // NOLINT: test builders

constexpr int64_t kT0 = 1'000'000;

TEST_CASE("Canceling a run that has not started cancels every job and ends the run") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "a"), Job(2, "b", {"a"})}, kT0).ok());
  auto changes = s.CancelRun(1, "canceled by alice");
  REQUIRE(changes.ok());
  REQUIRE(changes->size() == 3);
  CHECK((*changes)[0].job_status == JobStatus::kCanceled);
  CHECK((*changes)[0].reason == "canceled by alice");
  CHECK((*changes)[1].job_status == JobStatus::kCanceled);
  CHECK((*changes)[2].run_status == RunStatus::kCanceled);
  CHECK(s.ReadyCount() == 0);
  CHECK_FALSE(s.Acquire(Agent("x"), kT0));
  CHECK(s.CancelRun(1).status().code() == ErrorCode::kNotFound);
}

TEST_CASE("Canceling a running run asks the agent to stop, the run ends when it does") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "build"), Job(2, "push", {"build"})}, kT0).ok());
  auto grant = s.Acquire(Agent("x"), kT0);
  REQUIRE(grant);
  CHECK_FALSE(s.CancelRequested(grant->lease.id));

  auto changes = s.CancelRun(1);
  REQUIRE(changes.ok());
  REQUIRE(changes->size() == 1);  // only the pending "push"; the run is still running
  CHECK((*changes)[0].job_name == "push");
  CHECK(s.CancelRequested(grant->lease.id));
  CHECK(s.RunCount() == 1);  // running until the agent finishes
  auto renewal = s.Renew(grant->lease.id, kT0 + 3000);
  REQUIRE(renewal.ok());
  CHECK(renewal->cancel_requested);
  CHECK(s.MarkPushing(grant->lease.id, kT0 + 3000).code() == ErrorCode::kConflict);

  auto finished = s.Finish(grant->lease.id, JobStatus::kCanceled, kT0 + 3500);
  REQUIRE(finished.ok());
  REQUIRE(FindRunChange(*finished, 1) != nullptr);
  CHECK(FindRunChange(*finished, 1)->run_status == RunStatus::kCanceled);
  CHECK_FALSE(s.CancelRequested(grant->lease.id));  // the lease is gone
}

TEST_CASE("A canceled job whose agent is lost ends canceled, not requeued") {
  Scheduler s(CountingIds(1000));
  REQUIRE(s.AddRun(Run(1), {Job(1, "build")}, kT0).ok());
  REQUIRE(s.Acquire(Agent("x"), kT0));
  REQUIRE(s.CancelRun(1).ok());
  auto lost = s.Expire(kT0 + 1000);
  REQUIRE(lost.size() == 2);
  CHECK(lost[0].job_status == JobStatus::kCanceled);
  CHECK(lost[0].reason == "lease of agent x expired before its first renewal; canceled");
  CHECK(lost[1].run_status == RunStatus::kCanceled);
  CHECK(s.ReadyCount() == 0);
}

TEST_CASE("Canceling one run leaves other runs alone") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "a")}, kT0).ok());
  REQUIRE(s.AddRun(Run(2), {Job(2, "a")}, kT0).ok());
  REQUIRE(s.CancelRun(1).ok());
  auto grant = s.Acquire(Agent("x"), kT0);
  REQUIRE(grant);
  CHECK(grant->lease.run_id == 2);
}

TEST_CASE("A newer push supersedes older runs of the same branch, sparing a pushing job") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1, "acme/shop", "main"), {Job(1, "test"), Job(2, "runtime"), Job(3, "deploy", {"runtime"})}, kT0).ok());
  REQUIRE(s.AddRun(Run(2, "acme/shop", "dev"), {Job(4, "test")}, kT0).ok());
  REQUIRE(s.AddRun(Run(3, "acme/other", "main"), {Job(5, "test")}, kT0).ok());
  auto test = s.Acquire(Agent("x", 10), kT0);
  auto runtime = s.Acquire(Agent("x", 10), kT0);
  REQUIRE((test && runtime));
  CHECK(test->lease.job_name == "test");
  CHECK(runtime->lease.job_name == "runtime");
  REQUIRE(s.MarkPushing(runtime->lease.id, kT0 + 10).ok());

  REQUIRE(s.AddRun(Run(4, "acme/shop", "main"), {Job(6, "test")}, kT0 + 20).ok());
  auto changes = s.SupersedeBranch("acme/shop", "main", 4);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].job_name == "deploy");
  CHECK(changes[0].job_status == JobStatus::kCanceled);
  CHECK(changes[0].reason == "superseded by run 4");
  CHECK(s.CancelRequested(test->lease.id));
  CHECK_FALSE(s.CancelRequested(runtime->lease.id));  // pushing: left to finish
  // Other branches, other repos and the newer run itself are untouched: their jobs are still ready.
  std::set<int64_t> ready_runs;
  while (auto other = s.Acquire(Agent("y", 10), kT0 + 25)) ready_runs.insert(other->lease.run_id);
  CHECK(ready_runs == std::set<int64_t>{2, 3, 4});

  auto pushed = s.Finish(runtime->lease.id, JobStatus::kSuccess, kT0 + 30);
  REQUIRE(pushed.ok());
  CHECK(FindJobChange(*pushed, "runtime")->job_status == JobStatus::kSuccess);
  auto stopped = s.Finish(test->lease.id, JobStatus::kCanceled, kT0 + 40);
  REQUIRE(stopped.ok());
  CHECK(FindRunChange(*stopped, 1)->run_status == RunStatus::kCanceled);
}

TEST_CASE("Supersede never touches newer runs or finished ones") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(5), {Job(1, "a")}, kT0).ok());
  CHECK(s.SupersedeBranch("acme/shop", "main", 5).empty());
  CHECK(s.SupersedeBranch("acme/shop", "main", 3).empty());
  CHECK(s.ReadyCount() == 1);
  auto changes = s.SupersedeBranch("acme/shop", "main", 6);
  CHECK(changes.size() == 2);
  CHECK(s.RunCount() == 0);
}

}  // namespace
}  // namespace slipway::scheduler
