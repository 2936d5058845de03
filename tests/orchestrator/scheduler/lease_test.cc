// Labels and capacity, renewal, expiry with requeue and retry budget, and fencing of stale leases.
#include <set>

#include <catch2/catch.hpp>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace slipway::scheduler {
namespace {

using namespace testing;  // NOLINT: test builders

constexpr int64_t kT0 = 1'000'000;

TEST_CASE("An agent gets only jobs whose labels it has") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "arm", {}, {{"arch", "arm64"}}),
                            Job(2, "gpu", {}, {{"arch", "amd64"}, {"gpu", "yes"}}),
                            Job(3, "any")}, kT0).ok());
  auto plain = s.Acquire(Agent("plain", 5, {{"arch", "amd64"}}), kT0);
  REQUIRE(plain);
  CHECK(plain->lease.job_name == "any");  // skips arm and gpu, which it cannot run
  CHECK_FALSE(s.Acquire(Agent("plain", 5, {{"arch", "amd64"}}), kT0));
  auto gpu = s.Acquire(Agent("big", 5, {{"arch", "amd64"}, {"gpu", "yes"}, {"zone", "b"}}), kT0);
  REQUIRE(gpu);
  CHECK(gpu->lease.job_name == "gpu");
  CHECK_FALSE(s.Acquire(Agent("wrong-value", 5, {{"arch", "amd64 "}}), kT0));
  auto arm = s.Acquire(Agent("pi", 1, {{"arch", "arm64"}}), kT0);
  REQUIRE(arm);
  CHECK(arm->lease.job_name == "arm");
}

TEST_CASE("An agent never holds more leases than its capacity") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "a"), Job(2, "b"), Job(3, "c"), Job(4, "d")}, kT0).ok());
  auto first = s.Acquire(Agent("x", 2), kT0);
  auto second = s.Acquire(Agent("x", 2), kT0);
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(s.Acquire(Agent("x", 2), kT0));
  CHECK(s.LeaseCount() == 2);
  CHECK_FALSE(s.Acquire(Agent("zero", 0), kT0));
  // Another agent is not limited by x's load.
  CHECK(s.Acquire(Agent("y", 1), kT0));
  // Finishing frees a slot.
  REQUIRE(s.Finish(first->lease.id, JobStatus::kSuccess, kT0).ok());
  auto third = s.Acquire(Agent("x", 2), kT0);
  REQUIRE(third);
  CHECK(third->lease.job_name == "d");
}

TEST_CASE("Lease ids are unguessable by default: 32 hex digits, all different") {
  Scheduler s;
  std::vector<JobNode> jobs;
  for (int i = 1; i <= 50; ++i) jobs.push_back(Job(i, "j" + std::to_string(i)));
  REQUIRE(s.AddRun(Run(1), jobs, kT0).ok());
  std::set<std::string> ids;
  while (auto grant = s.Acquire(Agent("x", 100), kT0)) {
    CHECK(grant->lease.id.size() == 32);
    CHECK(grant->lease.id.find_first_not_of("0123456789abcdef") == std::string::npos);
    ids.insert(grant->lease.id);
  }
  CHECK(ids.size() == 50);
}

TEST_CASE("A lease generator that repeats itself cannot hand out a live id twice") {
  SchedulerOptions options;
  options.new_lease_id = [n = 0]() mutable { return (n++ % 2 == 0) ? "same" : "other"; };
  Scheduler s(options);
  REQUIRE(s.AddRun(Run(1), {Job(1, "a"), Job(2, "b")}, kT0).ok());
  auto a = s.Acquire(Agent("x", 2), kT0);
  auto b = s.Acquire(Agent("x", 2), kT0);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->lease.id != b->lease.id);
}

