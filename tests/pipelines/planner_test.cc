#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>

#include "pipelines/planner.h"
#include "test_files.h"

using namespace slipway::pipelines;
using namespace slipway::pipelines::testing;

namespace {

const char* kDockerfile =
    "FROM busybox:1.36 AS build\nRUN true\nFROM build AS test\nFROM scratch AS runtime\n"
    "COPY --from=build /out /app\nUSER 65534\n";

PlanContext Push(std::string branch = "feature/login") {
  return {std::move(branch), "0123456789abcdef0123456789abcdef01234567", 12, std::nullopt};
}

}  // namespace

TEST_CASE("PlanPipeline compiles full JobSpecs: tags, cache refs, args, budget") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = kDockerfile;
  repo.files[".slipway.yml"] = R"(image: 127.0.0.1:5000/shop
stages:
  test: {}
  runtime:
    needs: [test]
    push: true
    tags: ["{branch}", "{short_sha}", "run-{run}", "latest", "{branch}"]
    build_args: {APP_ENV: prod, PY: overridden}
    platforms: [linux/amd64]
    labels: {arch: amd64}
    pull: true
    timeout: 20m
    budget: {max_size: 150MB, max_growth: 10%, min_efficiency: 90%, max_ratio_of: {stage: test, ratio: 30%}}
    scan: {fail_on: critical, ignore: [{id: CVE-1, until: 2030-01-31, reason: later}]}
matrix: {PY: ["3.11"]}
)";
  PlanResult r = PlanPipeline(repo.Reader(), Push());
  INFO((r.diagnostics.empty() ? std::string() : FormatDiagnostic(r.diagnostics[0])));
  REQUIRE_FALSE(r.has_errors);
  REQUIRE(r.diagnostics.empty());
  REQUIRE(r.jobs.size() == 2);
  const JobSpec& rt = r.jobs[1];
  CHECK(rt.name == "runtime-3.11");
  CHECK(rt.stage == "runtime");
  CHECK(rt.target == "runtime");
  CHECK(rt.needs == std::vector<std::string>{"test-3.11"});
  CHECK(rt.tags == std::vector<std::string>{"127.0.0.1:5000/shop:feature-login", "127.0.0.1:5000/shop:0123456",
                                            "127.0.0.1:5000/shop:run-12", "127.0.0.1:5000/shop:latest"});
  CHECK(rt.cache_ref == "127.0.0.1:5000/shop:cache-runtime-3.11");
  CHECK(rt.build_args == std::vector<std::pair<std::string, std::string>>{{"APP_ENV", "prod"}, {"PY", "3.11"}});
  CHECK(rt.matrix.at("PY") == "3.11");
  CHECK(rt.push);
  CHECK(rt.timeout_seconds == 1200);
  CHECK(r.jobs[0].timeout_seconds == 0);  // the server's default
  CHECK(rt.platforms == std::vector<std::string>{"linux/amd64"});
  CHECK(rt.labels.at("arch") == "amd64");
  CHECK(rt.budget.max_size_bytes == 150000000LL);
  CHECK(rt.budget.max_growth_percent == Approx(10));
  CHECK(rt.budget.min_efficiency == Approx(0.9));
  CHECK(rt.budget.ratio_of_stage == "test");
  CHECK(rt.budget.max_ratio_percent == Approx(30));
  CHECK(rt.pull);
  CHECK_FALSE(r.jobs[0].pull);
  CHECK(rt.scan.fail_on == "critical");
  CHECK(rt.scan.ignore.at(0).until == "2030-01-31");
  CHECK(r.jobs[0].tags.empty());
  CHECK_FALSE(r.jobs[0].push);
  CHECK(r.jobs[0].image == "127.0.0.1:5000/shop");
}

TEST_CASE("PlanPipeline orders jobs after what they need, whatever the file order") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = kDockerfile;
  repo.files[".slipway.yml"] = "stages:\n  runtime: {needs: [test]}\n  test: {needs: [build]}\n  build: {}\n";
  PlanResult r = PlanPipeline(repo.Reader(), Push());
  REQUIRE(r.jobs.size() == 3);
  CHECK(r.jobs[0].name == "build");
  CHECK(r.jobs[1].name == "test");
  CHECK(r.jobs[2].name == "runtime");
  CHECK(r.jobs[0].cache_ref.empty());
}

