#include <catch2/catch.hpp>

#include <random>

#include "pipelines/dockerfile.h"
#include "pipelines/pipeline_parser.h"
#include "pipelines/planner.h"
#include "test_files.h"

using namespace slipway::pipelines;
using namespace slipway::pipelines::testing;

TEST_CASE("ParsePipeline reads every documented key") {
  auto p = ParsePipeline(R"(version: 1
image: r/shop
dockerfile: d/Dockerfile
context: d
on:
  push: {branches: [main], paths: ["src/**"]}
  schedule: ["*/5 * * * *"]
lint: {ignore: [tag-collision]}
stages:
  runtime:
    target: rt
    needs: test
    push: yes
    runs_on: [gpu]
    labels: {arch: arm64}
matrix: {PY: [3.10, "3.12"]}
)", ".slipway.yml");
  REQUIRE(p.diagnostics.empty());
  const Pipeline& pl = p.pipeline;
  CHECK(pl.image->value == "r/shop");
  CHECK(pl.image->pos.line == 2);
  CHECK(pl.image->pos.column == 8);
  CHECK(pl.dockerfile.value == "d/Dockerfile");
  CHECK(pl.branches.at(0).value == "main");
  CHECK(pl.schedule.size() == 1);
  CHECK(pl.lint_ignore == std::vector<std::string>{"tag-collision"});
  REQUIRE(pl.stages.size() == 1);
  const StageConfig& s = pl.stages[0];
  CHECK(s.TargetName() == "rt");
  CHECK(s.needs.at(0).value == "test");
  CHECK(s.push);
  CHECK(s.labels.at("gpu") == "true");
  CHECK(s.labels.at("arch") == "arm64");
  REQUIRE(pl.matrix.size() == 1);
  CHECK(pl.matrix[0].values == std::vector<std::string>{"3.10", "3.12"});  // YAML text, not 3.1
}

TEST_CASE("ParsePipeline reports several problems at once") {
  auto p = ParsePipeline("imag: x\nstages: [a]\nmatrix: 3\non: {push: {branches: {a: b}}}\n", "p.yml");
  REQUIRE(p.diagnostics.size() == 4);
  CHECK(FormatDiagnostic(p.diagnostics[0]) == "p.yml:1:1: error[unknown-key]: unknown key \"imag\" in the pipeline; did you mean \"image\"?");
  CHECK(p.diagnostics[1].code == "wrong-type");
  CHECK(p.diagnostics[2].code == "wrong-type");
  CHECK(p.diagnostics[3].code == "wrong-type");
  CHECK(p.diagnostics[3].line == 4);
}

TEST_CASE("ParsePipeline checks budget.max_ratio_of: a stage and a positive percentage") {
  auto p = ParsePipeline("stages:\n  a:\n    budget: {max_ratio_of: {stage: b, ratio: 0.3}}\n"
                         "  c:\n    budget: {max_ratio_of: {ratio: 30%}}\n  d:\n    budget: {max_ratio_of: 30%}\n",
                         "p.yml");
  REQUIRE(p.diagnostics.size() == 3);
  CHECK(FormatDiagnostic(p.diagnostics[0]) ==
        "p.yml:3:46: error[bad-percent]: \"0.3\" is not a positive percentage (example: 30%)");
  CHECK(p.diagnostics[1].code == "bad-value");
  CHECK(p.diagnostics[2].code == "wrong-type");
}

TEST_CASE("ParsePipeline reads a stage's timeout and points at one that is not a duration") {
  auto p = ParsePipeline("stages:\n  a: {timeout: 90s}\n  b: {timeout: 1h30m}\n  c: {timeout: 10 minutes}\n"
                         "  d: {timeout: 200h}\n",
                         "p.yml");
  REQUIRE(p.diagnostics.size() == 2);
  CHECK(FormatDiagnostic(p.diagnostics[0]) ==
        "p.yml:4:16: error[bad-duration]: \"10 minutes\" is not a duration (examples: 90s, 10m, 1h30m; at most 168h)");
  CHECK(p.diagnostics[1].code == "bad-duration");
  CHECK(p.diagnostics[1].line == 5);
  CHECK(p.pipeline.stages.at(0).timeout_seconds == 90);
  CHECK(p.pipeline.stages.at(1).timeout_seconds == 5400);
}

TEST_CASE("ParsePipeline checks on.schedule entries as cron expressions, at their position") {
  auto p = ParsePipeline("version: 1\non:\n  schedule:\n    - \"0 */6 * * *\"\n    - \"@weekly\"\n"
                         "    - \"0 25 * * *\"\n    - \"0 0 * * FUN\"\n", ".slipway.yml");
  REQUIRE(p.diagnostics.size() == 2);
  CHECK(FormatDiagnostic(p.diagnostics[0]) ==
        ".slipway.yml:6:7: error[bad-cron]: on.schedule \"0 25 * * *\": hour field: 25 is out of range 0-23");
  CHECK(FormatDiagnostic(p.diagnostics[1]) ==
        ".slipway.yml:7:7: error[bad-cron]: on.schedule \"0 0 * * FUN\": day-of-week field: \"FUN\" is not a number or a name");
  std::vector<std::string> crons;
  for (const auto& entry : p.pipeline.schedule) crons.push_back(entry.cron);
  CHECK(crons == std::vector<std::string>{"0 */6 * * *", "@weekly", "0 25 * * *", "0 0 * * FUN"});
}