TEST_CASE("Renewing pushes the expiry forward, an expired lease is refused even before Expire") {
  Scheduler s(CountingIds(15000));
  REQUIRE(s.AddRun(Run(1), {Job(1, "a")}, kT0).ok());
  auto grant = s.Acquire(Agent("x"), kT0);
  REQUIRE(grant);
  CHECK(grant->lease.expires_ms == kT0 + 15000);
  auto renewed = s.Renew(grant->lease.id, kT0 + 3000);
  REQUIRE(renewed.ok());
  CHECK(renewed->expires_ms == kT0 + 18000);
  CHECK_FALSE(renewed->cancel_requested);
  CHECK(s.Expire(kT0 + 17999).empty());
  Status late = s.Renew(grant->lease.id, kT0 + 18000).status();
  CHECK(late.code() == ErrorCode::kConflict);
  CHECK(late.message() == "lease lease-1 expired");
  CHECK(s.Finish(grant->lease.id, JobStatus::kSuccess, kT0 + 18000).status().code() ==
        ErrorCode::kConflict);
  CHECK(s.Renew("no-such-lease", kT0).status().code() == ErrorCode::kConflict);
}

TEST_CASE("A lost lease is requeued, then errors once the attempts are spent") {
  Scheduler s(CountingIds(15000, 2));
  REQUIRE(s.AddRun(Run(1), {Job(1, "build"), Job(2, "push", {"build"})}, kT0).ok());
  auto first = s.Acquire(Agent("b1"), kT0);
  REQUIRE(first);
  CHECK(first->lease.attempt == 1);
  REQUIRE(s.Renew(first->lease.id, kT0).ok());  // the build started: losing it costs the attempt

  auto lost = s.Expire(kT0 + 15000);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].job_name == "build");
  CHECK(lost[0].job_status == JobStatus::kPending);
  CHECK(lost[0].reason == "lease of agent b1 expired; requeued after attempt 1 of 2");
  CHECK(s.LeaseCount() == 0);
  CHECK(s.ReadyCount() == 1);

  auto second = s.Acquire(Agent("b2"), kT0 + 15001);
  REQUIRE(second);
  CHECK(second->lease.attempt == 2);
  CHECK(second->lease.id != first->lease.id);
  REQUIRE(s.Renew(second->lease.id, kT0 + 15001).ok());

  auto gone = s.Expire(kT0 + 30001);
  REQUIRE(gone.size() == 3);
  CHECK(gone[0].job_status == JobStatus::kError);
  CHECK(gone[0].reason == "lease of agent b2 expired; no attempts left (2 of 2)");
  CHECK(gone[1].job_name == "push");
  CHECK(gone[1].job_status == JobStatus::kSkipped);
  CHECK(gone[2].kind == Change::Kind::kRun);
  CHECK(gone[2].run_status == RunStatus::kError);
  CHECK(s.RunCount() == 0);
}

TEST_CASE("After a requeue the old lease is fenced off: its result is refused, the new one counts once") {
  Scheduler s(CountingIds(15000, 3));
  REQUIRE(s.AddRun(Run(1), {Job(1, "build"), Job(2, "after", {"build"})}, kT0).ok());
  auto old_grant = s.Acquire(Agent("slow"), kT0);
  REQUIRE(old_grant);
  REQUIRE(s.Renew(old_grant->lease.id, kT0).ok());
  REQUIRE(s.Expire(kT0 + 15000).size() == 1);
  auto new_grant = s.Acquire(Agent("fast"), kT0 + 15001);
  REQUIRE(new_grant);

  // The slow agent comes back: every write is refused.
  CHECK(s.Renew(old_grant->lease.id, kT0 + 15002).status().code() == ErrorCode::kConflict);
  CHECK(s.MarkPushing(old_grant->lease.id, kT0 + 15002).code() == ErrorCode::kConflict);
  CHECK(s.Finish(old_grant->lease.id, JobStatus::kFailure, kT0 + 15002).status().code() ==
        ErrorCode::kConflict);
  CHECK_FALSE(s.JobByLease(old_grant->lease.id));
  auto held = s.JobByLease(new_grant->lease.id);
  REQUIRE(held);
  CHECK(held->status == JobStatus::kRunning);
  CHECK(held->agent == "fast");

  auto done = s.Finish(new_grant->lease.id, JobStatus::kSuccess, kT0 + 16000);
  REQUIRE(done.ok());
  CHECK(FindJobChange(*done, "build")->job_status == JobStatus::kSuccess);
  // Recorded once: a repeated finish is refused.
  CHECK(s.Finish(new_grant->lease.id, JobStatus::kSuccess, kT0 + 16001).status().code() ==
        ErrorCode::kConflict);
  auto next = s.Acquire(Agent("fast"), kT0 + 16002);
  REQUIRE(next);
  CHECK(next->lease.job_name == "after");
}

