// Hostile input to the planner: every limit of limits.h is a diagnostic with a position and a
// stable code, reached in bounded time and memory.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>

#include "pipelines/dockerfile.h"
#include "pipelines/glob.h"
#include "pipelines/input_text.h"
#include "pipelines/limits.h"
#include "pipelines/pipeline_parser.h"
#include "pipelines/planner.h"
#include "pipelines/repo_path.h"
#include "test_files.h"

using namespace slipway::pipelines;
using namespace slipway::pipelines::testing;

namespace {

const Diagnostic* Find(const std::vector<Diagnostic>& diagnostics, const std::string& code) {
  for (const auto& d : diagnostics) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

PlanContext Push() { return {"main", "0123456789abcdef0123456789abcdef01234567", 1, std::nullopt}; }

// A repository tree held in memory for ResolveRepoSymlinks: directories, files and links.
RepoLookup TreeOf(std::map<std::string, RepoEntry> entries) {
  return [entries = std::move(entries)](const std::string& path) -> slipway::Result<RepoEntry> {
    auto it = entries.find(path);
    return it == entries.end() ? RepoEntry{} : it->second;
  };
}

RepoEntry Dir() { return {RepoEntry::Kind::kDirectory, ""}; }
RepoEntry File() { return {RepoEntry::Kind::kFile, ""}; }
RepoEntry Link(std::string target) { return {RepoEntry::Kind::kSymlink, std::move(target)}; }

double SecondsFor(const std::function<void()>& work) {
  auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("FirstInvalidUtf8 finds the first byte that is not well-formed UTF-8") {
  CHECK_FALSE(FirstInvalidUtf8("plain ascii\n"));
  CHECK_FALSE(FirstInvalidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80"));
  CHECK(FirstInvalidUtf8("caf\xe9: 1") == 3u);        // Latin-1
  CHECK(FirstInvalidUtf8("a\xc0\x80") == 1u);          // overlong NUL
  CHECK(FirstInvalidUtf8("a\xed\xa0\x80") == 1u);      // a UTF-16 surrogate
  CHECK(FirstInvalidUtf8("a\xf4\x90\x80\x80") == 1u);  // past U+10FFFF
  CHECK(FirstInvalidUtf8("ab\xe2\x82") == 2u);         // cut short
  CHECK(FirstInvalidUtf8("\x80") == 0u);               // a lone continuation byte
}

TEST_CASE("a pipeline file that is not UTF-8 is a not-utf8 diagnostic at its line and column") {
  PipelineParse p = ParsePipeline("version: 1\ncaf\xe9: 1\n", ".slipway.yml");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(FormatDiagnostic(p.diagnostics[0]) ==
        ".slipway.yml:2:4: error[not-utf8]: the pipeline file is not UTF-8: byte 0xE9 cannot start or "
        "continue a character here");
}

TEST_CASE("a pipeline file refused whole plans nothing further: its one diagnostic is the run's") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = "FROM busybox:1.36\n";
  repo.files[".slipway.yml"] = "caf\xe9: 1\n";
  PlanResult plan = PlanPipeline(repo.Reader(), Push());
  REQUIRE(plan.diagnostics.size() == 1);
  CHECK(plan.diagnostics[0].code == "not-utf8");
  CHECK(repo.reads == std::vector<std::string>{".slipway.yml"});
}

TEST_CASE("a Dockerfile that is not UTF-8 is a not-utf8 diagnostic and nothing else") {
  DockerfileParse p = ParseDockerfile("FROM busybox:1.36\nRUN echo \xff\n", "Dockerfile");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].code == "not-utf8");
  CHECK(p.diagnostics[0].line == 2);
  CHECK(p.diagnostics[0].column == 10);
  CHECK(p.dockerfile.stages.empty());
}

TEST_CASE("a billion laughs of YAML aliases stops at the node limit, quickly") {
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 9; ++k) yaml += ", " + prev;
    yaml += "]\n";
  }
  PipelineParse p;
  double seconds = SecondsFor([&] { p = ParsePipeline(yaml, ".slipway.yml"); });
  const Diagnostic* d = Find(p.diagnostics, "yaml-too-large");
  REQUIRE(d != nullptr);
  CHECK(d->message.find(std::to_string(kMaxYamlNodes)) != std::string::npos);
  CHECK(seconds < 5);
}

