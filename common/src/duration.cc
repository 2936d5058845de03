#include "common/duration.h"

#include <cctype>

#include "common/strings.h"

namespace slipway {

std::optional<long long> ParseDurationSeconds(std::string_view text) {
  std::string_view s = TrimAsciiSpace(text);
  if (s.empty()) return std::nullopt;
  long long total = 0;
  const std::string_view units = "hms";
  size_t next_unit = 0;  // units must come largest first, each once
  while (!s.empty()) {
    size_t i = 0;
    long long value = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      value = value * 10 + (s[i] - '0');
      if (value > kMaxDurationSeconds) return std::nullopt;
      ++i;
    }
    if (i == 0) return std::nullopt;
    if (i == s.size() && total == 0 && next_unit == 0) return value > 0 ? std::optional(value) : std::nullopt;
    size_t unit = i < s.size() ? units.find(static_cast<char>(std::tolower(static_cast<unsigned char>(s[i]))))
                               : std::string_view::npos;
    if (unit == std::string_view::npos || unit < next_unit) return std::nullopt;
    total += value * (unit == 0 ? 3600 : unit == 1 ? 60 : 1);
    if (total > kMaxDurationSeconds) return std::nullopt;
    next_unit = unit + 1;
    s.remove_prefix(i + 1);
  }
  if (total <= 0) return std::nullopt;
  return total;
}

std::string FormatDuration(long long seconds) {
  if (seconds <= 0) return "0s";
  std::string out;
  if (seconds >= 3600) out += std::to_string(seconds / 3600) + "h";
  if (seconds % 3600 >= 60) out += std::to_string(seconds % 3600 / 60) + "m";
  if (seconds % 60 != 0) out += std::to_string(seconds % 60) + "s";
  return out;
}

}  // namespace slipway