TEST_CASE("PlanPipeline reads each Dockerfile once, at the normalised path") {
  MemoryRepo repo;
  repo.files["docker/app.Dockerfile"] = kDockerfile;
  repo.files["ci/slipway.yml"] =
      "dockerfile: ./docker//app.Dockerfile\ncontext: src/..\nstages: {build: {}, test: {context: app}}\n";
  PlanResult r = PlanPipeline(repo.Reader(), Push(), "ci/slipway.yml");
  REQUIRE_FALSE(r.has_errors);
  CHECK(repo.reads == std::vector<std::string>{"ci/slipway.yml", "docker/app.Dockerfile"});
  REQUIRE(r.jobs.size() == 2);
  CHECK(r.jobs[0].dockerfile == "docker/app.Dockerfile");
  CHECK(r.jobs[0].context == ".");
  CHECK(r.jobs[1].context == "app");
}

TEST_CASE("PlanPipeline: missing pipeline file is one error") {
  MemoryRepo repo;
  PlanResult r = PlanPipeline(repo.Reader(), Push());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(FormatDiagnostic(r.diagnostics[0]) ==
        ".slipway.yml:1:1: error[missing-pipeline]: the pipeline file .slipway.yml does not exist");
  CHECK(r.has_errors);
}

TEST_CASE("PlanPipeline: filters decide with a reason, not an error") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = kDockerfile;
  repo.files[".slipway.yml"] = "on: {push: {branches: [main], paths: [\"src/**\"]}}\n";
  PlanResult off_branch = PlanPipeline(repo.Reader(), Push("dev"));
  CHECK(off_branch.filtered_out);
  CHECK_FALSE(off_branch.has_errors);
  CHECK(off_branch.jobs.empty());
  CHECK(off_branch.filter_reason == "branch \"dev\" does not match on.push.branches [main]");

  PlanContext ctx = Push("main");
  PlanResult no_paths_known = PlanPipeline(repo.Reader(), ctx);
  CHECK_FALSE(no_paths_known.filtered_out);
  CHECK(no_paths_known.jobs.size() == 3);

  ctx.changed_paths = std::vector<std::string>{"README.md"};
  PlanResult docs_only = PlanPipeline(repo.Reader(), ctx);
  CHECK(docs_only.filtered_out);
  ctx.changed_paths = std::vector<std::string>{"README.md", "src/a/b.c"};
  CHECK_FALSE(PlanPipeline(repo.Reader(), ctx).filtered_out);
}

TEST_CASE("PlanPipeline: lint.ignore drops warnings but never errors") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = "FROM ${BASE}busybox:1.36 AS build\nUSER 1\n";
  repo.files[".slipway.yml"] = "stages: {build: {tags: [x]}}\n";
  PlanResult loud = PlanPipeline(repo.Reader(), Push());
  REQUIRE(loud.diagnostics.size() == 2);
  CHECK(loud.diagnostics[0].code == "tags-without-image");
  CHECK(loud.diagnostics[1].code == "undefined-arg");
  CHECK_FALSE(loud.has_errors);
  CHECK(loud.jobs.size() == 1);

  repo.files[".slipway.yml"] =
      "lint: {ignore: [undefined-arg, tags-without-image, unknown-need]}\nstages: {build: {tags: [x], needs: [nope]}}\n";
  PlanResult quiet = PlanPipeline(repo.Reader(), Push());
  REQUIRE(quiet.diagnostics.size() == 1);
  CHECK(quiet.diagnostics[0].code == "unknown-need");
  CHECK(quiet.has_errors);
}

TEST_CASE("PlanPipeline: matrix tags that do not vary collide (warning)") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = kDockerfile;
  repo.files[".slipway.yml"] =
      "image: r/x\nmatrix: {V: [a, b]}\nstages: {runtime: {push: true, tags: [\"{branch}\", \"{V}-{branch}\"]}}\n"
      "lint: {ignore: [unreachable-stage]}\n";
  PlanResult r = PlanPipeline(repo.Reader(), Push("main"));
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == "tag-collision");
  CHECK(r.diagnostics[0].line == 3);
  REQUIRE(r.jobs.size() == 2);
  CHECK(r.jobs[1].tags == std::vector<std::string>{"r/x:main", "r/x:b-main"});
}

TEST_CASE("PlanPipeline: a tag rendering to nothing is dropped with a warning") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = kDockerfile;
  repo.files[".slipway.yml"] =
      "image: r/x\nstages: {runtime: {push: true, tags: [\"{branch}\", stable]}}\nlint: {ignore: [unreachable-stage]}\n";
  PlanResult r = PlanPipeline(repo.Reader(), Push(""));
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == "empty-tag");
  CHECK(r.diagnostics[0].severity == Severity::kWarning);
  CHECK(r.jobs.at(0).tags == std::vector<std::string>{"r/x:stable"});
}

