#include "core/job_result.h"

#include <catch2/catch.hpp>

namespace slipway::core {
namespace {

using nlohmann::json;

const std::string kDigest = "sha256:" + std::string(64, 'a');
const std::string kBase = "sha256:" + std::string(64, 'b');

struct Subject {
  store::Run run;
  store::Job job;
  Subject() {
    run.id = 3;
    run.repo_id = 2;
    run.branch = "main";
    run.sha = std::string(40, 'c');
    job.id = 7;
    job.run_id = 3;
    job.name = "runtime";
    job.spec_json = R"({"bases":["busybox:1.36"]})";
  }
};

protocol::FinishReport Built() {
  protocol::FinishReport r;
  r.status = JobStatus::kSuccess;
  r.duration_ms = 900;
  r.cache = {4, 3};
  r.image = protocol::ImageFacts{.ref = "127.0.0.1:5000/app:main", .digest = kDigest, .size_bytes = 300,
                                 .compressed_size_bytes = 120,
                                 .layers = {{kBase, 200, 100, "RUN make"}, {"", 100, std::nullopt, "COPY . /"}}};
  r.bases = {{"busybox:1.36", kBase, "engine"}};
  return r;
}

TEST_CASE("a built image becomes an image record of the job's stage, branch and commit") {
  Subject s;
  store::JobFinish f = JobFinishOf(Built(), std::nullopt, s.run, s.job, "L1", 5000);
  CHECK(f.job_id == 7);
  CHECK(f.lease_id == "L1");
  CHECK(f.status == JobStatus::kSuccess);
  CHECK(f.finished_at == 5000);
  CHECK(f.duration_ms == 900);
  REQUIRE(f.image);
  CHECK(f.image->digest == kDigest);
  CHECK(f.image->repo_id == 2);
  CHECK(f.image->job_id == 7);
  CHECK(f.image->stage == "runtime");
  CHECK(f.image->branch == "main");
  CHECK(f.image->sha == s.run.sha);
  CHECK(f.image->ref == "127.0.0.1:5000/app:main");
  CHECK(f.image->compressed_size_bytes == 120);
  CHECK(f.image->created_at == 5000);
  REQUIRE(f.image->layers.size() == 2);
  CHECK(f.image->layers[1].index == 1);
  CHECK(f.image->layers[1].instruction == "COPY . /");
  CHECK_FALSE(f.image->layers[1].compressed_size_bytes);
  REQUIRE(f.bases.size() == 1);
  CHECK(f.bases[0].ref == "busybox:1.36");
  json result = json::parse(f.result_json);
  CHECK(result["image"]["digest"] == kDigest);
  CHECK(result["cache"] == json({{"steps", 4}, {"cached", 3}}));
  CHECK(result["bases"][0]["source"] == "engine");
  CHECK_FALSE(result.contains("insight"));
}

TEST_CASE("only the bases a job's own spec names are recorded") {
  Subject s;
  protocol::FinishReport report = Built();
  report.bases.push_back({"10.0.0.9:80/evil:1", kBase, "registry"});
  store::JobFinish f = JobFinishOf(report, std::nullopt, s.run, s.job, "L1", 5000);
  REQUIRE(f.bases.size() == 1);
  CHECK(f.bases[0].ref == "busybox:1.36");
  CHECK(json::parse(f.result_json)["bases"].size() == 1);
}

TEST_CASE("a failed review makes the job a failure, keeps its image, drops its bases") {
  Subject s;
  ReviewOutcome review{json{{"digest", kDigest}}, {"image is 300 B, over the budget of 100 B", "1 critical finding"}};
  store::JobFinish f = JobFinishOf(Built(), review, s.run, s.job, "L1", 5000);
  CHECK(f.status == JobStatus::kFailure);
  CHECK(f.error == "image is 300 B, over the budget of 100 B; 1 critical finding");
  CHECK(f.image);
  CHECK(f.bases.empty());
  json result = json::parse(f.result_json);
  CHECK(result["insight"]["failures"].size() == 2);

  // The same report sent again finds the job failed by its review: a retry, not a conflict.
  store::Job finished = s.job;
  finished.status = JobStatus::kFailure;
  finished.result_json = f.result_json;
  CHECK(IsRetriedFinish(finished, JobStatus::kSuccess));
  finished.result_json = json{{"image", {{"digest", kDigest}}}}.dump();
  CHECK_FALSE(IsRetriedFinish(finished, JobStatus::kSuccess));
  CHECK(IsRetriedFinish(finished, JobStatus::kFailure));
}

TEST_CASE("a failed build records no image and no bases") {
  Subject s;
  protocol::FinishReport r;
  r.status = JobStatus::kFailure;
  r.error = "exit code: 3";
  r.failed_step = "[test 3/3] RUN exit 3";
  store::JobFinish f = JobFinishOf(r, std::nullopt, s.run, s.job, "L1", 5000);
  CHECK(f.status == JobStatus::kFailure);
  CHECK(f.error == "exit code: 3");
  CHECK_FALSE(f.image);
  CHECK(f.bases.empty());
  CHECK(json::parse(f.result_json)["failed_step"] == "[test 3/3] RUN exit 3");
}

}  // namespace
}  // namespace slipway::core
