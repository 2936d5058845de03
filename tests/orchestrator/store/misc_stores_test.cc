// Steps, logs, agents, images and scans.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/agent_store.h"
#include "store/image_store.h"
#include "store/job_store.h"
#include "store/log_store.h"
#include "store/repo_store.h"
#include "store/run_store.h"
#include "store/scan_store.h"
#include "store/step_store.h"
#include "temp_database.h"

namespace slipway::store {
namespace {

using testing::CountRows;
using testing::TempDatabase;

struct Fixture {
  TempDatabase t;
  int64_t repo_id = 0;
  int64_t job_id = 0;
  int64_t run_id = 0;

  Fixture() {
    RepoStore repos(*t.db);
    auto repo = repos.Upsert({"acme/shop", "github", "http://forge/shop.git", "", std::nullopt}, 1);
    REQUIRE(repo.ok());
    repo_id = repo->id;
    RunStore runs(*t.db);
    NewRun run;
    run.repo_id = repo_id;
    run.branch = "main";
    run.sha = "abc";
    run.created_at = 1;
    auto created = runs.CreateRun(run);
    REQUIRE(created.ok());
    JobStore jobs(*t.db);
    auto job = jobs.CreateJobs(created->id, {{"runtime", "runtime", "{}", {}, 1}});
    REQUIRE(job.ok());
    job_id = job->front().id;
    run_id = created->id;
  }
};

TEST_CASE("steps are replaced as a whole") {
  Fixture f;
  StepStore steps(*f.t.db);
  REQUIRE(steps
              .ReplaceSteps(f.job_id, {{0, "sha256:a", "[runtime 1/3] FROM", true, 1, 2, 1, ""},
                                       {1, "sha256:b", "[runtime 2/3] RUN pip", false, 2,
                                        std::nullopt, std::nullopt, ""}})
              .ok());
  REQUIRE(steps
              .ReplaceSteps(f.job_id, {{0, "sha256:a", "[runtime 1/3] FROM", true, 1, 2, 1, ""},
                                       {1, "sha256:b", "[runtime 2/3] RUN pip", false, 2, 9, 7, ""},
                                       {2, "sha256:c", "[runtime 3/3] COPY", false, 9, 10, 1, "x"}})
              .ok());
  auto listed = steps.List(f.job_id);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 3);
  CHECK((*listed)[0].cached);
  CHECK((*listed)[1].completed_at == 9);
  CHECK((*listed)[2].error == "x");

  // Two steps with one index: refused, and the previous list is intact.
  CHECK(steps
            .ReplaceSteps(f.job_id, {{0, "", "a", false, {}, {}, {}, ""},
                                     {0, "", "b", false, {}, {}, {}, ""}})
            .code() == ErrorCode::kAlreadyExists);
  CHECK(steps.List(f.job_id)->size() == 3);
  CHECK(steps.ReplaceSteps(999, {{0, "", "a", false, {}, {}, {}, ""}}).code() ==
        ErrorCode::kNotFound);
}

TEST_CASE("log chunks are appended once and read in order per attempt") {
  Fixture f;
  LogStore logs(*f.t.db);
  CHECK(*logs.Append(f.job_id, 1, 0, "#1 FROM busybox\n", 10));
  CHECK(*logs.Append(f.job_id, 1, 2, "#3 DONE\n", 12));
  CHECK(*logs.Append(f.job_id, 1, 1, "#2 RUN true\n", 11));
  CHECK_FALSE(*logs.Append(f.job_id, 1, 1, "different data for a retried seq", 13));
  CHECK(*logs.Append(f.job_id, 2, 0, "attempt two\n", 20));
  CHECK(*logs.Append(f.job_id, 1, 3, std::string("bin\0ary", 7), 14));
  CHECK(CountRows(*f.t.db, "log_chunks") == 5);

  auto all = logs.ReadFrom(f.job_id, 1, -1, 100);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  CHECK((*all)[0].data == "#1 FROM busybox\n");
  CHECK((*all)[1].data == "#2 RUN true\n");
  CHECK((*all)[1].created_at == 11);
  CHECK((*all)[3].data == std::string("bin\0ary", 7));

  auto page = logs.ReadFrom(f.job_id, 1, 0, 2);
  REQUIRE(page.ok());
  REQUIRE(page->size() == 2);
  CHECK(page->front().seq == 1);
  CHECK(page->back().seq == 2);
  CHECK(logs.ReadFrom(f.job_id, 2, -1, 10)->size() == 1);
  CHECK(logs.ReadFrom(f.job_id, 1, 3, 10)->empty());
  CHECK(logs.Append(f.job_id, 1, -1, "x", 1).status().code() == ErrorCode::kInvalidArgument);
  CHECK(logs.Append(999, 1, 0, "x", 1).status().code() == ErrorCode::kNotFound);
}

TEST_CASE("agent heartbeats upsert by name") {
  Fixture f;
  AgentStore agents(*f.t.db);
  auto first = agents.Heartbeat("builder-1", R"({"arch":"amd64"})", 2, "0.1.0", 100);
  REQUIRE(first.ok());
  CHECK(first->created_at == 100);
  auto again = agents.Heartbeat("builder-1", R"({"arch":"arm64"})", 4, "0.2.0", 250);
  REQUIRE(again.ok());
  CHECK(again->id == first->id);
  CHECK(again->created_at == 100);
  CHECK(again->last_seen_at == 250);
  CHECK(again->capacity == 4);
  CHECK(again->labels_json == R"({"arch":"arm64"})");
  REQUIRE(agents.Heartbeat("a-builder", "", 1, "0.1.0", 300).ok());
  auto listed = agents.List();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].name == "a-builder");
  CHECK((*listed)[0].labels_json == "{}");
  CHECK(agents.Heartbeat("b", "{bad", 1, "", 1).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("a lease renewal counts as a heartbeat of the job's holder") {
  Fixture f;
  AgentStore agents(*f.t.db);
  REQUIRE(agents.Heartbeat("builder-1", "", 1, "0.1.0", 100).ok());
  REQUIRE(agents.Heartbeat("builder-2", "", 1, "0.1.0", 100).ok());
  REQUIRE(agents.HeardFromHolder(f.job_id, 400).ok());  // nobody holds the job yet
  CHECK(agents.List()->at(0).last_seen_at == 100);

  JobStore jobs(*f.t.db);
  REQUIRE(jobs.MarkLeased(f.job_id, "lease-1", "builder-2", 1, 15000, 200).ok());
  REQUIRE(agents.HeardFromHolder(f.job_id, 500).ok());
  auto listed = agents.List();
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].last_seen_at == 100);
  CHECK((*listed)[1].last_seen_at == 500);
  REQUIRE(agents.HeardFromHolder(f.job_id, 450).ok());  // a late answer does not move it back
  CHECK(agents.List()->at(1).last_seen_at == 500);
  CHECK(agents.HeardFromHolder(999, 600).ok());
}

