#include <catch2/catch.hpp>

#include "pipelines/repo_path.h"
#include "pipelines/units.h"

using namespace slipway::pipelines;

TEST_CASE("ParseSize reads bytes, decimal and binary units") {
  CHECK(ParseSize("1048576") == 1048576LL);
  CHECK(ParseSize("150MB") == 150000000LL);
  CHECK(ParseSize("150mb") == 150000000LL);
  CHECK(ParseSize("200k") == 200000LL);
  CHECK(ParseSize("200KiB") == 204800LL);
  CHECK(ParseSize("1.5GiB") == 1610612736LL);
  CHECK(ParseSize("2 G") == 2000000000LL);
  CHECK(ParseSize("0") == 0LL);
  CHECK(ParseSize(" 12B ") == 12LL);
}

TEST_CASE("ParseSize refuses what is not a size") {
  CHECK_FALSE(ParseSize(""));
  CHECK_FALSE(ParseSize("MB"));
  CHECK_FALSE(ParseSize("-5MB"));
  CHECK_FALSE(ParseSize("150XB"));
  CHECK_FALSE(ParseSize("1.2.3"));
  CHECK_FALSE(ParseSize("10 MB extra"));
  CHECK_FALSE(ParseSize("99999999999TiB"));
}

TEST_CASE("ParsePercent reads 10%, 12.5% and bare numbers") {
  CHECK(ParsePercent("10%") == Approx(10.0));
  CHECK(ParsePercent("12.5 %") == Approx(12.5));
  CHECK(ParsePercent("7") == Approx(7.0));
  CHECK_FALSE(ParsePercent("ten"));
  CHECK_FALSE(ParsePercent("-3%"));
  CHECK_FALSE(ParsePercent("%"));
  CHECK_FALSE(ParsePercent("10%%"));
}

TEST_CASE("NormalizeRepoPath keeps paths inside the repository") {
  CHECK(NormalizeRepoPath(".") == ".");
  CHECK(NormalizeRepoPath("./") == ".");
  CHECK(NormalizeRepoPath("./docker//Dockerfile") == "docker/Dockerfile");
  CHECK(NormalizeRepoPath("a/b/../c") == "a/c");
  CHECK(NormalizeRepoPath("a/..") == ".");
  CHECK_FALSE(NormalizeRepoPath(""));
  CHECK_FALSE(NormalizeRepoPath("/etc/passwd"));
  CHECK_FALSE(NormalizeRepoPath(".."));
  CHECK_FALSE(NormalizeRepoPath("../x"));
  CHECK_FALSE(NormalizeRepoPath("a/../../x"));
  CHECK_FALSE(NormalizeRepoPath("a\\..\\..\\x"));
  CHECK_FALSE(NormalizeRepoPath(std::string("a\0b", 3)));
}

