#include "agent/progress_parser.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/files.h"

namespace slipway::agent {
namespace {

std::string ReadFixture(const std::string& name) {
  return ::slipway::testing::ReadFile(std::string(SLIPWAY_TEST_DATA_DIR) + "/fixtures/buildx/" + name);
}

// Feeds data in random chunk sizes (1..max_chunk) and returns all lines.
std::vector<std::string> FeedRandomly(ProgressParser& parser, const std::string& data, unsigned seed,
                                      size_t max_chunk) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> size(1, max_chunk);
  std::vector<std::string> lines;
  size_t off = 0;
  while (off < data.size()) {
    size_t n = std::min(size(rng), data.size() - off);
    parser.Feed(std::string_view(data).substr(off, n), &lines);
    off += n;
  }
  parser.Finish(&lines);
  return lines;
}

bool HasLine(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

int CountWithSuffix(const std::vector<std::string>& lines, const std::string& suffix) {
  return static_cast<int>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.size() >= suffix.size() && l.compare(l.size() - suffix.size(), suffix.size(), suffix) == 0;
  }));
}

TEST_CASE("cold build: steps, output lines and cache counts, whatever the chunking") {
  const std::string data = ReadFixture("rawjson.runtime-first.txt");
  std::vector<std::string> reference;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    ProgressParser parser;
    auto lines = FeedRandomly(parser, data, seed, seed % 4 == 0 ? 1 : 97 * seed);
    if (seed == 1) reference = lines;
    REQUIRE(lines == reference);
    REQUIRE(parser.steps().size() == 4);
    CacheCount cache = parser.Cache();
    CHECK(cache.steps == 3);
    CHECK(cache.cached == 0);
    CHECK(parser.FailedStep() == nullptr);
    CHECK(parser.error_lines().empty());
  }
  ProgressParser parser;
  auto lines = FeedRandomly(parser, data, 7, 13);
  const auto& steps = parser.steps();
  CHECK(steps[0].name == "[build 1/3] FROM docker.io/library/busybox:1.36");
  CHECK(steps[0].IsFrom());
  CHECK(steps[1].name == "[build 2/3] RUN echo \"compiling\" && mkdir -p /out && echo \"artifact\" > /out/a.txt");
  CHECK(steps[3].name == "[runtime 1/1] COPY --from=build /out /app");
  for (int i = 0; i < 4; ++i) CHECK(steps[i].index == i);
  // 2026-11-28T00:04:53.347093044Z .. 2026-11-28T00:04:53.697528913Z
  CHECK(steps[1].started_ms == 1795824293347LL);
  CHECK(steps[1].completed_ms == 1795824293697LL);
  CHECK(steps[1].duration_ms == 350);
  CHECK(steps[1].digest.rfind("sha256:43805ef7", 0) == 0);

  // Plain-progress shaped lines: the internal vertex is #1, output lines carry the vertex number.
  CHECK(lines.front() == "#1 [internal] load build definition from Dockerfile");
  int n = 0;
  for (const auto& l : lines) {
    if (l.find("[build 2/3] RUN") != std::string::npos) n = std::stoi(l.substr(1));
  }
  REQUIRE(n > 0);
  const std::string p = "#" + std::to_string(n);
  CHECK(HasLine(lines, p + " compiling"));
  CHECK(HasLine(lines, p + " DONE 0.4s"));
  CHECK(std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
          return l.find("warning: something noisy") != std::string::npos;
        }) != lines.end());
}

TEST_CASE("fully cached rebuild counts every instruction as cached") {
  const std::string data = ReadFixture("rawjson.runtime-cached.txt");
  for (unsigned seed = 1; seed <= 20; ++seed) {
    ProgressParser parser;
    auto lines = FeedRandomly(parser, data, seed, 50 + seed * 31);
    REQUIRE(parser.steps().size() == 4);
    CacheCount cache = parser.Cache();
    CHECK(cache.steps == 3);
    CHECK(cache.cached == 3);
    CHECK(CountWithSuffix(lines, " CACHED") == 3);
    CHECK(parser.FailedName().empty());
  }
}