ImageRecord Image(int64_t repo_id, std::optional<int64_t> job_id, std::string digest,
                  std::string branch, int64_t size, int64_t at) {
  ImageRecord image;
  image.digest = std::move(digest);
  image.repo_id = repo_id;
  image.job_id = job_id;
  image.stage = "runtime";
  image.branch = std::move(branch);
  image.sha = "abc";
  image.ref = "127.0.0.1:5000/shop:main";
  image.size_bytes = size;
  image.compressed_size_bytes = size / 2;
  image.created_at = at;
  image.layers = {{0, "sha256:l0", size - 100, std::nullopt, "FROM python:3.11-slim"},
                  {1, "sha256:l1", 100, 60, "COPY . /app # buildkit"}};
  return image;
}

TEST_CASE("images are recorded with layers and give a size history") {
  Fixture f;
  ImageStore images(*f.t.db);
  REQUIRE(images.Record(Image(f.repo_id, f.job_id, "sha256:one", "main", 1000, 10)).ok());
  REQUIRE(images.Record(Image(f.repo_id, std::nullopt, "sha256:two", "dev", 1500, 20)).ok());
  // A fully cached rebuild yields the same digest again: a new build row, the layers once.
  REQUIRE(images.Record(Image(f.repo_id, std::nullopt, "sha256:one", "main", 1000, 30)).ok());
  CHECK(CountRows(*f.t.db, "images") == 3);
  CHECK(CountRows(*f.t.db, "layers") == 4);
  CHECK(images.Record(Image(f.repo_id, f.job_id, "sha256:one", "main", 1000, 40)).status().code() ==
        ErrorCode::kAlreadyExists);

  auto one = images.Get("sha256:one");
  REQUIRE(one.ok());
  CHECK(one->created_at == 30);
  REQUIRE(one->layers.size() == 2);
  CHECK(one->layers[0].instruction == "FROM python:3.11-slim");
  CHECK_FALSE(one->layers[0].compressed_size_bytes);
  CHECK(one->layers[1].compressed_size_bytes == 60);
  CHECK(images.Get("sha256:none").status().code() == ErrorCode::kNotFound);

  auto history = images.History(f.repo_id, "runtime", std::nullopt, 10);
  REQUIRE(history.ok());
  REQUIRE(history->size() == 3);
  CHECK((*history)[0].created_at == 30);
  CHECK((*history)[1].size_bytes == 1500);
  auto main_only = images.History(f.repo_id, "runtime", std::string("main"), 1);
  REQUIRE(main_only.ok());
  REQUIRE(main_only->size() == 1);
  CHECK(main_only->front().created_at == 30);
  CHECK(images.History(f.repo_id, "test", std::nullopt, 10)->empty());

  // A bad layer rolls the whole record back.
  ImageRecord bad = Image(f.repo_id, std::nullopt, "sha256:three", "main", 10, 50);
  bad.layers[1].size_bytes = -5;
  CHECK(images.Record(bad).status().code() == ErrorCode::kInvalidArgument);
  CHECK(CountRows(*f.t.db, "images") == 3);
  CHECK(images.Get("sha256:three").status().code() == ErrorCode::kNotFound);
}

