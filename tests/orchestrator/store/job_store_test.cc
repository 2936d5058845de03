#include "store/job_store.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/repo_store.h"
#include "store/run_store.h"
#include "temp_database.h"

namespace slipway::store {
namespace {

using testing::CountRows;
using testing::TempDatabase;

struct Fixture {
  TempDatabase t;
  JobStore jobs{*t.db};
  int64_t run_id = 0;

  Fixture() {
    RepoStore repos(*t.db);
    auto repo = repos.Upsert({"acme/shop", "github", "http://forge/shop.git", "", std::nullopt}, 1);
    REQUIRE(repo.ok());
    RunStore runs(*t.db);
    NewRun run;
    run.repo_id = repo->id;
    run.branch = "main";
    run.sha = "abc";
    run.created_at = 1;
    auto created = runs.CreateRun(run);
    REQUIRE(created.ok());
    run_id = created->id;
  }

  std::vector<Job> CreateBuildAndTest() {
    auto created =
        jobs.CreateJobs(run_id, {{"build", "build", R"({"target":"build"})", {}, 3},
                                 {"test", "test", R"({"target":"test"})", {"build"}, 2}});
    REQUIRE(created.ok());
    REQUIRE(created->size() == 2);
    return *created;
  }
};

TEST_CASE("jobs of a run are created together and read back") {
  Fixture f;
  auto created = f.CreateBuildAndTest();
  CHECK(created[0].name == "build");
  CHECK(created[0].status == JobStatus::kPending);
  CHECK(created[0].attempt == 0);
  CHECK(created[0].max_attempts == 3);
  CHECK(created[1].needs == std::vector<std::string>{"build"});
  CHECK(created[1].spec_json == R"({"target":"test"})");
  CHECK_FALSE(created[1].lease_id);

  auto listed = f.jobs.ListByRun(f.run_id);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[1].id == created[1].id);
  CHECK(f.jobs.Get(created[0].id)->stage == "build");
  CHECK(f.jobs.Get(9999).status().code() == ErrorCode::kNotFound);
  CHECK(f.jobs.ListUnfinished()->size() == 2);
}

TEST_CASE("creating jobs is all or nothing") {
  Fixture f;
  auto duplicate = f.jobs.CreateJobs(
      f.run_id, {{"a", "a", "{}", {}, 1}, {"b", "b", "{}", {}, 1}, {"a", "a", "{}", {}, 1}});
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.status().code() == ErrorCode::kAlreadyExists);
  CHECK(CountRows(*f.t.db, "jobs") == 0);

  auto bad_spec =
      f.jobs.CreateJobs(f.run_id, {{"a", "a", "{}", {}, 1}, {"b", "b", "{not json", {}, 1}});
  REQUIRE_FALSE(bad_spec.ok());
  CHECK(bad_spec.status().code() == ErrorCode::kInvalidArgument);
  CHECK(CountRows(*f.t.db, "jobs") == 0);

  auto no_run = f.jobs.CreateJobs(4242, {{"a", "a", "{}", {}, 1}});
  REQUIRE_FALSE(no_run.ok());
  CHECK(no_run.status().code() == ErrorCode::kNotFound);
}

TEST_CASE("a lease is granted once and fences renewals and results") {
  Fixture f;
  int64_t job = f.CreateBuildAndTest()[0].id;

  REQUIRE(f.jobs.MarkLeased(job, "lease-1", "builder-1", 1, 15000, 1000).ok());
  CHECK(f.jobs.MarkLeased(job, "lease-2", "builder-2", 1, 15000, 1000).code() ==
        ErrorCode::kConflict);
  auto leased = f.jobs.GetByLease("lease-1");
  REQUIRE(leased.ok());
  CHECK(leased->id == job);
  CHECK(leased->status == JobStatus::kRunning);
  CHECK(leased->agent == "builder-1");
  CHECK(leased->attempt == 1);
  CHECK(leased->started_at == 1000);

  REQUIRE(f.jobs.RenewLease(job, "lease-1", 18000).ok());
  CHECK(f.jobs.Get(job)->lease_expires_at == 18000);
  CHECK(f.jobs.RenewLease(job, "lease-x", 99000).code() == ErrorCode::kConflict);
  CHECK(f.jobs.Get(job)->lease_expires_at == 18000);

  CHECK(f.jobs.Finish(job, "lease-x", JobStatus::kSuccess, R"({"x":1})", "", 2000, 1000).code() ==
        ErrorCode::kConflict);
  CHECK(f.jobs.Get(job)->status == JobStatus::kRunning);

  const std::string result = R"({"image":{"digest":"sha256:aa"},"duration_ms":1000})";
  REQUIRE(f.jobs.Finish(job, "lease-1", JobStatus::kSuccess, result, "", 2000, 1000).ok());
  // A retry of the same report is recognised, and the first result stays.
  CHECK(f.jobs.Finish(job, "lease-1", JobStatus::kFailure, R"({"y":2})", "late", 3000, 2000).code() ==
        ErrorCode::kAlreadyExists);
  auto done = f.jobs.Get(job);
  REQUIRE(done.ok());
  CHECK(done->status == JobStatus::kSuccess);
  CHECK(done->result_json == result);
  CHECK(done->finished_at == 2000);
  CHECK(done->duration_ms == 1000);
  CHECK_FALSE(done->lease_expires_at);
  CHECK(f.jobs.RenewLease(job, "lease-1", 99000).code() == ErrorCode::kConflict);
  CHECK(f.jobs.SetStatus(job, JobStatus::kCanceled, 5000).code() == ErrorCode::kConflict);
  CHECK(f.jobs.ListUnfinished()->size() == 1);
}

