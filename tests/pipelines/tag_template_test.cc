#include <catch2/catch.hpp>

#include "pipelines/matrix.h"
#include "pipelines/tag_template.h"

using namespace slipway::pipelines;

TEST_CASE("SanitizeTag gives valid Docker tags") {
  CHECK(SanitizeTag("feature/x") == "feature-x");
  CHECK(SanitizeTag("main") == "main");
  CHECK(SanitizeTag("-.lead") == "lead");
  CHECK(SanitizeTag("v1.2_rc-1") == "v1.2_rc-1");
  CHECK(SanitizeTag("a b:c@d") == "a-b-c-d");
  CHECK(SanitizeTag("") == "");
  CHECK(SanitizeTag("/") == "");
  CHECK(SanitizeTag(std::string(300, 'x')).size() == 128);
  CHECK(SanitizeTag("\xc3\xbcn\xc3\xaf") == "n--");
}

TEST_CASE("RenderTag fills branch, sha, short_sha, run and matrix values") {
  TagValues v{"feature/login", "0123456789abcdef", 42, {{"PY", "3.12"}}};
  CHECK(RenderTag("{branch}", v) == "feature-login");
  CHECK(RenderTag("{short_sha}", v) == "0123456");
  CHECK(RenderTag("sha-{sha}", v) == "sha-0123456789abcdef");
  CHECK(RenderTag("run-{run}", v) == "run-42");
  CHECK(RenderTag("{branch}-py{PY}", v) == "feature-login-py3.12");
  CHECK(RenderTag("latest", v) == "latest");
  CHECK(RenderTag("{branch}", TagValues{}) == "");
  CHECK(RenderTag("{short_sha}", TagValues{"", "abc", 0, {}}) == "abc");
}

TEST_CASE("UnknownPlaceholders names the unknown and the unclosed") {
  CHECK(UnknownPlaceholders("{branch}-{short_sha}-{run}-{sha}", {}).empty());
  CHECK(UnknownPlaceholders("{PY}", {"PY"}).empty());
  CHECK(UnknownPlaceholders("{brnch}", {}) == std::vector<std::string>{"brnch"});
  CHECK(UnknownPlaceholders("x-{branch", {}) == std::vector<std::string>{"{branch"});
}

TEST_CASE("ExpandMatrix: cartesian product in file order, suffixes from values") {
  std::vector<MatrixAxis> axes = {{"PY", {}, {"3.11", "3.12"}}, {"OS", {}, {"bookworm", "alpine/3"}}};
  REQUIRE(CountCombinations(axes) == 4);
  auto combos = ExpandMatrix(axes);
  REQUIRE(combos.size() == 4);
  CHECK(JobName("test", combos[0]) == "test-3.11-bookworm");
  CHECK(JobName("test", combos[1]) == "test-3.11-alpine-3");
  CHECK(JobName("test", combos[3]) == "test-3.12-alpine-3");
  CHECK(combos[1].values == std::vector<std::pair<std::string, std::string>>{{"PY", "3.11"}, {"OS", "alpine/3"}});
  CHECK(combos[2].AsMap().at("PY") == "3.12");
}

TEST_CASE("ExpandMatrix: no axes give one unnamed combination, counts saturate") {
  auto combos = ExpandMatrix({});
  REQUIRE(combos.size() == 1);
  CHECK(JobName("build", combos[0]) == "build");
  std::vector<MatrixAxis> big;
  for (int i = 0; i < 40; ++i) big.push_back({"A" + std::to_string(i), {}, {"x", "y"}});
  CHECK(CountCombinations(big) == kMaxMatrixCombinations + 1);
  CHECK(CountCombinations({{"A", {}, {}}}) == 0);
}