TEST_CASE("ParsePipeline reads on.tag, scheduled builds, when: and push.when") {
  auto p = ParsePipeline(R"(version: 1
image: r/shop
on:
  tag: ["v*", "!v0.*"]
  schedule:
    - "0 3 * * *"
    - {cron: "30 4 * * 1", build: true}
stages:
  test:
    when: {event: [push, pull_request]}
  runtime:
    push:
      when: {branch: [main], event: [push, tag]}
)", ".slipway.yml");
  REQUIRE(p.diagnostics.empty());
  const Pipeline& pl = p.pipeline;
  REQUIRE(pl.tag_patterns.size() == 2);
  CHECK(pl.tag_patterns[1].value == "!v0.*");
  REQUIRE(pl.schedule.size() == 2);
  CHECK_FALSE(pl.schedule[0].build);
  CHECK(pl.schedule[1].cron == "30 4 * * 1");
  CHECK(pl.schedule[1].build);
  REQUIRE(pl.stages.size() == 2);
  CHECK(pl.stages[0].when.set);
  CHECK(pl.stages[0].when.events == std::vector<std::string>{"push", "pull_request"});
  CHECK_FALSE(pl.stages[0].push);
  CHECK(pl.stages[1].push);
  CHECK(pl.stages[1].push_when.branches == std::vector<std::string>{"main"});
  CHECK(pl.stages[1].push_when.events == std::vector<std::string>{"push", "tag"});
  CHECK_FALSE(pl.stages[1].when.set);
}

TEST_CASE("ParsePipeline points at bad when: and on.schedule values") {
  auto p = ParsePipeline(R"(version: 1
on:
  schedule:
    - {build: true}
stages:
  a:
    when: {event: [merge], branches: [x]}
  b:
    when: [main]
)", ".slipway.yml");
  std::vector<std::string> lines;
  for (const auto& d : p.diagnostics) lines.push_back(FormatDiagnostic(d));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == ".slipway.yml:4:7: error[bad-cron]: an on.schedule entry needs a cron time");
  CHECK(lines[1] == ".slipway.yml:7:20: error[bad-value]: stages.a.when.event \"merge\" is not one of push, "
                    "pull_request, tag, manual, schedule, base-update");
  CHECK(lines[2] == ".slipway.yml:7:28: error[unknown-key]: unknown key \"branches\" in stages.a.when; did you "
                    "mean \"branch\"?");
  CHECK(lines[3] == ".slipway.yml:9:11: error[wrong-type]: stages.b.when must be a mapping with branch and event "
                    "lists, not a list");
}

TEST_CASE("ParsePipeline refuses files that are too large") {
  std::string big(kMaxPipelineBytes + 1, '#');
  auto p = ParsePipeline(big, "p.yml");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].code == "file-too-large");
}

TEST_CASE("garbage never crashes the parser or the Dockerfile reader or the planner") {
  std::vector<std::string> inputs = {
      "", ":", "- - -", "{", "[[[[", "stages: {a: {needs: [[[]]]}}", "*alias", "&a [*a]", "? [a]\n: b",
      "stages:\n  ? [x]\n  : {}\n", "matrix: {A: [{x: 1}]}", "on: [push]", "\t\tbad: indent", "%YAML 9.9\n---\n",
      "stages: {a: {budget: {max_size: [1]}}}", "\"unterminated", "a: !!binary zz", "stages: {a: {scan: {ignore: 5}}}",
      std::string(3000, '['), std::string("\0\xff\xfe", 3)};
  std::mt19937 rng(20240611);
  const std::string alphabet = "abstgeimnor:{}[],-*&!|>'\"\n #%@`\\$<=/.0123456789FROMASCOPY";
  for (int i = 0; i < 400; ++i) {
    std::string s;
    int len = static_cast<int>(rng() % 120);
    for (int k = 0; k < len; ++k) s += alphabet[rng() % alphabet.size()];
    inputs.push_back(s);
  }
  for (const std::string& text : inputs) {
    CAPTURE(text);
    auto p = ParsePipeline(text, "p.yml");
    for (const Diagnostic& d : p.diagnostics) {
      CHECK(d.line >= 1);
      CHECK(d.column >= 1);
      CHECK_FALSE(d.code.empty());
    }
    auto df = ParseDockerfile(text, "Dockerfile");
    for (const Diagnostic& d : df.diagnostics) CHECK(d.line >= 1);
    MemoryRepo repo;
    repo.files[".slipway.yml"] = text;
    repo.files["Dockerfile"] = text;
    PlanResult r = PlanPipeline(repo.Reader(), PlanContext{"main", "abc", 1, std::nullopt});
    if (r.has_errors) CHECK(r.jobs.empty());
  }
}
