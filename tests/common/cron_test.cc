#include "common/cron.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>

using slipway::CronSchedule;

namespace {

// "YYYY-MM-DD HH:MM[:SS]" (UTC) to milliseconds since the epoch, and a time back to "YYYY-MM-DD HH:MM".
int64_t Utc(const char* text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  REQUIRE(std::sscanf(text, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s) >= 5);
  using namespace std::chrono;
  sys_days day = year{y} / month{static_cast<unsigned>(mo)} / static_cast<unsigned>(d);
  return duration_cast<milliseconds>(day.time_since_epoch()).count() + ((h * 60 + mi) * 60 + s) * 1000LL;
}

std::string At(int64_t ms) {
  using namespace std::chrono;
  sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(ms)));
  year_month_day ymd{day};
  int64_t in_day = ms - duration_cast<milliseconds>(day.time_since_epoch()).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(in_day / 3'600'000), static_cast<int>(in_day % 3'600'000 / 60'000));
  return buf;
}

std::string Next(const char* expression, const char* after) {
  auto s = CronSchedule::Parse(expression);
  INFO(expression << ": " << s.status().ToString());
  REQUIRE(s.ok());
  return At(s->Next(Utc(after)));
}

std::string ParseError(const char* expression) {
  auto s = CronSchedule::Parse(expression);
  REQUIRE_FALSE(s.ok());
  return s.status().message();
}

}  // namespace

TEST_CASE("cron steps, ranges and lists give the next whole minute strictly after") {
  CHECK(Next("*/15 * * * *", "2025-03-14 10:07:30") == "2025-03-14 10:15");
  CHECK(Next("*/15 * * * *", "2025-03-14 10:15:00") == "2025-03-14 10:30");
  CHECK(Next("*/15 * * * *", "2025-03-14 10:14:59") == "2025-03-14 10:15");
  CHECK(Next("5/20 * * * *", "2025-03-14 10:07") == "2025-03-14 10:25");
  CHECK(Next("10-30/10 * * * *", "2025-03-14 10:21") == "2025-03-14 10:30");
  CHECK(Next("10-30/10 * * * *", "2025-03-14 10:31") == "2025-03-14 11:10");
  CHECK(Next("0 */6 * * *", "2025-01-31 23:59") == "2025-02-01 00:00");
  CHECK(Next("0 */6 * * *", "2025-01-31 06:00") == "2025-01-31 12:00");
  CHECK(Next("7,3 9,1 * * *", "2025-03-14 09:05") == "2025-03-14 09:07");
  CHECK(Next("7,3 9,1 * * *", "2025-03-14 09:07") == "2025-03-15 01:03");
}

TEST_CASE("cron month ends, leap days and the turn of the year") {
  CHECK(Next("0 0 31 * *", "2025-04-01 00:00") == "2025-05-31 00:00");
  CHECK(Next("0 0 30 * *", "2024-02-01 00:00") == "2024-03-30 00:00");
  CHECK(Next("0 0 29 2 *", "2025-01-01 00:00") == "2028-02-29 00:00");
  CHECK(Next("0 0 1 1 *", "2025-12-31 23:59") == "2026-01-01 00:00");
  CHECK(Next("59 23 31 12 *", "2025-12-31 23:58:59") == "2025-12-31 23:59");
}

TEST_CASE("cron day names, month names and Sunday as 0 or 7") {
  // 2025-03-14 is a Friday.
  CHECK(Next("30 2 * * MON-FRI", "2025-03-14 10:07") == "2025-03-17 02:30");
  CHECK(Next("0 12 * * 7", "2025-03-14 10:07") == "2025-03-16 12:00");
  CHECK(Next("0 12 * * 0", "2025-03-14 10:07") == "2025-03-16 12:00");
  CHECK(Next("0 12 * * sat,Sun", "2025-03-14 10:07") == "2025-03-15 12:00");
  CHECK(Next("0 0 1 jan-Mar,DEC *", "2025-04-01 00:00") == "2025-12-01 00:00");
}

