#include "common/cron.h"

#include <array>
#include <cctype>
#include <chrono>
#include <limits>
#include <vector>

#include "common/strings.h"

namespace slipway {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr std::array<const char*, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<const char*, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct Field {
  const char* name;
  int min;
  int max;
  const char* const* names = nullptr;  // names[i] stands for min + i (months) or i (days)
  int name_count = 0;
};

constexpr Field kMinute{"minute", 0, 59};
constexpr Field kHour{"hour", 0, 23};
constexpr Field kDayOfMonth{"day-of-month", 1, 31};
constexpr Field kMonth{"month", 1, 12, kMonthNames.data(), 12};
constexpr Field kDayOfWeek{"day-of-week", 0, 7, kDayNames.data(), 7};

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

Status FieldError(const Field& f, const std::string& message) {
  return Status::InvalidArgument(std::string(f.name) + " field: " + message);
}

// One value of a field: a number in range, or a name where the field has names.
Result<int> ParseValue(std::string_view text, const Field& f) {
  bool digits = !text.empty() && text.size() <= 4;
  for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    int v = std::stoi(std::string(text));
    if (v < f.min || v > f.max) {
      return FieldError(f, std::string(text) + " is out of range " + std::to_string(f.min) + "-" +
                               std::to_string(f.max));
    }
    return v;
  }
  std::string lower = AsciiLower(text);
  for (int i = 0; i < f.name_count; ++i) {
    if (lower == f.names[i]) return f.names == kMonthNames.data() ? f.min + i : i;
  }
  if (text.empty()) return FieldError(f, "a value is missing");
  return FieldError(f, "\"" + std::string(text) + "\" is not " +
                           (f.name_count > 0 ? "a number or a name" : "a number"));
}

// A field's list into a bit set.
Result<uint64_t> ParseField(std::string_view text, const Field& f) {
  uint64_t bits = 0;
  for (std::string_view item : Split(text, ',')) {
    if (item.empty()) return FieldError(f, "empty item in the list \"" + std::string(text) + "\"");
    std::vector<std::string_view> parts = Split(item, '/');
    if (parts.size() > 2) return FieldError(f, "\"" + std::string(item) + "\" has more than one step");
    int step = 1;
    if (parts.size() == 2) {
      std::string_view s = parts[1];
      bool digits = !s.empty() && s.size() <= 4;
      for (char c : s) digits = digits && std::isdigit(static_cast<unsigned char>(c));
      step = digits ? std::stoi(std::string(s)) : 0;
      if (step < 1) return FieldError(f, "step \"" + std::string(s) + "\" must be a positive number");
    }
    int lo = f.min;
    int hi = f.max;
    std::string_view base = parts[0];
    if (base != "*") {
      size_t dash = base.find('-');
      Result<int> first = ParseValue(base.substr(0, dash), f);
      if (!first.ok()) return first.status();
      lo = *first;
      hi = parts.size() == 2 ? f.max : lo;  // "a/n" runs to the field's end
      if (dash != std::string_view::npos) {
        Result<int> last = ParseValue(base.substr(dash + 1), f);
        if (!last.ok()) return last.status();
        hi = *last;
        if (hi < lo) return FieldError(f, "range " + std::string(base) + " runs backwards");
      }
    }
    for (int v = lo; v <= hi; v += step) bits |= uint64_t{1} << v;
  }
  return bits;
}

bool Has(uint64_t bits, int n) { return (bits >> n) & 1; }

