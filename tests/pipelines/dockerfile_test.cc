// The Dockerfile corpus (tests/data/pipelines/dockerfiles): each NAME.Dockerfile against
// NAME.expected, lines `stage INDEX NAME|- BASE [platform=P]` (BASE is `stage:NAME`, an image, or
// `-` when blank), `edge FROM -> TO from|copy|mount LINE`, `diag LINE:COL CODE`.
#include <catch2/catch.hpp>

#include <algorithm>

#include "pipelines/dockerfile.h"
#include "test_files.h"

namespace fs = std::filesystem;
using namespace slipway::pipelines;
using namespace slipway::pipelines::testing;

namespace {

std::string Label(const Dockerfile& df, int index) {
  const std::string& name = df.stages[index].name;
  return name.empty() ? std::to_string(index) : name;
}

std::vector<std::string> Describe(const DockerfileParse& p) {
  const Dockerfile& df = p.dockerfile;
  std::vector<std::string> out;
  for (const DockerStage& s : df.stages) {
    std::string base = s.base_stage ? "stage:" + Label(df, *s.base_stage) : (s.base_image.empty() ? "-" : s.base_image);
    std::string line = "stage " + std::to_string(s.index) + " " + (s.name.empty() ? "-" : s.name) + " " + base;
    if (!s.platform.empty()) line += " platform=" + s.platform;
    out.push_back(line);
  }
  for (const StageEdge& e : df.edges) {
    const char* kind = e.kind == EdgeKind::kFrom ? "from" : e.kind == EdgeKind::kCopyFrom ? "copy" : "mount";
    out.push_back("edge " + Label(df, e.from) + " -> " + Label(df, e.to) + " " + kind + " " + std::to_string(e.line));
  }
  for (const Diagnostic& d : p.diagnostics) {
    out.push_back("diag " + std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.code);
  }
  return out;
}

DockerfileParse Parse(const std::string& text) { return ParseDockerfile(text, "Dockerfile"); }

}  // namespace

TEST_CASE("Dockerfile corpus: stages, bases and edges as expected") {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(DataDir() / "dockerfiles")) {
    if (entry.path().extension() != ".Dockerfile") continue;
    ++count;
    fs::path expected_path = entry.path();
    expected_path.replace_extension(".expected");
    INFO("file " << entry.path().filename().string());
    std::string text = ReadFile(entry.path());
    std::string expected = ReadFile(expected_path);
    auto actual = Describe(ParseDockerfile(text, entry.path().filename().string()));
    auto want = Lines(expected);
    std::sort(actual.begin(), actual.end());
    std::sort(want.begin(), want.end());
    CHECK(actual == want);
  }
  CHECK(count >= 8);
}

TEST_CASE("Dockerfile: every instruction kept with keyword, args and position") {
  auto p = Parse("# syntax=docker/dockerfile:1\nARG X=1\n\nfrom busybox:1.36 AS a\n  run echo hi \\\n  && echo there\nCOPY <<EOF /f\nbody line\nEOF\nCMD [\"sh\"]\n");
  REQUIRE(p.diagnostics.empty());
  const Dockerfile& df = p.dockerfile;
  CHECK(df.directives.at("syntax") == "docker/dockerfile:1");
  REQUIRE(df.global_instructions.size() == 1);
  CHECK(df.global_args.at("X") == "1");
  REQUIRE(df.stages.size() == 1);
  const auto& ins = df.stages[0].instructions;
  REQUIRE(ins.size() == 4);
  CHECK(ins[0].keyword == "FROM");
  CHECK(ins[1].keyword == "RUN");
  CHECK(ins[1].args == "echo hi   && echo there");
  CHECK(ins[1].line == 5);
  CHECK(ins[1].column == 3);
  CHECK(ins[2].keyword == "COPY");
  REQUIRE(ins[2].heredocs.size() == 1);
  CHECK(ins[2].heredocs[0] == "body line\n");
  CHECK(ins[3].line == 10);
}

TEST_CASE("Dockerfile: build args override declared ARG defaults in FROM only when declared") {
  std::string text = "ARG PY=3.11\nFROM python:${PY}-slim AS base\nFROM $OTHER AS x\n";
  auto p = ParseDockerfile(text, "Dockerfile", {{"PY", "3.12"}, {"OTHER", "ignored"}});
  REQUIRE(p.dockerfile.stages.size() == 2);
  CHECK(p.dockerfile.stages[0].base_image == "python:3.12-slim");
  CHECK(p.dockerfile.stages[1].base_image == "");
  CHECK(p.diagnostics.size() == 2);  // undefined-arg warning, then FROM names nothing
}

TEST_CASE("Dockerfile: cycles through COPY --from are reported") {
  auto p = Parse("FROM busybox AS a\nCOPY --from=b /x /x\nFROM busybox AS b\nCOPY --from=a /y /y\n");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].code == "cycle");
  CHECK(p.diagnostics[0].message.find("a -> b -> a") != std::string::npos);
}

TEST_CASE("Dockerfile: named dependencies look through unnamed stages") {
  auto p = Parse("FROM alpine AS tools\nFROM alpine\nCOPY --from=tools /t /t\nFROM alpine AS final\nCOPY --from=1 /t /t\n");
  REQUIRE(p.diagnostics.empty());
  const Dockerfile& df = p.dockerfile;
  CHECK(df.NamedDependencies(2) == std::vector<std::string>{"tools"});
  CHECK(df.FindStage("FINAL") == &df.stages[2]);
  CHECK(df.FindStage("missing") == nullptr);
}

TEST_CASE("Dockerfile: empty and comment-only files have no FROM") {
  for (const char* text : {"", "# just a comment\n", "\n\n", "ARG A=1\n"}) {
    auto p = Parse(text);
    REQUIRE(p.diagnostics.size() == 1);
    CHECK(p.diagnostics[0].code == "dockerfile-no-from");
  }
}

TEST_CASE("Dockerfile: a stage's base images come through every stage it depends on") {
  auto p = Parse(
      "ARG BASE=busybox:1.36\n"
      "FROM ${BASE} AS build\n"
      "RUN --mount=type=cache,from=127.0.0.1:5000/tools/cache:2,target=/c true\n"
      "FROM build AS test\n"
      "FROM scratch AS assets\nCOPY --from=alpine:3.19 /etc/os-release /\n"
      "FROM SCRATCH AS runtime\nCOPY --from=build /out /app\nCOPY --from=assets / /\nCOPY --from=alpine:3.19 /x /x\n"
      "FROM debian:12 AS unrelated\n");
  REQUIRE(p.diagnostics.empty());
  const Dockerfile& df = p.dockerfile;
  CHECK(df.stages[2].from_images == std::vector<std::string>{"alpine:3.19"});
  CHECK(df.BaseImages(0) == std::vector<std::string>{"busybox:1.36", "127.0.0.1:5000/tools/cache:2"});
  CHECK(df.BaseImages(1) == std::vector<std::string>{"busybox:1.36", "127.0.0.1:5000/tools/cache:2"});
  CHECK(df.BaseImages(2) == std::vector<std::string>{"alpine:3.19"});
  CHECK(df.BaseImages(3) ==
        std::vector<std::string>{"busybox:1.36", "127.0.0.1:5000/tools/cache:2", "alpine:3.19"});
  CHECK(df.BaseImages(4) == std::vector<std::string>{"debian:12"});
}

TEST_CASE("Dockerfile: base images leave out scratch and references an ARG left unresolved") {
  auto p = Parse("FROM scratch AS a\nCOPY --from=${TOOLS} /t /t\nFROM a AS b\n");
  CHECK(p.dockerfile.BaseImages(1).empty());
}