TEST_CASE("cron day-of-month and day-of-week match either when both are restricted") {
  // 2025-06-01 is a Sunday.
  CHECK(Next("0 0 1,15 * 1", "2025-06-01 00:00") == "2025-06-02 00:00");  // Monday
  CHECK(Next("0 0 1,15 * 1", "2025-06-09 00:00") == "2025-06-15 00:00");  // the 15th, a Sunday
  CHECK(Next("0 0 13 * 5", "2025-06-01 00:00") == "2025-06-06 00:00");    // Friday before the 13th
  CHECK(Next("0 0 30 2 1", "2025-01-01 00:00") == "2025-02-03 00:00");    // no 30 February: Mondays
}

TEST_CASE("cron day fields starting with a star must both match") {
  CHECK(Next("0 0 * * 1", "2025-06-01 00:00") == "2025-06-02 00:00");
  CHECK(Next("0 0 1 * *", "2025-06-01 00:00") == "2025-07-01 00:00");
  // Vixie cron: "*/2" starts with a star, so the odd days that are Mondays (2 June is even).
  CHECK(Next("0 0 */2 * 1", "2025-06-01 00:00") == "2025-06-09 00:00");
  CHECK(Next("0 0 1 * */3", "2025-06-01 00:00") == "2025-10-01 00:00");  // Sun, Wed or Sat on the 1st
}

TEST_CASE("cron macros") {
  CHECK(Next("@hourly", "2025-03-14 10:07") == "2025-03-14 11:00");
  CHECK(Next("@daily", "2025-03-14 10:07") == "2025-03-15 00:00");
  CHECK(Next("@midnight", "2025-03-14 10:07") == "2025-03-15 00:00");
  CHECK(Next("@weekly", "2025-03-14 10:07") == "2025-03-16 00:00");
  CHECK(Next("@monthly", "2025-03-14 10:07") == "2025-04-01 00:00");
  CHECK(Next("@yearly", "2025-03-14 10:07") == "2026-01-01 00:00");
  CHECK(Next("@ANNUALLY", "2025-03-14 10:07") == "2026-01-01 00:00");
  CHECK(CronSchedule::Parse("@daily")->expression() == "@daily");
}

TEST_CASE("cron errors name the field and the value") {
  CHECK(ParseError("61 * * * *") == "minute field: 61 is out of range 0-59");
  CHECK(ParseError("* 24 * * *") == "hour field: 24 is out of range 0-23");
  CHECK(ParseError("* * 0 * *") == "day-of-month field: 0 is out of range 1-31");
  CHECK(ParseError("* * * 13 *") == "month field: 13 is out of range 1-12");
  CHECK(ParseError("* * * * 8") == "day-of-week field: 8 is out of range 0-7");
  CHECK(ParseError("* * * FOO *") == "month field: \"FOO\" is not a number or a name");
  CHECK(ParseError("x * * * *") == "minute field: \"x\" is not a number");
  CHECK(ParseError("*/0 * * * *") == "minute field: step \"0\" must be a positive number");
  CHECK(ParseError("*/x * * * *") == "minute field: step \"x\" must be a positive number");
  CHECK(ParseError("5-1 * * * *") == "minute field: range 5-1 runs backwards");
  CHECK(ParseError("1,,2 * * * *") == "minute field: empty item in the list \"1,,2\"");
  CHECK(ParseError("1-/2 * * * *") == "minute field: a value is missing");
  CHECK(ParseError("1/2/3 * * * *") == "minute field: \"1/2/3\" has more than one step");
  CHECK(ParseError("* * *") ==
        "a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has 3");
  CHECK(ParseError("") ==
        "a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has 0");
  CHECK(ParseError("@reboot") == "unknown macro \"@reboot\"; use @yearly, @monthly, @weekly, @daily or @hourly");
  CHECK(ParseError("0 0 30 2 *") == "day-of-month field: \"30\" never falls in the months \"2\"");
  CHECK(ParseError("0 0 31 4,6 *") == "day-of-month field: \"31\" never falls in the months \"4,6\"");
  CHECK(CronSchedule::Parse("0 0 29 2 *").ok());
}
