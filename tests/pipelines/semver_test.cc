#include "pipelines/semver.h"

#include <catch2/catch.hpp>

#include "pipelines/tag_template.h"

namespace slipway::pipelines {
namespace {

TEST_CASE("ParseSemVer reads releases, pre-releases and build metadata, with or without v") {
  auto v = ParseSemVer("v1.2.3");
  REQUIRE(v);
  CHECK(v->major == 1);
  CHECK(v->minor == 2);
  CHECK(v->patch == 3);
  CHECK(v->is_release());
  CHECK(v->ToString() == "1.2.3");
  v = ParseSemVer("10.20.30-rc.1+build.5");
  REQUIRE(v);
  CHECK(v->prerelease == "rc.1");
  CHECK(v->build == "build.5");
  CHECK(v->ToString() == "10.20.30-rc.1");
  for (const char* bad : {"", "v", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.3-", "1.2.3-01", "1.2.3+",
                          "1.2.3-a..b", "V1.2.3", "release-1", "1.2.x", "99999999999999999999.0.0"}) {
    INFO(bad);
    CHECK_FALSE(ParseSemVer(bad));
  }
}

TEST_CASE("CompareSemVer follows semver.org precedence") {
  // semver.org's own example order.
  const char* ordered[] = {"1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                           "1.0.0-beta.11", "1.0.0-rc.1",    "1.0.0",            "1.0.1",      "1.1.0",
                           "2.0.0",         "10.0.0"};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    INFO(ordered[i] << " < " << ordered[i + 1]);
    CHECK(CompareSemVer(*ParseSemVer(ordered[i]), *ParseSemVer(ordered[i + 1])) < 0);
    CHECK(CompareSemVer(*ParseSemVer(ordered[i + 1]), *ParseSemVer(ordered[i])) > 0);
  }
  CHECK(CompareSemVer(*ParseSemVer("1.0.0+a"), *ParseSemVer("v1.0.0+b")) == 0);
}

TEST_CASE("IsHighestRelease: pre-releases and other names never count") {
  std::vector<std::string> tags = {"v1.2.3", "v1.10.0", "v2.0.0-rc.1", "nightly", "v1.9.9"};
  CHECK(IsHighestRelease("v1.10.0", tags));
  CHECK_FALSE(IsHighestRelease("v1.2.3", tags));
  CHECK_FALSE(IsHighestRelease("v2.0.0-rc.1", tags));
  CHECK_FALSE(IsHighestRelease("nightly", tags));
  CHECK(IsHighestRelease("v1.10.0", {}));
}

TEST_CASE("tag templates of a version tag, and what a branch run skips") {
  TagValues tag_run{.branch = "", .sha = "0123456789abcdef", .run = 4, .matrix = {}, .tag = "v1.2.3",
                    .highest_release = true};
  CHECK(RenderTag("{tag}", tag_run) == "v1.2.3");
  CHECK(RenderTag("{semver}", tag_run) == "1.2.3");
  CHECK(RenderTag("{major}.{minor}", tag_run) == "1.2");
  CHECK(RenderTag("{major}", tag_run) == "1");
  CHECK(RenderTag("{major}.{minor}.{patch}-{short_sha}", tag_run) == "1.2.3-0123456");
  for (const char* t : {"{tag}", "{semver}", "{major}.{minor}", "{major}", "latest"}) {
    INFO(t);
    CHECK_FALSE(TagSkipped(t, tag_run));
  }

  TagValues older = tag_run;
  older.highest_release = false;
  CHECK(TagSkipped("latest", older) == "latest moves only with the repository's highest release tag");
  CHECK_FALSE(TagSkipped("{major}", older));

  TagValues rc = tag_run;
  rc.tag = "v2.0.0-rc.1";
  rc.highest_release = false;
  CHECK(RenderTag("{semver}", rc) == "2.0.0-rc.1");
  CHECK_FALSE(TagSkipped("{semver}", rc));
  CHECK(TagSkipped("{major}.{minor}", rc) == "{major} needs a release version tag");

  TagValues named = tag_run;
  named.tag = "nightly";
  CHECK(RenderTag("{tag}", named) == "nightly");
  CHECK(TagSkipped("{semver}", named) == "{semver} needs a semantic version tag");

  TagValues branch_run{.branch = "main", .sha = "0123456789abcdef", .run = 5, .matrix = {}};
  CHECK(TagSkipped("{tag}", branch_run) == "{tag} needs a run of a tag");
  CHECK(TagSkipped("v{major}", branch_run) == "{major} needs a release version tag");
  CHECK_FALSE(TagSkipped("latest", branch_run));  // an ordinary template on a branch
  CHECK(TagSkipped("{branch}", tag_run) == "{branch} needs a run of a branch");
  CHECK_FALSE(TagSkipped("{branch}", branch_run));
  CHECK(UnknownPlaceholders("{tag}-{semver}-{major}.{minor}.{patch}", {}).empty());
}

}  // namespace
}  // namespace slipway::pipelines
