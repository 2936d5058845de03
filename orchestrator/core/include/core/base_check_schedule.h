// BaseCheckSchedule: when base checks fall due. The server's schedule (`base_check` in the config)
// checks every repository; a repository's own `on.schedule` times check it alone.
//
// Each schedule fires at most once per TakeDue and then waits for its next time after that call, so
// times missed while the server was down are not made up, and a slow tick fires once, not a burst.
// Replacing a repository's schedules with the same expressions keeps their next times (a refresh
// between two times must not skip the one in between).
//
// Pure: time is passed in. Thread-safety: none; the owner serialises calls.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/cron.h"

namespace slipway::core {

class BaseCheckSchedule {
 public:
  explicit BaseCheckSchedule(std::optional<CronSchedule> server);

  // The repository's own times (empty: none): base checks, and full builds of its default branch
  // (on.schedule entries with build: true). New expressions start counting from `now_ms`.
  void SetRepoSchedules(const std::string& repo, const std::vector<CronSchedule>& schedules, int64_t now_ms,
                        const std::vector<CronSchedule>& builds = {});

  struct Due {
    bool all = false;                 // the server's schedule: every repository
    std::vector<std::string> repos;   // repositories whose own check time came, by name
    std::vector<std::string> builds;  // repositories whose build time came, by name
  };
  Due TakeDue(int64_t now_ms);

  // The earliest time anything falls due; nullopt when nothing is scheduled or nothing has been
  // counted yet (the server's schedule starts counting at the first TakeDue).
  std::optional<int64_t> NextDue() const;

 private:
  struct Timer {
    CronSchedule schedule;
    int64_t next_ms;
    bool build = false;
  };
  std::optional<CronSchedule> server_;
  std::optional<int64_t> server_next_ms_;
  std::map<std::string, std::vector<Timer>> repos_;
};

}  // namespace slipway::core
