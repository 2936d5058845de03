// Runs of pull requests and tags: their origin stored and read back, approval, the runs of a pull
// request; the migration that rebuilt the runs table kept every run and what references it.
#include <catch2/catch.hpp>
#include <string>

#include "store/job_store.h"
#include "store/repo_store.h"
#include "store/run_store.h"
#include "temp_database.h"

namespace slipway::store {
namespace {

using testing::CountRows;
using testing::TempDatabase;
using ::slipway::testing::TempDir;

const std::string kSha = "0123456789abcdef0123456789abcdef01234567";

NewRun PullRequestRun(int64_t repo, int64_t number, bool fork, bool hold, int64_t at) {
  NewRun run{.repo_id = repo, .branch = "pull/" + std::to_string(number), .sha = kSha, .message = "Try it",
             .author = "mallory", .trigger = "pull_request", .parent_run_id = std::nullopt, .created_at = at};
  run.origin = {.pr_number = number, .pr_title = "Try it", .pr_source_branch = "patch-1",
                .pr_target_branch = "main", .pr_source_repo = fork ? "mallory/shop" : "acme/shop",
                .pr_fork = fork, .web_url = "https://forge.example/acme/shop"};
  run.hold = hold;
  return run;
}

TEST_CASE("a pull request's run keeps its origin, and a held one is approved once") {
  TempDatabase t;
  RepoStore repos(*t.db);
  RunStore runs(*t.db);
  auto repo = repos.Upsert({"acme/shop", "gitea", "http://forge/acme/shop.git", "s"}, 1);
  REQUIRE(repo.ok());
  CHECK(repo->fork_pull_requests == "approve");  // the default

  auto held = runs.CreateRun(PullRequestRun(repo->id, 7, true, true, 10));
  REQUIRE(held.ok());
  CHECK(held->trigger == "pull_request");
  CHECK(held->repo_forge == "gitea");
  CHECK(held->origin.pr_number == 7);
  CHECK(held->origin.pr_source_repo == "mallory/shop");
  CHECK(held->origin.pr_fork);
  CHECK(held->origin.web_url == "https://forge.example/acme/shop");
  CHECK(held->approval == Approval::kAwaiting);
  CHECK_FALSE(held->approved_at);

  CHECK(runs.Approve(held->id, 20).ok());
  auto approved = runs.Get(held->id);
  CHECK(approved->approval == Approval::kApproved);
  CHECK(approved->approved_at == 20);
  Status again = runs.Approve(held->id, 21);
  CHECK(again.code() == ErrorCode::kConflict);
  CHECK(again.message() == "run " + std::to_string(held->id) + " is approved already");

  auto plain = runs.CreateRun(PullRequestRun(repo->id, 8, false, false, 30));
  REQUIRE(plain.ok());
  CHECK(plain->approval == Approval::kNone);
  CHECK(runs.Approve(plain->id, 31).message() == "run " + std::to_string(plain->id) + " does not await approval");
  CHECK(runs.Approve(999, 31).code() == ErrorCode::kNotFound);

  // A held run canceled before approval cannot be approved afterwards.
  auto canceled = runs.CreateRun(PullRequestRun(repo->id, 9, true, true, 40));
  REQUIRE(runs.SetStatus(canceled->id, {.status = RunStatus::kCanceled, .error = "x", .finished_at = 41}).ok());
  CHECK(runs.Approve(canceled->id, 42).message() == "run " + std::to_string(canceled->id) + " has finished (canceled)");

  auto open7 = runs.ListUnfinishedForPullRequest(repo->id, 7);
  REQUIRE(open7.ok());
  REQUIRE(open7->size() == 1);
  CHECK(open7->front().id == held->id);
  CHECK(runs.ListUnfinishedForPullRequest(repo->id, 9)->empty());

  NewRun tag{.repo_id = repo->id, .branch = "", .sha = kSha, .trigger = "tag", .created_at = 50};
  tag.origin.tag = "v1.2.3";
  auto tagged = runs.CreateRun(tag);
  REQUIRE(tagged.ok());
  CHECK(tagged->origin.tag == "v1.2.3");
  CHECK_FALSE(tagged->origin.pr_number);

  NewRun bad = tag;
  bad.trigger = "merge";
  CHECK_FALSE(runs.CreateRun(bad).ok());  // the trigger is CHECKed
}

TEST_CASE("fork_pull_requests is stored, kept when not given, replaced when given") {
  TempDatabase t;
  RepoStore repos(*t.db);
  RepoSpec spec{"acme/shop", "github", "http://forge/acme/shop.git", "s"};
  spec.fork_pull_requests = "ignore";
  REQUIRE(repos.Upsert(spec, 1)->fork_pull_requests == "ignore");
  spec.fork_pull_requests = std::nullopt;
  CHECK(repos.Upsert(spec, 2)->fork_pull_requests == "ignore");
  spec.fork_pull_requests = "run";
  CHECK(repos.Upsert(spec, 3)->fork_pull_requests == "run");
  spec.fork_pull_requests = "sometimes";
  CHECK_FALSE(repos.Upsert(spec, 4).ok());
}

TEST_CASE("rebuilding the runs table keeps runs, their jobs and deliveries") {
  TempDir dir;
  auto all = EmbeddedMigrations();
  size_t rebuild = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].name == "add_runs_forge_events") rebuild = i;
  }
  REQUIRE(rebuild > 0);
  int64_t run_id = 0;
  {
    auto db = Database::Open(dir.File("old.db"), {}, all.subspan(0, rebuild));
    REQUIRE(db.ok());
    // The stores speak the new schema: the old rows are written as the old schema takes them.
    Connection conn = (*db)->Lock();
    REQUIRE(conn.Exec("INSERT INTO repos (id, name, forge, clone_url, secret, default_branch, created_at)"
                      " VALUES (1, 'acme/shop', 'github', 'http://forge/acme/shop.git', 's', 'main', 1);"
                      "INSERT INTO runs (id, repo_id, number, branch, sha, trigger, created_at)"
                      " VALUES (5, 1, 1, 'main', '" + kSha + "', 'push', 5);"
                      "INSERT INTO jobs (run_id, name, stage, spec)"
                      " VALUES (5, 'app', 'app', '{}');"
                      "INSERT INTO push_bodies VALUES (1, '" + std::string(64, 'a') + "', 5);"
                      "INSERT INTO webhook_deliveries (forge, delivery_id, repo_id, event, received_at, outcome, run_id)"
                      " VALUES ('github', 'd-1', 1, 'push', 5, 'run', 5);")
                .ok());
    run_id = 5;
  }
  auto db = Database::Open(dir.File("old.db"));
  REQUIRE(db.ok());
  auto run = RunStore(**db).Get(run_id);
  REQUIRE(run.ok());
  CHECK(run->branch == "main");
  CHECK(run->trigger == "push");
  CHECK(run->approval == Approval::kNone);
  CHECK(JobStore(**db).ListByRun(run_id)->size() == 1);
  CHECK(CountRows(**db, "push_bodies") == 1);
  CHECK(CountRows(**db, "webhook_deliveries") == 1);
  // The references still lead to the rebuilt table: a run that does not exist cannot get jobs.
  CHECK_FALSE(JobStore(**db).CreateJobs(run_id + 100, {{.name = "x", .stage = "x", .spec_json = "{}"}}).ok());
}

TEST_CASE("a migration that leaves a row pointing nowhere is refused") {
  TempDir dir;
  const Migration migrations[] = {
      {1, "create_parents", "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                            "CREATE TABLE c (p_id INTEGER REFERENCES p (id));"},
      {2, "orphan_child", "INSERT INTO c VALUES (42);"}};
  auto db = Database::Open(dir.File("fk.db"), {}, migrations);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().message().find("2_orphan_child") != std::string::npos);
  CHECK(db.status().message().find("a row of table c references a missing row of p") != std::string::npos);
}

}  // namespace
}  // namespace slipway::store
