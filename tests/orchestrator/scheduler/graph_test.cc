// Ready order, needs chains and diamonds, skipping after failures, run status, AddRun validation.
#include <catch2/catch.hpp>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace slipway::scheduler {
namespace {

using namespace testing;  // NOLINT: test builders

constexpr int64_t kT0 = 1'000'000;

// Leases one job to a roomy agent and returns its name ("" when nothing is ready).
std::string Take(Scheduler& s, std::string* lease = nullptr, int64_t now = kT0) {
  auto grant = s.Acquire(Agent("a", 100), now);
  if (!grant) return "";
  if (lease) *lease = grant->lease.id;
  return grant->lease.job_name;
}

TEST_CASE("Independent jobs are handed out oldest job id first, across runs") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(2), {Job(20, "late")}, kT0).ok());
  REQUIRE(s.AddRun(Run(1), {Job(11, "b"), Job(10, "a")}, kT0).ok());
  CHECK(s.ReadyCount() == 3);
  CHECK(Take(s) == "a");
  CHECK(Take(s) == "b");
  CHECK(Take(s) == "late");
  CHECK(Take(s).empty());
}

TEST_CASE("A chain runs one job at a time, in order") {
  Scheduler s(CountingIds());
  auto added = s.AddRun(Run(1), {Job(1, "base"), Job(2, "build", {"base"}), Job(3, "test", {"build"})}, kT0);
  REQUIRE(added.ok());
  CHECK(added->empty());  // a new run is pending already in the store
  std::string lease;
  CHECK(Take(s, &lease) == "base");
  CHECK(Take(s).empty());
  REQUIRE(s.Finish(lease, JobStatus::kSuccess, kT0 + 1).ok());
  CHECK(Take(s, &lease) == "build");
  CHECK(Take(s).empty());
  REQUIRE(s.Finish(lease, JobStatus::kSuccess, kT0 + 2).ok());
  CHECK(Take(s, &lease) == "test");
  auto done = s.Finish(lease, JobStatus::kSuccess, kT0 + 3);
  REQUIRE(done.ok());
  const Change* run = FindRunChange(*done, 1);
  REQUIRE(run != nullptr);
  CHECK(run->run_status == RunStatus::kSuccess);
  CHECK(s.RunCount() == 0);  // a final run leaves the scheduler
}

TEST_CASE("A diamond waits for both sides before the join") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "base"), Job(2, "left", {"base"}), Job(3, "right", {"base"}),
                            Job(4, "join", {"left", "right"})}, kT0).ok());
  std::string base, left, right;
  CHECK(Take(s, &base) == "base");
  REQUIRE(s.Finish(base, JobStatus::kSuccess, kT0).ok());
  CHECK(Take(s, &left) == "left");
  CHECK(Take(s, &right) == "right");
  REQUIRE(s.Finish(left, JobStatus::kSuccess, kT0).ok());
  CHECK(s.ReadyCount() == 0);
  REQUIRE(s.Finish(right, JobStatus::kSuccess, kT0).ok());
  CHECK(s.ReadyCount() == 1);
  CHECK(Take(s) == "join");
}

TEST_CASE("A failure skips its dependents transitively, siblings keep running") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "test"), Job(2, "lint"), Job(3, "build", {"test"}),
                            Job(4, "push", {"build"}), Job(5, "docs", {"lint"})}, kT0).ok());
  std::string test, lint;
  CHECK(Take(s, &test) == "test");
  CHECK(Take(s, &lint) == "lint");
  auto failed = s.Finish(test, JobStatus::kFailure, kT0 + 5, "RUN pytest exited 1");
  REQUIRE(failed.ok());
  REQUIRE(failed->size() == 3);
  CHECK((*failed)[0].job_name == "test");
  CHECK((*failed)[0].job_status == JobStatus::kFailure);
  CHECK((*failed)[0].reason == "RUN pytest exited 1");
  CHECK((*failed)[1].job_name == "build");
  CHECK((*failed)[1].job_status == JobStatus::kSkipped);
  CHECK((*failed)[1].reason == "needs \"test\", which ended failure");
  CHECK((*failed)[2].job_name == "push");
  CHECK((*failed)[2].job_status == JobStatus::kSkipped);
  CHECK((*failed)[2].reason == "needs \"build\", which ended skipped");
  CHECK(FindRunChange(*failed, 1) == nullptr);  // lint and docs still to come: the run goes on
  CHECK(s.RunCount() == 1);

  REQUIRE(s.Finish(lint, JobStatus::kSuccess, kT0 + 6).ok());
  std::string docs;
  CHECK(Take(s, &docs) == "docs");
  auto last = s.Finish(docs, JobStatus::kSuccess, kT0 + 7);
  REQUIRE(last.ok());
  REQUIRE(FindRunChange(*last, 1) != nullptr);
  CHECK(FindRunChange(*last, 1)->run_status == RunStatus::kFailure);
}

TEST_CASE("Error and canceled results also skip dependents, run status ranks error first") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "a"), Job(2, "b"), Job(3, "after-a", {"a"})}, kT0).ok());
  std::string a, b;
  Take(s, &a);
  Take(s, &b);
  auto err = s.Finish(a, JobStatus::kError, kT0);
  REQUIRE(err.ok());
  REQUIRE(FindJobChange(*err, "after-a") != nullptr);
  CHECK(FindJobChange(*err, "after-a")->job_status == JobStatus::kSkipped);
  auto fail = s.Finish(b, JobStatus::kFailure, kT0);
  REQUIRE(fail.ok());
  CHECK(FindRunChange(*fail, 1)->run_status == RunStatus::kError);
}