TEST_CASE("stages past the limit are one too-many-stages diagnostic") {
  std::string yaml = "stages:\n";
  for (size_t i = 0; i <= kMaxStages; ++i) yaml += "  s" + std::to_string(i) + ": {}\n";
  PipelineParse p = ParsePipeline(yaml, ".slipway.yml");
  const Diagnostic* d = Find(p.diagnostics, "too-many-stages");
  REQUIRE(d != nullptr);
  CHECK(d->line == 2);
  CHECK(p.pipeline.stages.empty());
}

TEST_CASE("a matrix times the stages past the job limit is too-many-jobs, with no jobs") {
  MemoryRepo repo;
  std::string dockerfile;
  std::string yaml = "matrix: {A: [a1, a2, a3, a4, a5, a6, a7, a8], B: [b1, b2, b3, b4, b5, b6, b7, b8]}\nstages:\n";
  for (int i = 0; i < 10; ++i) {
    dockerfile += "FROM busybox:1.36 AS s" + std::to_string(i) + "\n";
    yaml += "  s" + std::to_string(i) + ": {}\n";
  }
  repo.files["Dockerfile"] = dockerfile;
  repo.files[".slipway.yml"] = yaml;
  PlanResult plan = PlanPipeline(repo.Reader(), Push());
  const Diagnostic* d = Find(plan.diagnostics, "too-many-jobs");
  REQUIRE(d != nullptr);
  CHECK(d->message == "the pipeline expands to 640 jobs; the limit is " + std::to_string(kMaxJobsPerRun));
  CHECK(plan.jobs.empty());
}

TEST_CASE("chained ARGs that double each other stop at arg-too-long, in bounded memory") {
  // The 506-byte shape that grew the server past 4 GB: each ARG four times the one before.
  std::string text = "ARG A0=xxxxxxxxxxxxxxxx\n";
  for (int i = 1; i <= 30; ++i) {
    std::string prev = "${A" + std::to_string(i - 1) + "}";
    text += "ARG A" + std::to_string(i) + "=" + prev + prev + prev + prev + "\n";
  }
  text += "FROM busybox:${A30}\n";
  DockerfileParse p;
  double seconds = SecondsFor([&] { p = ParseDockerfile(text, "Dockerfile"); });
  const Diagnostic* d = Find(p.diagnostics, "arg-too-long");
  REQUIRE(d != nullptr);
  CHECK(d->line == 7);  // A6 is the first value past 16 KiB (16 * 4^6 bytes)
  for (const auto& [name, value] : p.dockerfile.global_args) CHECK(value.value_or("").size() <= kMaxExpandedArgBytes);
  CHECK(seconds < 5);
}

TEST_CASE("a Dockerfile over the byte, instruction or stage limits is refused with its code") {
  CHECK(ParseDockerfile(std::string(kMaxDockerfileBytes + 1, '#'), "Dockerfile").diagnostics.at(0).code ==
        "file-too-large");
  std::string many = "FROM busybox:1.36\n";
  for (size_t i = 0; i < kMaxDockerfileInstructions; ++i) many += "RUN true\n";
  DockerfileParse p = ParseDockerfile(many, "Dockerfile");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].code == "too-many-instructions");
  CHECK(p.diagnostics[0].line == static_cast<int>(kMaxDockerfileInstructions) + 1);
  std::string stages;
  for (size_t i = 0; i <= kMaxDockerfileStages; ++i) stages += "FROM busybox:1.36 AS s" + std::to_string(i) + "\n";
  p = ParseDockerfile(stages, "Dockerfile");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].code == "too-many-stages");
  CHECK(p.diagnostics[0].line == static_cast<int>(kMaxDockerfileStages) + 1);
}

