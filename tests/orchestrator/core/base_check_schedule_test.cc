#include "core/base_check_schedule.h"

#include <catch2/catch.hpp>

using slipway::CronSchedule;
using slipway::core::BaseCheckSchedule;

namespace {

constexpr int64_t kMinute = 60'000;
// 2025-03-14 00:00 UTC, a Friday.
constexpr int64_t kDay = 1741910400000;

int64_t At(int hour, int minute, int second = 0) { return kDay + (hour * 60 + minute) * kMinute + second * 1000; }

CronSchedule Cron(const char* text) {
  auto c = CronSchedule::Parse(text);
  REQUIRE(c.ok());
  return *c;
}

}  // namespace

TEST_CASE("the server's base check schedule fires for every repository, once per time") {
  BaseCheckSchedule s(Cron("0 */6 * * *"));
  CHECK_FALSE(s.NextDue());
  CHECK_FALSE(s.TakeDue(At(0, 30)).all);  // starts counting
  CHECK(s.NextDue() == At(6, 0));
  CHECK_FALSE(s.TakeDue(At(5, 59, 59)).all);
  CHECK(s.TakeDue(At(6, 0)).all);
  CHECK_FALSE(s.TakeDue(At(6, 0, 30)).all);
  CHECK(s.NextDue() == At(12, 0));
  // A tick long after a missed time fires once, then waits for the next time after now.
  CHECK(s.TakeDue(At(13, 10)).all);
  CHECK_FALSE(s.TakeDue(At(13, 11)).all);
  CHECK(s.NextDue() == At(18, 0));
}

TEST_CASE("a repository's own times check it alone, and a refresh does not skip one") {
  BaseCheckSchedule s(std::nullopt);
  s.SetRepoSchedules("acme/shop", {Cron("*/15 * * * *")}, At(10, 2));
  s.SetRepoSchedules("acme/web", {Cron("0 11 * * *")}, At(10, 2));
  CHECK(s.NextDue() == At(10, 15));
  CHECK(s.TakeDue(At(10, 14)).repos.empty());
  // Refreshed with the same expression between the time and the tick: it still fires.
  s.SetRepoSchedules("acme/shop", {Cron("*/15 * * * *")}, At(10, 15, 10));
  auto due = s.TakeDue(At(10, 15, 20));
  CHECK_FALSE(due.all);
  CHECK(due.repos == std::vector<std::string>{"acme/shop"});
  CHECK(s.TakeDue(At(10, 16)).repos.empty());
  CHECK(s.TakeDue(At(11, 0)).repos == std::vector<std::string>{"acme/shop", "acme/web"});
  // A changed expression counts from the refresh; an empty list ends the repository's times.
  s.SetRepoSchedules("acme/shop", {Cron("@hourly")}, At(11, 5));
  s.SetRepoSchedules("acme/web", {}, At(11, 5));
  CHECK(s.NextDue() == At(12, 0));
  CHECK(s.TakeDue(At(11, 59)).repos.empty());
  CHECK(s.TakeDue(At(12, 0)).repos == std::vector<std::string>{"acme/shop"});
  CHECK(s.TakeDue(At(23, 59)).repos == std::vector<std::string>{"acme/shop"});
}

TEST_CASE("a repository with several times fires once when two fall due together") {
  BaseCheckSchedule s(Cron("0 0 * * *"));
  s.TakeDue(At(23, 0) - 24 * 60 * kMinute);  // the server's schedule starts counting
  s.SetRepoSchedules("acme/shop", {Cron("0 0 * * *"), Cron("@daily"), Cron("0 12 * * *")}, At(0, 0) - kMinute);
  auto due = s.TakeDue(At(0, 0));
  CHECK(due.all);
  CHECK(due.repos == std::vector<std::string>{"acme/shop"});
  CHECK(s.NextDue() == At(12, 0));
}

TEST_CASE("a repository's build times fire apart from its check times, each once per time") {
  BaseCheckSchedule s(std::nullopt);
  s.SetRepoSchedules("acme/shop", {Cron("0 3 * * *")}, At(0, 0), {Cron("30 2 * * *")});
  CHECK(s.NextDue() == At(2, 30));
  auto due = s.TakeDue(At(2, 30));
  CHECK(due.repos.empty());
  CHECK(due.builds == std::vector<std::string>{"acme/shop"});
  CHECK(s.TakeDue(At(2, 31)).builds.empty());
  due = s.TakeDue(At(3, 0));
  CHECK(due.repos == std::vector<std::string>{"acme/shop"});
  CHECK(due.builds.empty());
  // The same expression as a check and as a build: two timers, neither taken for the other.
  s.SetRepoSchedules("acme/shop", {Cron("0 4 * * *")}, At(3, 1), {Cron("0 4 * * *")});
  due = s.TakeDue(At(4, 0));
  CHECK(due.repos == std::vector<std::string>{"acme/shop"});
  CHECK(due.builds == std::vector<std::string>{"acme/shop"});
}
