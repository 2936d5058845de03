// PlanPipeline and the run's event: on.tag, when:, push.when, version tags and `latest`.
#include <catch2/catch.hpp>

#include "pipelines/planner.h"
#include "test_files.h"

namespace slipway::pipelines {
namespace {

using testing::MemoryRepo;

const char* kPipeline = R"(image: 127.0.0.1:5000/app
on:
  push: {branches: [main, "feature/*"]}
  tag: ["v*"]
stages:
  test:
    when: {event: [push, pull_request]}
  runtime:
    needs: [test]
    push:
      when: {branch: [main], event: [push, tag]}
    tags: ["{branch}", "{semver}", "{major}.{minor}", "{major}", "latest"]
)";

MemoryRepo Repo() {
  MemoryRepo repo;
  repo.files["Dockerfile"] = "FROM busybox:1.36 AS test\nRUN true\nFROM busybox:1.36 AS runtime\nUSER 65534\n";
  repo.files[".slipway.yml"] = kPipeline;
  return repo;
}

PlanContext Context(std::string event, std::string branch, std::string tag = "") {
  PlanContext ctx;
  ctx.branch = std::move(branch);
  ctx.sha = "0123456789abcdef0123456789abcdef01234567";
  ctx.run_number = 3;
  ctx.event = std::move(event);
  ctx.tag = std::move(tag);
  ctx.repo_tags = std::vector<std::string>{"v1.2.3", "v1.1.0", "v1.3.0-rc.1"};
  return ctx;
}

const JobSpec* Find(const PlanResult& r, const std::string& name) {
  for (const auto& j : r.jobs) {
    if (j.name == name) return &j;
  }
  return nullptr;
}

TEST_CASE("a push to main runs both stages and pushes the branch tag only") {
  PlanResult r = PlanPipeline(Repo().Reader(), Context("push", "main"));
  REQUIRE_FALSE(r.has_errors);
  REQUIRE(r.jobs.size() == 2);
  const JobSpec* runtime = Find(r, "runtime");
  REQUIRE(runtime);
  CHECK(runtime->push);
  CHECK(runtime->needs == std::vector<std::string>{"test"});
  CHECK(runtime->tags == std::vector<std::string>{"127.0.0.1:5000/app:main", "127.0.0.1:5000/app:latest"});
  CHECK(r.diagnostics.empty());  // the version templates are skipped silently
}

TEST_CASE("a push to a feature branch builds without pushing and without tags") {
  PlanResult r = PlanPipeline(Repo().Reader(), Context("push", "feature/x"));
  REQUIRE(r.jobs.size() == 2);
  const JobSpec* runtime = Find(r, "runtime");
  CHECK_FALSE(runtime->push);
  CHECK(runtime->tags.empty());
}

TEST_CASE("the highest release tag pushes its versions and latest, the test stage is left out") {
  PlanResult r = PlanPipeline(Repo().Reader(), Context("tag", "", "v1.2.3"));
  REQUIRE_FALSE(r.filtered_out);
  REQUIRE(r.jobs.size() == 1);
  const JobSpec& runtime = r.jobs[0];
  CHECK(runtime.name == "runtime");
  CHECK(runtime.needs.empty());  // test is not run for tags
  CHECK(runtime.push);
  CHECK(runtime.tags == std::vector<std::string>{"127.0.0.1:5000/app:1.2.3", "127.0.0.1:5000/app:1.2",
                                                 "127.0.0.1:5000/app:1", "127.0.0.1:5000/app:latest"});
}

TEST_CASE("an older release tag does not move latest, a pre-release moves only its own version") {
  PlanResult old = PlanPipeline(Repo().Reader(), Context("tag", "", "v1.1.0"));
  REQUIRE(old.jobs.size() == 1);
  CHECK(old.jobs[0].tags == std::vector<std::string>{"127.0.0.1:5000/app:1.1.0", "127.0.0.1:5000/app:1.1",
                                                     "127.0.0.1:5000/app:1"});
  PlanResult rc = PlanPipeline(Repo().Reader(), Context("tag", "", "v1.3.0-rc.1"));
  REQUIRE(rc.jobs.size() == 1);
  CHECK(rc.jobs[0].tags == std::vector<std::string>{"127.0.0.1:5000/app:1.3.0-rc.1"});
}

TEST_CASE("on.tag filters tag runs, on.push does not filter them nor pull requests") {
  PlanResult r = PlanPipeline(Repo().Reader(), Context("tag", "", "nightly"));
  CHECK(r.filtered_out);
  CHECK(r.filter_reason == "tag \"nightly\" does not match on.tag [v*]");
  PlanResult pr = PlanPipeline(Repo().Reader(), Context("pull_request", "pull/7"));
  CHECK_FALSE(pr.filtered_out);
  REQUIRE(pr.jobs.size() == 2);
  CHECK_FALSE(Find(pr, "runtime")->push);
}

TEST_CASE("a run for which no stage's when: holds is filtered out with the reason") {
  MemoryRepo repo = Repo();
  repo.files[".slipway.yml"] = "stages:\n  test:\n    when: {event: [push]}\n";
  PlanResult r = PlanPipeline(repo.Reader(), Context("schedule", "main"));
  CHECK(r.filtered_out);
  CHECK(r.filter_reason == "no stage's when: holds for this schedule run");
  CHECK(r.jobs.empty());
}

}  // namespace
}  // namespace slipway::pipelines
