#include "common/duration.h"

#include <catch2/catch.hpp>

using slipway::FormatDuration;
using slipway::kMaxDurationSeconds;
using slipway::ParseDurationSeconds;

TEST_CASE("durations read with units largest first, a bare number as seconds") {
  CHECK(ParseDurationSeconds("90s") == 90);
  CHECK(ParseDurationSeconds("10m") == 600);
  CHECK(ParseDurationSeconds("1h") == 3600);
  CHECK(ParseDurationSeconds("1h30m") == 5400);
  CHECK(ParseDurationSeconds("2m5s") == 125);
  CHECK(ParseDurationSeconds("1H") == 3600);
  CHECK(ParseDurationSeconds(" 45 ") == 45);
  CHECK(ParseDurationSeconds("168h") == kMaxDurationSeconds);
}

TEST_CASE("durations that are not one are refused") {
  for (const char* bad : {"", "0", "0s", "-5s", "5d", "m", "1.5h", "30m1h", "1h1h", "5s3", "1 h", "169h",
                          "99999999999999999999s", "1h 30m"}) {
    INFO(bad);
    CHECK_FALSE(ParseDurationSeconds(bad).has_value());
  }
}

TEST_CASE("a formatted duration reads back the same") {
  CHECK(FormatDuration(90) == "1m30s");
  CHECK(FormatDuration(600) == "10m");
  CHECK(FormatDuration(3600) == "1h");
  CHECK(FormatDuration(3661) == "1h1m1s");
  for (long long s : {1LL, 59LL, 61LL, 7200LL, 86399LL, kMaxDurationSeconds}) {
    CHECK(ParseDurationSeconds(FormatDuration(s)) == s);
  }
}