TEST_CASE("failing build names the failed instruction and its error") {
  const std::string data = ReadFixture("rawjson.test-failing.txt");
  for (unsigned seed = 1; seed <= 30; ++seed) {
    ProgressParser parser;
    auto lines = FeedRandomly(parser, data, seed, seed % 3 == 0 ? 2 : 211);
    REQUIRE(parser.steps().size() == 5);
    const BuildStep* failed = parser.FailedStep();
    REQUIRE(failed != nullptr);
    CHECK(failed->name == "[test 3/3] RUN cat /out/a.txt && echo \"tests failed: 1 of 3\" && exit 3");
    CHECK(failed->error ==
          "executor failed running [/bin/sh -c cat /out/a.txt && echo \"tests failed: 1 of 3\" && exit 3]: "
          "exit code: 3");
    CHECK(parser.FailedName() == failed->name);
    CacheCount cache = parser.Cache();
    CHECK(cache.steps == 4);
    CHECK(cache.cached == 2);
    REQUIRE(parser.error_lines().size() == 1);
    CHECK(parser.error_lines()[0].rfind("ERROR: failed to solve: executor failed running", 0) == 0);
    CHECK(lines.back() == parser.error_lines()[0]);
    CHECK(CountWithSuffix(lines, " tests failed: 1 of 3") == 1);
    CHECK(CountWithSuffix(lines, ": exit code: 3") == 2);  // "#N ERROR: ..." and buildx's summary
  }
}

TEST_CASE("issue excerpt: objects split over lines, started and completed in one update") {
  ProgressParser parser;
  auto lines = FeedRandomly(parser, ReadFixture("rawjson.buildx-issue2247.excerpt.json"), 3, 5);
  CHECK(lines == std::vector<std::string>{"#1 [internal] load build definition from Dockerfile",
                                          "#1 DONE 0.0s"});
  CHECK(parser.steps().empty());
}

TEST_CASE("braces and escapes inside strings do not end an object, partial output is flushed") {
  ProgressParser parser;
  std::vector<std::string> lines;
  // "a}{b\n" then "tail" without newline, base64 encoded.
  parser.Feed(R"({"vertexes":[{"digest":"d1","name":"[s 1/1] RUN echo \"}{\"","started":"2026-01-01T00:00:00Z"}]})",
              &lines);
  parser.Feed("\n{\"logs\":[{\"vertex\":\"d1\",\"data\":\"YX17YgoK\"}]}{\"logs\":[{\"vertex\":\"d1\",\"data\":\"dGFpbA==\"}]}",
              &lines);
  parser.Feed("\nWARNING: not json { at all\n", &lines);
  parser.Finish(&lines);
  CHECK(lines == std::vector<std::string>{"#1 [s 1/1] RUN echo \"}{\"", "#1 a}{b", "#1 ",
                                          "WARNING: not json { at all", "#1 tail"});
  REQUIRE(parser.steps().size() == 1);
  CHECK(parser.steps()[0].name == "[s 1/1] RUN echo \"}{\"");
  CHECK(parser.error_lines().empty());
}

TEST_CASE("steps_version changes only when a step changes") {
  ProgressParser parser;
  std::vector<std::string> lines;
  parser.Feed(R"({"vertexes":[{"digest":"x","name":"[internal] load"}]})", &lines);
  CHECK(parser.steps_version() == 0);
  parser.Feed(R"({"vertexes":[{"digest":"d","name":"[a 1/2] COPY . /"}]})", &lines);
  auto v1 = parser.steps_version();
  CHECK(v1 > 0);
  parser.Feed(R"({"logs":[{"vertex":"d","data":"aGkK"}]})", &lines);
  CHECK(parser.steps_version() == v1);
  parser.Feed(R"({"vertexes":[{"digest":"d","name":"[a 1/2] COPY . /","cached":true}]})", &lines);
  CHECK(parser.steps_version() > v1);
  CHECK(parser.steps()[0].cached);
}

TEST_CASE("RFC 3339 times and base64") {
  CHECK(ParseRfc3339Ms("1970-01-01T00:00:01.5Z") == 1500);
  CHECK(ParseRfc3339Ms("1970-01-01T01:00:00+01:00") == 0);
  CHECK(ParseRfc3339Ms("garbage") == 0);
  CHECK(DecodeBase64("aGVsbG8=") == "hello");
  CHECK(DecodeBase64("aGVsbG8") == "hello");
}

}  // namespace
}  // namespace slipway::agent