TEST_CASE("GlobMatch does bounded work on patterns built to backtrack") {
  std::string pattern;
  for (int i = 0; i < 100; ++i) pattern += "*a";
  pattern += "b";
  std::string text(4000, 'a');
  bool matched = true;
  double seconds = SecondsFor([&] { matched = GlobMatch(pattern, text); });
  CHECK_FALSE(matched);
  CHECK(seconds < 2);
  CHECK_FALSE(GlobMatch(std::string(kMaxGlobPatternBytes + 1, '*'), "x"));
  CHECK_FALSE(GlobMatch("*", std::string(kMaxGlobTextBytes + 1, 'x')));
  // The Dockerfile rules use the same matcher on file and package names.
  CHECK(GlobMatch("requirements*.txt", "requirements-dev.txt"));
  CHECK(GlobMatch("*-dev", "libssl-dev"));
}

TEST_CASE("ResolveRepoSymlinks follows links inside the repository and refuses those leading out") {
  RepoLookup tree = TreeOf({{"docker", Dir()},
                            {"docker/Dockerfile", File()},
                            {"Dockerfile", Link("docker/Dockerfile")},
                            {"ctx", Link("../../mirrors")},
                            {"abs", Link("/etc")},
                            {"deep", Link("docker/../..")},
                            {"up", Link("docker/..")},
                            {"loop", Link("loop")}});
  CHECK(*ResolveRepoSymlinks("Dockerfile", tree) == "docker/Dockerfile");
  CHECK(*ResolveRepoSymlinks("up", tree) == ".");
  CHECK(*ResolveRepoSymlinks("up/docker/Dockerfile", tree) == "docker/Dockerfile");
  CHECK(*ResolveRepoSymlinks("missing/file", tree) == "missing/file");
  CHECK(ResolveRepoSymlinks("ctx", tree).status().message() ==
        "ctx goes through the symbolic link ctx -> ../../mirrors, which leads out of the repository");
  CHECK_FALSE(ResolveRepoSymlinks("ctx/repo.git/config", tree).ok());
  CHECK_FALSE(ResolveRepoSymlinks("abs", tree).ok());
  CHECK_FALSE(ResolveRepoSymlinks("deep/x", tree).ok());
  CHECK(ResolveRepoSymlinks("loop", tree).status().message().find("more than 40 symbolic links") !=
        std::string::npos);
}

TEST_CASE("the planner refuses a context or Dockerfile reached through a link out of the repository") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = "FROM busybox:1.36\nCOPY . /m\n";
  repo.files[".slipway.yml"] = "context: ctx\n";
  PlanContext ctx = Push();
  ctx.lookup = TreeOf({{"Dockerfile", File()}, {"ctx", Link("../../mirrors")}});
  PlanResult plan = PlanPipeline(repo.Reader(), ctx);
  REQUIRE(plan.has_errors);
  const Diagnostic* d = Find(plan.diagnostics, "path-escapes-repo");
  REQUIRE(d != nullptr);
  CHECK(FormatDiagnostic(*d) ==
        ".slipway.yml:1:10: error[path-escapes-repo]: ctx goes through the symbolic link ctx -> ../../mirrors, "
        "which leads out of the repository");
  CHECK(plan.jobs.empty());

  // A link inside the repository is followed: the job names where it leads.
  repo.files[".slipway.yml"] = "dockerfile: Dockerfile.link\n";
  ctx.lookup = TreeOf({{"Dockerfile", File()}, {"Dockerfile.link", Link("Dockerfile")}});
  plan = PlanPipeline(repo.Reader(), ctx);
  REQUIRE_FALSE(plan.has_errors);
  REQUIRE(plan.jobs.size() == 1);
  CHECK(plan.jobs[0].dockerfile == "Dockerfile");
}

TEST_CASE("planning past its deadline stops with planning-deadline") {
  MemoryRepo repo;
  repo.files["Dockerfile"] = "FROM busybox:1.36 AS a\n";
  repo.files[".slipway.yml"] = "stages: {a: {}}\n";
  PlanContext ctx = Push();
  ctx.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  PlanResult plan = PlanPipeline(repo.Reader(), ctx);
  REQUIRE(Find(plan.diagnostics, "planning-deadline") != nullptr);
  CHECK(plan.jobs.empty());
}
