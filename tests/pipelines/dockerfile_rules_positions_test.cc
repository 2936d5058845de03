// Properties of every finding on every Dockerfile in the test data (the rules corpus, the reader's
// corpus, the pipeline cases) and on garbage: no crash, positions inside the file on the word the
// finding names, one line per message.
#include <catch2/catch.hpp>
#include <random>
#include <sstream>

#include "pipelines/dockerfile.h"
#include "pipelines/dockerfile_rules.h"
#include "test_files.h"

namespace fs = std::filesystem;
using namespace slipway::pipelines;
using namespace slipway::pipelines::testing;

TEST_CASE("Dockerfile rules: every finding on the test data points inside its file") {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(DataDir())) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.find("Dockerfile") != std::string::npos)
      files.push_back(entry.path());
  }
  REQUIRE(files.size() >= 30);
  size_t findings = 0;
  for (const fs::path& file : files) {
    INFO("file " << file.string());
    std::string text = ReadFile(file);
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    DockerfileParse parse = ParseDockerfile(text, "Dockerfile");
    for (const Diagnostic& d : CheckDockerfile(parse.dockerfile, text, "Dockerfile")) {
      ++findings;
      INFO(FormatDiagnostic(d));
      REQUIRE(d.line >= 1);
      REQUIRE(d.line <= static_cast<int>(lines.size()));
      const std::string& line = lines[d.line - 1];
      REQUIRE(d.column >= 1);
      REQUIRE(d.column <= static_cast<int>(line.size()));
      CHECK(line[d.column - 1] != ' ');
      CHECK(IsDockerfileRuleCode(d.code));
      CHECK(d.message.find('\n') == std::string::npos);
    }
  }
  CHECK(findings >= 40);
}

TEST_CASE("Dockerfile rules: garbage never crashes them") {
  const std::string alphabet =
      "FROMRUNCOPYADDENVARGUSER apt-get install pip npm . ./ = \\\n\"'#<<EOF[]{}$:/@-";
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string text;
    size_t length = rng() % 400;
    for (size_t i = 0; i < length; ++i) text += alphabet[rng() % alphabet.size()];
    if (round % 3 == 0) text = "FROM python:3.12 AS a\n" + text;
    DockerfileParse parse = ParseDockerfile(text, "Dockerfile");
    for (const Diagnostic& d :
         CheckDockerfile(parse.dockerfile, text, "Dockerfile", {{"a", ""}, {"a"}})) {
      CHECK(d.line >= 1);
      CHECK(d.column >= 1);
    }
  }
}
