// The Dockerfile rules inside PlanPipeline: findings in the plan's diagnostics, what the pipeline
// builds and pushes deciding the runtime and unreachable stages, lint.ignore and lint.fail_on.
#include <catch2/catch.hpp>

#include "pipelines/dockerfile_rules.h"
#include "pipelines/planner.h"
#include "test_files.h"

using namespace slipway::pipelines;
using namespace slipway::pipelines::testing;

namespace {

const char* kDockerfile =
    "FROM python:3.12-slim AS build\n"  // 1
    "COPY requirements.txt .\n"         // 2
    "RUN pip wheel --no-cache-dir -w /w -r requirements.txt\n"
    "\n"
    "FROM python:3.12-slim AS runtime\n"  // 5
    "ARG PYPI_TOKEN\n"                    // 6
    "COPY --from=build /w /w\n"
    "RUN pip install /w/*\n"  // 8
    "USER nobody\n"
    "\n"
    "FROM runtime AS debug\n";  // 11

std::vector<std::string> Diags(const PlanResult& r) {
  std::vector<std::string> out;
  for (const Diagnostic& d : r.diagnostics) {
    out.push_back(d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + ": " +
                  SeverityName(d.severity) + "[" + d.code + "]");
  }
  return out;
}

PlanResult Plan(const std::string& pipeline, const std::string& dockerfile = kDockerfile) {
  MemoryRepo repo;
  repo.files[".slipway.yml"] = pipeline;
  repo.files["docker/app.Dockerfile"] = dockerfile;
  PlanContext ctx{"main", "0123456789abcdef0123456789abcdef01234567", 3, std::nullopt};
  return PlanPipeline(repo.Reader(), ctx);
}

const std::string kStages =
    "dockerfile: docker/app.Dockerfile\n"
    "image: 127.0.0.1:5000/app\n"
    "stages:\n"
    "  build: {}\n"
    "  runtime: {needs: [build], push: true, tags: [\"{short_sha}\"]}\n";

}  // namespace

TEST_CASE("planner: rule findings are in the plan, a secret is an error and no job runs") {
  PlanResult r = Plan("version: 1\n" + kStages);
  CHECK(Diags(r) == std::vector<std::string>{
                        "docker/app.Dockerfile:6:5: error[secret-in-arg]",
                        "docker/app.Dockerfile:8:5: warning[pip-cache]",
                        "docker/app.Dockerfile:11:1: warning[unreachable-stage]",
                    });
  CHECK(r.has_errors);
  CHECK(r.jobs.empty());
}

TEST_CASE("planner: lint.ignore silences rule codes, warnings and errors alike") {
  PlanResult r = Plan("version: 1\nlint: {ignore: [secret-in-arg, unreachable-stage]}\n" + kStages);
  CHECK(Diags(r) == std::vector<std::string>{"docker/app.Dockerfile:8:5: warning[pip-cache]"});
  CHECK_FALSE(r.has_errors);
  REQUIRE(r.jobs.size() == 2);
  CHECK(r.jobs[1].name == "runtime");
}

TEST_CASE("planner: lint.ignore cannot silence the pipeline's own errors") {
  PlanResult r = Plan("version: 1\nlint: {ignore: [unknown-need, secret-in-arg]}\n" + kStages +
                      "  extra: {target: build, needs: [nope]}\n");
  CHECK(r.has_errors);
  CHECK(Diags(r)[0].find("error[unknown-need]") != std::string::npos);
}

TEST_CASE("planner: lint.fail_on decides what rule findings do to the run") {
  SECTION("never: every finding is a warning and the jobs are planned") {
    PlanResult r = Plan("version: 1\nlint: {fail_on: never}\n" + kStages);
    CHECK(Diags(r) == std::vector<std::string>{
                          "docker/app.Dockerfile:6:5: warning[secret-in-arg]",
                          "docker/app.Dockerfile:8:5: warning[pip-cache]",
                          "docker/app.Dockerfile:11:1: warning[unreachable-stage]",
                      });
    CHECK_FALSE(r.has_errors);
    CHECK(r.jobs.size() == 2);
  }
  SECTION("warning: every finding is an error") {
    PlanResult r =
        Plan("version: 1\nlint: {fail_on: warning, ignore: [secret-in-arg]}\n" + kStages);
    CHECK(Diags(r) == std::vector<std::string>{
                          "docker/app.Dockerfile:8:5: error[pip-cache]",
                          "docker/app.Dockerfile:11:1: error[unreachable-stage]",
                      });
    CHECK(r.has_errors);
    CHECK(r.jobs.empty());
  }
  SECTION("warning does not touch the pipeline's own warnings") {
    PlanResult r = Plan(
        "version: 1\nlint: {fail_on: warning, ignore: [secret-in-arg, pip-cache, "
        "unreachable-stage]}\n"
        "dockerfile: docker/app.Dockerfile\nstages:\n  runtime: {tags: [x]}\n");
    CHECK(Diags(r) == std::vector<std::string>{".slipway.yml:5:20: warning[tags-without-image]"});
    CHECK_FALSE(r.has_errors);
  }
  SECTION("an unknown level is an error at its position") {
    PlanResult r = Plan("version: 1\nlint:\n  fail_on: sometimes\n" + kStages);
    CHECK(Diags(r)[0] == ".slipway.yml:3:12: error[bad-value]");
  }
}

TEST_CASE("planner: the pushed target is the runtime stage, stages come from the pipeline") {
  // debug pushed: it inherits runtime's USER, so no runtime-as-root; build and runtime are reached.
  PlanResult r = Plan(
      "version: 1\nlint: {ignore: [secret-in-arg, pip-cache]}\n"
      "dockerfile: docker/app.Dockerfile\nimage: 127.0.0.1:5000/app\n"
      "stages:\n  debug: {push: true, tags: [dbg]}\n");
  CHECK(Diags(r).empty());
  // Derived from the Dockerfile: every named stage is a job, none is unreachable; the final stage
  // ships.
  PlanResult derived =
      Plan("version: 1\ndockerfile: docker/app.Dockerfile\nlint: {ignore: [secret-in-arg]}\n");
  CHECK(Diags(derived) ==
        std::vector<std::string>{"docker/app.Dockerfile:8:5: warning[pip-cache]"});
  CHECK(derived.jobs.size() == 3);
}

TEST_CASE("planner: comments silence a finding on the next instruction") {
  std::string silenced = kDockerfile;
  silenced.replace(silenced.find("ARG PYPI_TOKEN"), 14,
                   "# slipway:ignore=secret-in-arg\nARG PYPI_TOKEN");
  PlanResult r = Plan("version: 1\n" + kStages, silenced);
  CHECK(Diags(r) == std::vector<std::string>{
                        "docker/app.Dockerfile:9:5: warning[pip-cache]",
                        "docker/app.Dockerfile:12:1: warning[unreachable-stage]",
                    });
  CHECK(r.jobs.size() == 2);
}

TEST_CASE("planner: a Dockerfile with errors is not checked by the rules") {
  PlanResult r = Plan("version: 1\n" + kStages,
                      "FROM python:3.12 AS build\nARG PYPI_TOKEN\nFROM build AS build\n");
  for (const Diagnostic& d : r.diagnostics) CHECK_FALSE(IsDockerfileRuleCode(d.code));
  CHECK(r.has_errors);
}