TEST_CASE("Acquiring the first job moves the run to running, once") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "a"), Job(2, "b")}, kT0).ok());
  auto first = s.Acquire(Agent("x", 2), kT0);
  REQUIRE(first);
  REQUIRE(first->changes.size() == 2);
  CHECK(first->changes[0].job_status == JobStatus::kRunning);
  CHECK(first->changes[0].agent == "x");
  CHECK(first->changes[0].attempt == 1);
  CHECK(first->changes[1].kind == Change::Kind::kRun);
  CHECK(first->changes[1].run_status == RunStatus::kRunning);
  auto second = s.Acquire(Agent("x", 2), kT0);
  REQUIRE(second);
  CHECK(second->changes.size() == 1);
}

TEST_CASE("AddRun refuses bad graphs and duplicates") {
  Scheduler s(CountingIds());
  CHECK(s.AddRun(Run(1), {Job(1, "a", {"missing"})}, kT0).status().message() ==
        "job \"a\" needs unknown job \"missing\"");
  CHECK(s.AddRun(Run(1), {Job(1, "a"), Job(2, "a")}, kT0).status().message() ==
        "job name \"a\" appears twice");
  CHECK(s.AddRun(Run(1), {Job(1, "a", {"c"}), Job(2, "b", {"a"}), Job(3, "c", {"b"})}, kT0)
            .status().message() == "the needs of run 1 form a cycle");
  CHECK(s.AddRun(Run(1), {Job(1, "self", {"self"})}, kT0).status().code() == ErrorCode::kInvalidArgument);
  CHECK(s.RunCount() == 0);
  CHECK(s.ReadyCount() == 0);
  REQUIRE(s.AddRun(Run(1), {Job(1, "a")}, kT0).ok());
  CHECK(s.AddRun(Run(1), {Job(2, "b")}, kT0).status().code() == ErrorCode::kAlreadyExists);
  CHECK(s.AddRun(Run(2), {Job(1, "b")}, kT0).status().code() == ErrorCode::kAlreadyExists);
}

TEST_CASE("A need listed twice still counts as met once it succeeds") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "a"), Job(2, "b", {"a", "a"})}, kT0).ok());
  std::string a;
  Take(s, &a);
  REQUIRE(s.Finish(a, JobStatus::kSuccess, kT0).ok());
  CHECK(Take(s) == "b");
}

TEST_CASE("An empty run is final at once") {
  Scheduler s(CountingIds());
  auto added = s.AddRun(Run(7), {}, kT0);
  REQUIRE(added.ok());
  REQUIRE(FindRunChange(*added, 7) != nullptr);
  CHECK(FindRunChange(*added, 7)->run_status == RunStatus::kSuccess);
  CHECK(s.RunCount() == 0);
}

TEST_CASE("Finish refuses non-final results") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "a")}, kT0).ok());
  std::string a;
  Take(s, &a);
  for (JobStatus bad : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSkipped}) {
    CHECK(s.Finish(a, bad, kT0).status().code() == ErrorCode::kInvalidArgument);
  }
  CHECK(s.JobByLease(a)->status == JobStatus::kRunning);
}

TEST_CASE("DeriveRunStatus") {
  auto with = [](std::vector<std::pair<JobStatus, int>> list) {
    std::vector<JobNode> jobs;
    for (auto [status, attempt] : list) {
      JobNode j;
      j.status = status;
      j.attempt = attempt;
      jobs.push_back(j);
    }
    return jobs;
  };
  CHECK(DeriveRunStatus(with({{JobStatus::kPending, 0}}), false) == RunStatus::kPending);
  CHECK(DeriveRunStatus(with({{JobStatus::kSuccess, 0}, {JobStatus::kPending, 0}}), false) ==
        RunStatus::kPending);  // reused jobs do not start a run
  CHECK(DeriveRunStatus(with({{JobStatus::kSuccess, 1}, {JobStatus::kPending, 0}}), false) ==
        RunStatus::kRunning);
  CHECK(DeriveRunStatus(with({{JobStatus::kRunning, 1}}), true) == RunStatus::kRunning);
  CHECK(DeriveRunStatus(with({{JobStatus::kSuccess, 1}, {JobStatus::kSkipped, 0}}), false) ==
        RunStatus::kSuccess);
  CHECK(DeriveRunStatus(with({{JobStatus::kFailure, 1}, {JobStatus::kCanceled, 0}}), false) ==
        RunStatus::kFailure);
  CHECK(DeriveRunStatus(with({{JobStatus::kFailure, 1}, {JobStatus::kCanceled, 0}}), true) ==
        RunStatus::kCanceled);
  CHECK(DeriveRunStatus(with({{JobStatus::kSuccess, 1}, {JobStatus::kCanceled, 1}}), false) ==
        RunStatus::kCanceled);
}

TEST_CASE("Status names round-trip") {
  for (JobStatus st : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSuccess, JobStatus::kFailure,
                       JobStatus::kCanceled, JobStatus::kError, JobStatus::kSkipped}) {
    CHECK(JobStatusFromName(JobStatusName(st)) == st);
  }
  for (RunStatus st : {RunStatus::kPending, RunStatus::kRunning, RunStatus::kSuccess, RunStatus::kFailure,
                       RunStatus::kCanceled, RunStatus::kError, RunStatus::kSkipped}) {
    CHECK(RunStatusFromName(RunStatusName(st)) == st);
  }
  CHECK(JobStatusName(JobStatus::kSkipped) == "skipped");
  CHECK(RunStatusName(RunStatus::kSkipped) == "skipped");  // a run its filters left out
  CHECK_FALSE(JobStatusFromName("skipped ").has_value());
  CHECK_FALSE(RunStatusFromName("").has_value());
  CHECK_FALSE(RunStatusFromName("Success").has_value());
}

}  // namespace
}  // namespace slipway::scheduler
