// Base images recorded per job, and the newest successful build of each branch.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/base_image_store.h"
#include "store/job_store.h"
#include "store/repo_store.h"
#include "store/run_store.h"
#include "temp_database.h"

namespace slipway::store {
namespace {

using testing::CountRows;
using testing::TempDatabase;

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

struct Fixture {
  TempDatabase t;
  int64_t repo_id = 0;

  Fixture() {
    auto repo = RepoStore(*t.db).Upsert({"acme/shop", "github", "http://forge/shop.git", "", std::nullopt}, 1);
    REQUIRE(repo.ok());
    repo_id = repo->id;
  }

  // A run on `branch` ending with `status`, with one job per name; returns the job ids.
  std::vector<int64_t> Run(const std::string& branch, const std::string& sha, RunStatus status,
                           const std::vector<std::string>& jobs, const std::string& trigger = "push") {
    RunStore runs(*t.db);
    auto run = runs.CreateRun({.repo_id = repo_id, .branch = branch, .sha = sha, .trigger = trigger, .created_at = 1});
    REQUIRE(run.ok());
    std::vector<NewJob> new_jobs;
    for (const auto& name : jobs) new_jobs.push_back({name, name, "{}", {}, 1});
    auto created = JobStore(*t.db).CreateJobs(run->id, new_jobs);
    REQUIRE(created.ok());
    if (status != RunStatus::kPending) REQUIRE(runs.SetStatus(run->id, {.status = status, .error = ""}).ok());
    std::vector<int64_t> ids;
    for (const auto& j : *created) ids.push_back(j.id);
    return ids;
  }
};

TEST_CASE("a job's bases are recorded with its run, branch and name, once each") {
  Fixture f;
  int64_t job = f.Run("release/1", "aaa", RunStatus::kSuccess, {"runtime-3.11"})[0];
  BaseImageStore bases(*f.t.db);
  std::vector<BaseDigest> reported = {{"busybox:1.36", Digest('a'), "engine"},
                                      {"127.0.0.1:5000/base:1", Digest('b'), "registry"}};
  REQUIRE(bases.Record(job, reported, 42).ok());
  REQUIRE(bases.Record(job, {reported[0]}, 43).ok());  // a retried report adds nothing
  auto latest = bases.LatestBuilt(f.repo_id);
  REQUIRE(latest.ok());
  REQUIRE(latest->size() == 1);
  CHECK((*latest)[0].sha == "aaa");
  const std::vector<BaseImageRecord>& listed = (*latest)[0].bases;
  REQUIRE(listed.size() == 2);
  const BaseImageRecord& first = listed[0];
  CHECK(first.job_id == job);
  CHECK(first.repo_id == f.repo_id);
  CHECK(first.branch == "release/1");
  CHECK(first.stage == "runtime-3.11");
  CHECK(first.base.ref == "busybox:1.36");
  CHECK(first.base.digest == Digest('a'));
  CHECK(first.base.source == "engine");
  CHECK(first.created_at == 42);
  CHECK(listed[1].base.source == "registry");
}

TEST_CASE("bad bases are refused whole, and an unknown job is not found") {
  Fixture f;
  int64_t job = f.Run("main", "aaa", RunStatus::kSuccess, {"build"})[0];
  BaseImageStore bases(*f.t.db);
  Status bad = bases.Record(job, {{"busybox:1.36", Digest('a'), "engine"}, {"alpine:3", "md5:00", "engine"}}, 1);
  CHECK(bad.code() == ErrorCode::kInvalidArgument);
  CHECK(bases.Record(job, {{"", Digest('a'), "engine"}}, 1).code() == ErrorCode::kInvalidArgument);
  CHECK(bases.Record(job, {{"alpine:3", Digest('a'), "guess"}}, 1).code() == ErrorCode::kInvalidArgument);
  CHECK(CountRows(*f.t.db, "base_images") == 0);
  CHECK(bases.Record(job + 100, {{"alpine:3", Digest('a'), "engine"}}, 1).code() == ErrorCode::kNotFound);
  CHECK(bases.Record(job + 100, {}, 1).ok());
}

TEST_CASE("each branch's newest successful run with bases is what a check compares") {
  Fixture f;
  BaseImageStore bases(*f.t.db);
  auto old_main = f.Run("main", "sha1", RunStatus::kSuccess, {"build", "runtime"});
  REQUIRE(bases.Record(old_main[0], {{"busybox:1.36", Digest('1'), "engine"}}, 1).ok());
  auto main = f.Run("main", "sha2", RunStatus::kSuccess, {"build", "runtime"});
  REQUIRE(bases.Record(main[0], {{"busybox:1.36", Digest('2'), "engine"}}, 2).ok());
  REQUIRE(bases.Record(main[1], {{"busybox:1.36", Digest('2'), "engine"}, {"alpine:3", Digest('3'), "engine"}}, 2).ok());
  // A failed run's successful job recorded bases, and a run still going: neither counts.
  auto failed = f.Run("main", "sha3", RunStatus::kFailure, {"build", "runtime"});
  REQUIRE(bases.Record(failed[0], {{"busybox:1.36", Digest('4'), "engine"}}, 3).ok());
  auto running = f.Run("main", "sha4", RunStatus::kRunning, {"build"});
  REQUIRE(bases.Record(running[0], {{"busybox:1.36", Digest('5'), "engine"}}, 4).ok());
  auto feature = f.Run("feature/x", "sha5", RunStatus::kSuccess, {"build"});
  REQUIRE(bases.Record(feature[0], {{"busybox:1.35", Digest('6'), "registry"}}, 5).ok());
  f.Run("never-built", "sha6", RunStatus::kFailure, {"build"});
  // A pull request's and a tag's runs build commits that are no branch's head: never rebuilt.
  auto pull = f.Run("pull/7", "sha7", RunStatus::kSuccess, {"build"}, "pull_request");
  REQUIRE(bases.Record(pull[0], {{"busybox:1.36", Digest('7'), "engine"}}, 6).ok());
  auto tag = f.Run("", "sha8", RunStatus::kSuccess, {"build"}, "tag");
  REQUIRE(bases.Record(tag[0], {{"busybox:1.36", Digest('8'), "engine"}}, 7).ok());

  auto latest = bases.LatestBuilt(f.repo_id);
  REQUIRE(latest.ok());
  REQUIRE(latest->size() == 2);
  const BuiltBranch& fx = (*latest)[0];
  CHECK(fx.branch == "feature/x");
  CHECK(fx.sha == "sha5");
  REQUIRE(fx.bases.size() == 1);
  CHECK(fx.bases[0].base.ref == "busybox:1.35");
  const BuiltBranch& m = (*latest)[1];
  CHECK(m.branch == "main");
  CHECK(m.sha == "sha2");
  REQUIRE(m.bases.size() == 3);
  CHECK(m.bases[0].stage == "build");
  CHECK(m.bases[0].base.digest == Digest('2'));
  CHECK(m.bases[2].base.ref == "alpine:3");
  CHECK(m.bases[2].stage == "runtime");

  auto other = RepoStore(*f.t.db).Upsert({"acme/other", "github", "http://forge/other.git", "", std::nullopt}, 1);
  REQUIRE(other.ok());
  auto none = bases.LatestBuilt(other->id);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

}  // namespace
}  // namespace slipway::store
