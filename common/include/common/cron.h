// CronSchedule: a five-field cron expression and the times it fires, in UTC.
//
//   minute hour day-of-month month day-of-week     e.g. "0 */6 * * *", "30 2 * * MON-FRI"
//
// Each field is a list (`a,b`) of `*`, numbers and ranges (`a-b`), each with an optional step
// (`*/n`, `a-b/n`, and `a/n` meaning a to the field's end). Months may be named JAN-DEC and days
// SUN-SAT (any case, in ranges too); day-of-week 0 and 7 are both Sunday. The macros @yearly
// (@annually), @monthly, @weekly, @daily (@midnight) and @hourly stand for their usual fields.
//
// Day-of-month and day-of-week combine as in Vixie cron (cronie), so that crontab lines behave
// here as they do there: when both fields are restricted a day matches either one ("0 0 1,15 * 1"
// is the 1st, the 15th and every Monday); when either field starts with `*`, a day must match both
// ("0 0 * * 1" is every Monday; "0 0 */2 * 1" is the odd days that are Mondays).
//
// Parse errors name the field: `minute field: 61 is out of range 0-59`. An expression that can
// never fire (`0 0 30 2 *`) is an error too, so Next always has an answer.
//
// Thread-safety: immutable after Parse; safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slipway {

class CronSchedule {
 public:
  static Result<CronSchedule> Parse(std::string_view expression);

  // The first whole minute strictly after `after_ms` (milliseconds since the epoch) that matches.
  int64_t Next(int64_t after_ms) const;

  const std::string& expression() const { return expression_; }

 private:
  CronSchedule() = default;
  bool DayMatches(int day_of_month, int weekday) const;

  std::string expression_;
  uint64_t minutes_ = 0;   // bit n: minute n
  uint64_t hours_ = 0;     // bit n: hour n
  uint64_t days_ = 0;      // bit n: day of month n (1-31)
  uint64_t months_ = 0;    // bit n: month n (1-12)
  uint64_t weekdays_ = 0;  // bit n: weekday n (0 Sunday - 6 Saturday)
  bool day_star_ = false;      // the day-of-month field starts with '*'
  bool weekday_star_ = false;  // the day-of-week field starts with '*'
};

}  // namespace slipway
