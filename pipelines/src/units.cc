#include "pipelines/units.h"

#include <cctype>
#include <cmath>
#include <string>

#include "common/strings.h"

namespace slipway::pipelines {
namespace {

// A non-negative decimal number "12", "1.5", ".5"; the rest of the text goes to `rest`.
std::optional<double> ParseNumber(std::string_view s, std::string_view* rest) {
  size_t i = 0;
  bool digits = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) { ++i; digits = true; }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) { ++i; digits = true; }
  }
  if (!digits || i > 64) return std::nullopt;
  *rest = s.substr(i);
  return std::stod(std::string(s.substr(0, i)));
}

}  // namespace

std::optional<long long> ParseSize(std::string_view text) {
  std::string_view rest;
  auto number = ParseNumber(TrimAsciiSpace(text), &rest);
  if (!number) return std::nullopt;
  std::string unit = AsciiLower(TrimAsciiSpace(rest));
  double multiplier = 0;
  if (unit.empty() || unit == "b") multiplier = 1;
  else if (unit == "k" || unit == "kb") multiplier = 1e3;
  else if (unit == "m" || unit == "mb") multiplier = 1e6;
  else if (unit == "g" || unit == "gb") multiplier = 1e9;
  else if (unit == "t" || unit == "tb") multiplier = 1e12;
  else if (unit == "ki" || unit == "kib") multiplier = 1024.0;
  else if (unit == "mi" || unit == "mib") multiplier = 1024.0 * 1024;
  else if (unit == "gi" || unit == "gib") multiplier = 1024.0 * 1024 * 1024;
  else if (unit == "ti" || unit == "tib") multiplier = 1024.0 * 1024 * 1024 * 1024;
  else return std::nullopt;
  double bytes = std::round(*number * multiplier);
  if (!(bytes <= 4611686018427387904.0)) return std::nullopt;  // 2^62
  return static_cast<long long>(bytes);
}

std::optional<double> ParsePercent(std::string_view text) {
  std::string_view s = TrimAsciiSpace(text);
  if (!s.empty() && s.back() == '%') s = TrimAsciiSpace(s.substr(0, s.size() - 1));
  std::string_view rest;
  auto number = ParseNumber(s, &rest);
  if (!number || !rest.empty()) return std::nullopt;
  return *number;
}

}  // namespace slipway::pipelines