TEST_CASE("a requeued job refuses its old lease and takes a new one") {
  Fixture f;
  int64_t job = f.CreateBuildAndTest()[0].id;
  REQUIRE(f.jobs.MarkLeased(job, "lease-1", "builder-1", 1, 15000, 1000).ok());
  REQUIRE(f.jobs.SetStatus(job, JobStatus::kPending).ok());  // the agent was lost
  auto requeued = f.jobs.Get(job);
  REQUIRE(requeued.ok());
  CHECK(requeued->status == JobStatus::kPending);
  CHECK_FALSE(requeued->lease_id);
  CHECK(requeued->attempt == 1);
  CHECK(f.jobs.GetByLease("lease-1").status().code() == ErrorCode::kNotFound);

  REQUIRE(f.jobs.MarkLeased(job, "lease-2", "builder-2", 2, 40000, 30000).ok());
  // The lost agent comes back and reports: refused, the new holder's result is the one recorded.
  CHECK(f.jobs.RenewLease(job, "lease-1", 50000).code() == ErrorCode::kConflict);
  CHECK(f.jobs.Finish(job, "lease-1", JobStatus::kSuccess, "", "", 31000, 100).code() ==
        ErrorCode::kConflict);
  REQUIRE(f.jobs.Finish(job, "lease-2", JobStatus::kFailure, "", "step 3 failed", 32000, 2000).ok());
  auto done = f.jobs.Get(job);
  CHECK(done->status == JobStatus::kFailure);
  CHECK(done->agent == "builder-2");
  CHECK(done->attempt == 2);
  CHECK(done->error == "step 3 failed");
  CHECK_FALSE(done->result_json);
}

TEST_CASE("leased jobs are listed with their agent and repository while they run") {
  Fixture f;
  auto created = f.CreateBuildAndTest();
  int64_t build = created[0].id, test = created[1].id;
  CHECK(f.jobs.ListLeased()->empty());

  REQUIRE(f.jobs.MarkLeased(test, "lease-t", "builder-b", 1, 15000, 2000).ok());
  REQUIRE(f.jobs.MarkLeased(build, "lease-b", "builder-a", 1, 15000, 3000).ok());
  auto leased = f.jobs.ListLeased();
  REQUIRE(leased.ok());
  REQUIRE(leased->size() == 2);
  const LeasedJob& first = (*leased)[0];  // by agent name, not by start
  CHECK(first.job_id == build);
  CHECK(first.run_id == f.run_id);
  CHECK(first.name == "build");
  CHECK(first.repo == "acme/shop");
  CHECK(first.agent == "builder-a");
  CHECK(first.started_at == 3000);
  CHECK((*leased)[1].job_id == test);
  CHECK((*leased)[1].agent == "builder-b");

  // A finished job and a requeued one hold no lease any more.
  REQUIRE(f.jobs.Finish(build, "lease-b", JobStatus::kSuccess, "", "", 4000, 1000).ok());
  REQUIRE(f.jobs.SetStatus(test, JobStatus::kPending).ok());
  CHECK(f.jobs.ListLeased()->empty());
  REQUIRE(f.jobs.MarkLeased(test, "lease-t2", "builder-a", 2, 25000, 5000).ok());
  leased = f.jobs.ListLeased();
  REQUIRE(leased->size() == 1);
  CHECK(leased->front().agent == "builder-a");
  CHECK(leased->front().started_at == 5000);
}

TEST_CASE("job status changes without a lease are checked") {
  Fixture f;
  auto created = f.CreateBuildAndTest();
  CHECK(f.jobs.SetStatus(created[0].id, JobStatus::kRunning).code() == ErrorCode::kInvalidArgument);
  REQUIRE(f.jobs.SetStatus(created[1].id, JobStatus::kSkipped, 700).ok());
  CHECK(f.jobs.Get(created[1].id)->finished_at == 700);
  CHECK(f.jobs.SetStatus(created[1].id, JobStatus::kPending).code() == ErrorCode::kConflict);
  CHECK(f.jobs.SetStatus(777, JobStatus::kSkipped).code() == ErrorCode::kNotFound);
  REQUIRE(f.jobs.MarkLeased(created[0].id, "l", "a", 1, 10, 1).ok());
  CHECK(f.jobs.Finish(created[0].id, "l", JobStatus::kPending, "", "", 2, 1).code() ==
        ErrorCode::kInvalidArgument);
  CHECK(f.jobs.Finish(created[0].id, "l", JobStatus::kSuccess, "{oops", "", 2, 1).code() ==
        ErrorCode::kInvalidArgument);
  CHECK(f.jobs.Get(created[0].id)->status == JobStatus::kRunning);
  CHECK(f.jobs.MarkLeased(999, "l2", "a", 1, 10, 1).code() == ErrorCode::kNotFound);
}

TEST_CASE("a job whose stored status is not a status word cannot be read") {
  Fixture f;
  auto created = f.CreateBuildAndTest();
  {
    Connection conn = f.t.db->Lock();
    REQUIRE(conn.Exec("PRAGMA ignore_check_constraints = ON").ok());
    REQUIRE(conn.Exec("UPDATE jobs SET status = 'exploded' WHERE id = " + std::to_string(created[1].id)).ok());
    REQUIRE(conn.Exec("PRAGMA ignore_check_constraints = OFF").ok());
  }
  auto job = f.jobs.Get(created[1].id);
  REQUIRE_FALSE(job.ok());
  CHECK(job.status().code() == ErrorCode::kInternal);
  CHECK(job.status().message() == "job " + std::to_string(created[1].id) +
                                      " has an unknown status 'exploded' in the database");
  CHECK(f.jobs.ListByRun(created[1].run_id).status().code() == ErrorCode::kInternal);  // not read as pending
  CHECK(f.jobs.Get(created[0].id).ok());
}

}  // namespace
}  // namespace slipway::store