// The five fields a macro stands for, or "" for an unknown macro.
std::string_view Macro(const std::string& name) {
  if (name == "@yearly" || name == "@annually") return "0 0 1 1 *";
  if (name == "@monthly") return "0 0 1 * *";
  if (name == "@weekly") return "0 0 * * 0";
  if (name == "@daily" || name == "@midnight") return "0 0 * * *";
  if (name == "@hourly") return "0 * * * *";
  return "";
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

int64_t MsOf(sys_days day) {
  return std::chrono::duration_cast<milliseconds>(day.time_since_epoch()).count();
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view expression) {
  std::vector<std::string_view> fields = Words(expression);
  if (fields.size() == 1 && fields[0].front() == '@') {
    std::string_view expanded = Macro(AsciiLower(fields[0]));
    if (expanded.empty()) {
      return Status::InvalidArgument("unknown macro \"" + std::string(fields[0]) +
                                     "\"; use @yearly, @monthly, @weekly, @daily or @hourly");
    }
    Result<CronSchedule> out = Parse(expanded);
    if (out.ok()) out->expression_ = std::string(fields[0]);
    return out;
  }
  if (fields.size() != 5) {
    return Status::InvalidArgument(
        "a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has " +
        std::to_string(fields.size()));
  }
  CronSchedule s;
  s.expression_ = std::string(expression);
  const Field* specs[] = {&kMinute, &kHour, &kDayOfMonth, &kMonth, &kDayOfWeek};
  uint64_t* targets[] = {&s.minutes_, &s.hours_, &s.days_, &s.months_, &s.weekdays_};
  for (int i = 0; i < 5; ++i) {
    Result<uint64_t> bits = ParseField(fields[i], *specs[i]);
    if (!bits.ok()) return bits.status();
    *targets[i] = *bits;
  }
  if (Has(s.weekdays_, 7)) s.weekdays_ = (s.weekdays_ | 1) & 0x7f;  // 7 is Sunday too
  s.day_star_ = fields[2].front() == '*';
  s.weekday_star_ = fields[4].front() == '*';
  // When the day of the month must match, some chosen month must have one of the chosen days.
  if (s.day_star_ || s.weekday_star_) {
    static constexpr int kLongest[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool possible = false;
    for (int m = 1; m <= 12 && !possible; ++m) {
      for (int d = 1; d <= kLongest[m] && Has(s.months_, m) && !possible; ++d) possible = Has(s.days_, d);
    }
    if (!possible) {
      return FieldError(kDayOfMonth, "\"" + std::string(fields[2]) + "\" never falls in the months \"" +
                                         std::string(fields[3]) + "\"");
    }
  }
  return s;
}

bool CronSchedule::DayMatches(int day_of_month, int weekday) const {
  bool dom = Has(days_, day_of_month);
  bool dow = Has(weekdays_, weekday);
  return (day_star_ || weekday_star_) ? (dom && dow) : (dom || dow);
}

int64_t CronSchedule::Next(int64_t after_ms) const {
  constexpr int64_t kMinute = 60'000;
  constexpr int64_t kHour = 60 * kMinute;
  int64_t t = (after_ms >= 0 ? after_ms / kMinute : (after_ms - kMinute + 1) / kMinute) * kMinute + kMinute;
  // Parse ruled out schedules that never fire; every date recurs on every weekday within 28 years,
  // so this loop ends long before the guard (a few thousand steps at most).
  for (int guard = 0; guard < 1'000'000; ++guard) {
    sys_days day = std::chrono::floor<days>(std::chrono::sys_time<milliseconds>(milliseconds(t)));
    year_month_day ymd{day};
    int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    if (!Has(months_, month)) {
      t = MsOf(sys_days{(ymd.year() / ymd.month() / 1) + std::chrono::months{1}});
      continue;
    }
    int weekday = static_cast<int>(std::chrono::weekday{day}.c_encoding());
    if (!DayMatches(static_cast<int>(static_cast<unsigned>(ymd.day())), weekday)) {
      t = MsOf(day + days{1});
      continue;
    }
    int64_t in_day = t - MsOf(day);
    int hour = static_cast<int>(in_day / kHour);
    if (!Has(hours_, hour)) {
      t = MsOf(day) + (hour + 1) * kHour;
      continue;
    }
    if (!Has(minutes_, static_cast<int>(in_day % kHour / kMinute))) {
      t += kMinute;
      continue;
    }
    return t;
  }
  return std::numeric_limits<int64_t>::max();
}

}  // namespace slipway