TEST_CASE("Diagnostic formatting and JSON") {
  Diagnostic d{"ci.yml", 3, 7, "cycle", Severity::kError, "stages depend on each other: a -> b -> a"};
  CHECK(FormatDiagnostic(d) == "ci.yml:3:7: error[cycle]: stages depend on each other: a -> b -> a");
  d.severity = Severity::kWarning;
  CHECK(FormatDiagnostic(d).find("warning[cycle]") != std::string::npos);
  nlohmann::json j = ToJson(d);
  CHECK(j["line"] == 3);
  CHECK(j["severity"] == "warning");
  CHECK(j["code"] == "cycle");
}

TEST_CASE("cycle message names the cycle") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = kDockerfile;
  repo.files[".slipway.yml"] =
      "stages:\n  a: {target: build, needs: [b]}\n  b: {target: test, needs: [a]}\nlint: {ignore: [unreachable-stage]}\n";
  PlanResult r = PlanPipeline(repo.Reader(), Push());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(FormatDiagnostic(r.diagnostics[0]) == ".slipway.yml:3:29: error[cycle]: stages depend on each other: a -> b -> a");
}

TEST_CASE("PlanPipeline lists each job's base images, with its build args applied") {
  MemoryRepo repo;
  repo.files["Dockerfile"] =
      "ARG PY=3.11\nARG TOOLS=127.0.0.1:5000/tools:1\n"
      "FROM python:${PY}-slim AS build\nCOPY --from=${TOOLS} /t /t\n"
      "FROM build AS test\n"
      "FROM scratch AS runtime\nCOPY --from=build /out /app\n";
  repo.files[".slipway.yml"] =
      "stages:\n  test: {}\n  runtime: {needs: [test], build_args: {TOOLS: \"127.0.0.1:5000/tools:2\"}}\n"
      "matrix: {PY: [\"3.11\", \"3.12\"]}\n";
  PlanResult r = PlanPipeline(repo.Reader(), Push());
  REQUIRE_FALSE(r.has_errors);
  REQUIRE(r.jobs.size() == 4);
  std::map<std::string, std::vector<std::string>> bases;
  for (const JobSpec& j : r.jobs) bases[j.name] = j.bases;
  CHECK(bases["test-3.11"] == std::vector<std::string>{"python:3.11-slim"});
  CHECK(bases["test-3.12"] == std::vector<std::string>{"python:3.12-slim"});
  // BuildKit does not expand ARGs in COPY --from, so ${TOOLS} is no base, whatever the build arg says.
  CHECK(bases["runtime-3.12"] == std::vector<std::string>{"python:3.12-slim"});
}

TEST_CASE("PlanPipeline gives the final stage's bases to a Dockerfile without named stages") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = "FROM busybox:1.36\nRUN true\nFROM alpine:3.19\nCOPY --from=0 /bin/busybox /bb\n";
  repo.files[".slipway.yml"] = "version: 1\n";
  PlanResult r = PlanPipeline(repo.Reader(), Push());
  REQUIRE(r.jobs.size() == 1);
  CHECK(r.jobs[0].target.empty());
  CHECK(r.jobs[0].bases == std::vector<std::string>{"busybox:1.36", "alpine:3.19"});
}

TEST_CASE("PlanPipeline gives each job its stage's secrets and ssh keys by name, never a value") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = kDockerfile;
  repo.files[".slipway.yml"] = R"(stages:
  test:
    secrets: [{id: pip_token, from: PYPI_TOKEN}, {id: npm, from: NPM_TOKEN, env: true}]
    ssh: [default, {id: gitlab, from: GITLAB_KEY}]
  runtime: {needs: [test]}
matrix: {PY: ["3.11", "3.12"]}
)";
  PlanResult plan = PlanPipeline(repo.Reader(), Push());
  INFO(plan.diagnostics.size());
  REQUIRE_FALSE(plan.has_errors);
  REQUIRE(plan.jobs.size() == 4);
  for (const JobSpec& job : plan.jobs) {
    if (job.stage == "test") {
      CHECK(job.secrets == std::vector<BuildSecretRef>{{"pip_token", "PYPI_TOKEN", false},
                                                       {"npm", "NPM_TOKEN", true}});
      CHECK(job.ssh == std::vector<SshKeyRef>{{"default", "SSH_KEY"}, {"gitlab", "GITLAB_KEY"}});
    } else {
      CHECK(job.secrets.empty());
      CHECK(job.ssh.empty());
    }
  }
}