TEST_CASE("A job's own max_attempts overrides the default") {
  Scheduler s(CountingIds(1000, 3));
  JobNode once = Job(1, "once");
  once.max_attempts = 1;
  REQUIRE(s.AddRun(Run(1), {once}, kT0).ok());
  auto grant = s.Acquire(Agent("x"), kT0);
  REQUIRE(grant);
  REQUIRE(s.Renew(grant->lease.id, kT0).ok());
  auto lost = s.Expire(kT0 + 1000);
  REQUIRE_FALSE(lost.empty());
  CHECK(lost[0].job_status == JobStatus::kError);
}

TEST_CASE("A lease that expires before its first renewal gives its attempt back, a bounded number of times") {
  Scheduler s(CountingIds(1000));
  JobNode once = Job(1, "once");
  once.max_attempts = 1;
  REQUIRE(s.AddRun(Run(1), {once}, kT0).ok());
  int64_t now = kT0;
  for (int loss = 1; loss <= kMaxUnrenewedLosses; ++loss) {
    auto grant = s.Acquire(Agent("x"), now);
    REQUIRE(grant);
    CHECK(grant->lease.attempt == 1);  // still the first attempt
    now += 1000;
    auto lost = s.Expire(now);
    REQUIRE_FALSE(lost.empty());
    CHECK(lost[0].job_status == JobStatus::kPending);
    CHECK(lost[0].reason == "lease of agent x expired before its first renewal; requeued after attempt 0 of 1");
  }
  // An agent that keeps dying before it reports in cannot hold the job forever.
  REQUIRE(s.Acquire(Agent("x"), now));
  auto last = s.Expire(now + 1000);
  REQUIRE_FALSE(last.empty());
  CHECK(last[0].job_status == JobStatus::kError);
  CHECK(last[0].reason == "lease of agent x expired; no attempts left (1 of 1)");
}

TEST_CASE("Expire handles several leases in job id order and leaves live ones alone") {
  Scheduler s(CountingIds(1000));
  REQUIRE(s.AddRun(Run(1), {Job(3, "c"), Job(1, "a"), Job(2, "b")}, kT0).ok());
  auto a = s.Acquire(Agent("x", 3), kT0);
  auto b = s.Acquire(Agent("x", 3), kT0);
  auto c = s.Acquire(Agent("x", 3), kT0 + 500);
  REQUIRE((a && b && c));
  REQUIRE(s.Renew(a->lease.id, kT0 + 900).ok());
  auto lost = s.Expire(kT0 + 1000);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].job_name == "b");
  CHECK(s.Expire(kT0 + 1499).empty());  // c's lease lives until kT0 + 1500, a's until kT0 + 1900
  auto more = s.Expire(kT0 + 2000);
  REQUIRE(more.size() == 2);
  CHECK(more[0].job_name == "a");
  CHECK(more[1].job_name == "c");
  CHECK(s.LeaseCount() == 0);
}

TEST_CASE("MarkPushing needs a live lease") {
  Scheduler s(CountingIds());
  REQUIRE(s.AddRun(Run(1), {Job(1, "a")}, kT0).ok());
  auto grant = s.Acquire(Agent("x"), kT0);
  REQUIRE(grant);
  CHECK(s.MarkPushing(grant->lease.id, kT0 + 1).ok());
  CHECK(s.JobByLease(grant->lease.id)->pushing);
  CHECK(s.MarkPushing("nope", kT0 + 1).code() == ErrorCode::kConflict);
}

}  // namespace
}  // namespace slipway::scheduler
