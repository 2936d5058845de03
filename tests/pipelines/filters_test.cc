#include <catch2/catch.hpp>

#include "pipelines/filters.h"

using namespace slipway::pipelines;

TEST_CASE("GlobMatch: * stays inside one path segment") {
  CHECK(GlobMatch("release/*", "release/1.2"));
  CHECK_FALSE(GlobMatch("release/*", "release/1.2/hotfix"));
  CHECK_FALSE(GlobMatch("release/*", "release"));
  CHECK(GlobMatch("*.py", "main.py"));
  CHECK_FALSE(GlobMatch("*.py", "src/main.py"));
  CHECK(GlobMatch("main", "main"));
  CHECK_FALSE(GlobMatch("main", "main2"));
  CHECK(GlobMatch("v?.?", "v1.2"));
  CHECK_FALSE(GlobMatch("a?b", "a/b"));
}

TEST_CASE("GlobMatch: ** crosses directories, **/ may match none") {
  CHECK(GlobMatch("src/**", "src/a/b/c.py"));
  CHECK(GlobMatch("src/**", "src/x"));
  CHECK_FALSE(GlobMatch("src/**", "docs/src/x"));
  CHECK(GlobMatch("src/**/*.py", "src/main.py"));
  CHECK(GlobMatch("src/**/*.py", "src/a/b/main.py"));
  CHECK_FALSE(GlobMatch("src/**/*.py", "src/a/b/main.c"));
  CHECK(GlobMatch("**/Dockerfile", "Dockerfile"));
  CHECK(GlobMatch("**/Dockerfile", "services/api/Dockerfile"));
  CHECK(GlobMatch("**", "anything/at/all"));
}

TEST_CASE("GlobMatch does not blow up on pathological patterns") {
  std::string text(200, 'a');
  CHECK_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
  CHECK_FALSE(GlobMatch("**a**a**a**a**a**b", text));
}

TEST_CASE("MatchesFilter: positives, negations, empty lists") {
  CHECK(MatchesFilter({}, "anything"));
  CHECK(MatchesFilter({"main", "release/*"}, "release/2"));
  CHECK_FALSE(MatchesFilter({"main", "release/*"}, "feature/x"));
  CHECK_FALSE(MatchesFilter({"release/*", "!release/old-*"}, "release/old-1"));
  CHECK(MatchesFilter({"release/*", "!release/old-*"}, "release/new-1"));
  CHECK(MatchesFilter({"!docs/**"}, "src/a.c"));
  CHECK_FALSE(MatchesFilter({"!docs/**"}, "docs/a.md"));
}

TEST_CASE("FilterPush explains why a push is filtered out") {
  PushFilter f{{"main"}, {"src/**"}};
  CHECK_FALSE(FilterPush(f, "main", std::nullopt));
  CHECK_FALSE(FilterPush(f, "", std::nullopt));  // branch unknown: not applied
  auto branch = FilterPush(f, "feature/x", std::nullopt);
  REQUIRE(branch);
  CHECK(*branch == "branch \"feature/x\" does not match on.push.branches [main]");
  auto paths = FilterPush(f, "main", std::vector<std::string>{"docs/a.md", "README"});
  REQUIRE(paths);
  CHECK(*paths == "no changed path matches on.push.paths [src/**]");
  CHECK_FALSE(FilterPush(f, "main", std::vector<std::string>{"docs/a.md", "src/x/y.c"}));
  // An empty list of changed paths (e.g. a push of tags only) matches nothing.
  CHECK(FilterPush(f, "main", std::vector<std::string>{}));
  CHECK_FALSE(FilterPush(PushFilter{}, "main", std::vector<std::string>{}));
}