TEST_CASE("the latest scan of an image is found per scanner") {
  Fixture f;
  ScanStore scans(*f.t.db);
  REQUIRE(scans.Record({0, "sha256:one", "trivy", 100, R"({"critical":1})", "[]"}).ok());
  REQUIRE(scans.Record({0, "sha256:one", "trivy", 200, R"({"critical":0})", "[]"}).ok());
  REQUIRE(scans.Record({0, "sha256:one", "grype", 300, R"({"critical":5})", "[]"}).ok());
  auto latest = scans.Latest("sha256:one", "trivy");
  REQUIRE(latest.ok());
  CHECK(latest->finished_at == 200);
  CHECK(latest->summary_json == R"({"critical":0})");
  CHECK(scans.Latest("sha256:one", "osv").status().code() == ErrorCode::kNotFound);
  CHECK(scans.Record({0, "sha256:one", "trivy", 1, "{", "[]"}).status().code() ==
        ErrorCode::kInvalidArgument);

  REQUIRE(scans.Record({0, "sha256:one", "osv", 400, "{}", "[]", "files=2;bytes=10;mtime=5"}).ok());
  auto each = scans.LatestEach("sha256:one");
  REQUIRE(each.ok());
  REQUIRE(each->size() == 3);
  CHECK((*each)[0].scanner == "grype");
  CHECK((*each)[1].scanner == "osv");
  CHECK((*each)[1].data_version == "files=2;bytes=10;mtime=5");
  CHECK((*each)[2].finished_at == 200);
  CHECK(scans.LatestEach("sha256:none")->empty());
}

TEST_CASE("an image report is kept once per digest") {
  Fixture f;
  ImageStore images(*f.t.db);
  REQUIRE(images.SaveReport("sha256:one", R"({"size_bytes":1})", 1).ok());
  REQUIRE(images.SaveReport("sha256:one", R"({"size_bytes":2})", 2).ok());  // the first stays
  CHECK(*images.Report("sha256:one") == R"({"size_bytes":1})");
  CHECK(images.Report("sha256:two").status().code() == ErrorCode::kNotFound);
  CHECK(images.SaveReport("sha256:two", "{", 3).code() == ErrorCode::kInvalidArgument);
  CHECK(CountRows(*f.t.db, "image_reports") == 1);
}

TEST_CASE("the last good build of a stage is the latest whose job succeeded") {
  Fixture f;
  ImageStore images(*f.t.db);
  JobStore jobs(*f.t.db);
  CHECK(images.LastGood(f.repo_id, "runtime", "main").status().code() == ErrorCode::kNotFound);
  REQUIRE(images.Record(Image(f.repo_id, f.job_id, "sha256:good", "main", 1000, 10)).ok());
  REQUIRE(jobs.MarkLeased(f.job_id, "lease-1", "agent", 1, 100, 5).ok());
  REQUIRE(jobs.Finish(f.job_id, "lease-1", JobStatus::kSuccess, "{}", "", 20, 15).ok());
  // A later build whose job failed (a broken budget) does not count.
  auto failed = jobs.CreateJobs(f.run_id, {{"runtime-2", "runtime", "{}", {}, 1}});
  REQUIRE(failed.ok());
  int64_t failed_id = failed->back().id;
  REQUIRE(images.Record(Image(f.repo_id, failed_id, "sha256:bad", "main", 9000, 30)).ok());
  Status leased = jobs.MarkLeased(failed_id, "lease-2", "agent", 1, 100, 25);
  INFO(leased.ToString());
  REQUIRE(leased.ok());
  REQUIRE(jobs.Finish(failed_id, "lease-2", JobStatus::kFailure, "{}", "budget", 40, 15).ok());
  auto last = images.LastGood(f.repo_id, "runtime", "main");
  REQUIRE(last.ok());
  CHECK(last->digest == "sha256:good");
  CHECK(images.LastGood(f.repo_id, "runtime", "dev").status().code() == ErrorCode::kNotFound);
}

}  // namespace
}  // namespace slipway::store
