// Data-driven: every NAME.Dockerfile under tests/data/pipelines/dockerfile-rules is checked by the
// Dockerfile rules and compared with NAME.expected (format in that directory's README.md).
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "pipelines/dockerfile.h"
#include "pipelines/dockerfile_rules.h"
#include "test_files.h"

namespace fs = std::filesystem;
using namespace slipway::pipelines;
using namespace slipway::pipelines::testing;

namespace {

std::set<std::string> Names(const std::string& list) {
  std::set<std::string> out;
  std::istringstream in(list);
  std::string name;
  while (in >> name) out.insert(name);
  return out;
}

}  // namespace

TEST_CASE("Dockerfile rules corpus: each file gives exactly its expected findings") {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(DataDir() / "dockerfile-rules")) {
    if (entry.path().extension() == ".Dockerfile") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 12);
  std::set<std::string> fired;
  for (const fs::path& file : files) {
    INFO("file " << file.filename().string());
    std::string text = ReadFile(file);
    std::string expected = ReadFile(fs::path(file).replace_extension(".expected"));
    DockerfileRuleOptions options;
    std::vector<std::string> want;
    for (const std::string& line : Lines(expected)) {
      if (line.rfind("targets:", 0) == 0)
        options.targets = Names(line.substr(8));
      else if (line.rfind("push:", 0) == 0)
        options.runtime_targets = Names(line.substr(5));
      else
        want.push_back(line);
    }
    DockerfileParse parse = ParseDockerfile(text, file.filename().string());
    REQUIRE(parse.diagnostics.empty());
    std::vector<Diagnostic> found = CheckDockerfile(parse.dockerfile, text, "Dockerfile", options);
    std::vector<std::string> got;
    for (const Diagnostic& d : found) {
      got.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.code);
      fired.insert(d.code);
      CHECK(d.file == "Dockerfile");
      CHECK(d.message.find("; fix: ") != std::string::npos);
      CHECK(d.message.find('\n') == std::string::npos);
    }
    CHECK(got == want);
  }
  // Every rule fires somewhere in the corpus.
  for (const DockerfileRule& rule : DockerfileRules()) {
    INFO("rule " << rule.code);
    CHECK(fired.count(rule.code) == 1);
  }
}

TEST_CASE("Dockerfile rules: severities, messages and the rule table") {
  const std::string text =
      "FROM python:3.12\n"
      "ARG GITHUB_TOKEN\n"
      "RUN pip install flask\n";
  DockerfileParse parse = ParseDockerfile(text, "Dockerfile");
  std::vector<Diagnostic> found = CheckDockerfile(parse.dockerfile, text, "app/Dockerfile");
  std::vector<std::string> formatted;
  for (const Diagnostic& d : found) formatted.push_back(FormatDiagnostic(d));
  CHECK(
      formatted ==
      std::vector<std::string>{
          "app/Dockerfile:1:1: warning[runtime-as-root]: stage 0 ships with no USER, so its "
          "process "
          "runs as root; fix: create an unprivileged user (useradd --system app, or adduser -S "
          "app) "
          "and add USER app before CMD",
          "app/Dockerfile:1:6: warning[full-runtime-base]: stage 0 ships on python:3.12, the full "
          "image with compilers and headers (about 1 GB); fix: FROM python:3.12-slim for the "
          "runtime stage and build anything native in another stage",
          "app/Dockerfile:2:5: error[secret-in-arg]: ARG GITHUB_TOKEN puts a secret in a build "
          "argument, which the image history and provenance keep; fix: drop it, give the stage "
          "`secrets: [{id: github_token, from: GITHUB_TOKEN}]` in .slipway.yml and read it only "
          "where needed with RUN --mount=type=secret,id=github_token (builds get secrets with "
          "--secret, never --build-arg)",
          "app/Dockerfile:3:5: warning[pip-cache]: \"pip install\" leaves its download cache in "
          "the "
          "layer; fix: pip install --no-cache-dir, ENV PIP_NO_CACHE_DIR=1, or RUN "
          "--mount=type=cache,target=/root/.cache/pip",
      });
  CHECK(IsDockerfileRuleCode("secret-in-env"));
  CHECK_FALSE(IsDockerfileRuleCode("unknown-key"));
  for (const DockerfileRule& rule : DockerfileRules()) {
    bool secret = std::string(rule.code).rfind("secret-", 0) == 0;
    CHECK((rule.severity == Severity::kError) == secret);
  }
}

TEST_CASE("Dockerfile rules: the runtime stage is the pushed target, else the final stage") {
  const std::string text =
      "FROM python:3.12-slim AS runtime\n"
      "COPY app.py .\n"
      "USER nobody\n"
      "\n"
      "FROM runtime AS test\n"
      "USER root\n"
      "RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf "
      "/var/lib/apt/lists/*\n";
  DockerfileParse parse = ParseDockerfile(text, "Dockerfile");
  auto codes = [&](const DockerfileRuleOptions& options) {
    std::vector<std::string> out;
    for (const Diagnostic& d : CheckDockerfile(parse.dockerfile, text, "Dockerfile", options)) {
      out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.code);
    }
    return out;
  };
  // Nothing pushed: the final stage, test, is what ships.
  CHECK(codes({{"runtime", "test"}, {}}) ==
        std::vector<std::string>{"6:1: runtime-as-root", "7:66: build-tools-in-runtime"});
  // runtime pushed: test is only built, runtime is clean.
  CHECK(codes({{"runtime", "test"}, {"runtime"}}).empty());
  // Building only runtime leaves test unreachable.
  CHECK(codes({{"runtime"}, {"runtime"}}) == std::vector<std::string>{"5:1: unreachable-stage"});
}
