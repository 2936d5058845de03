// Durations as people write them in pipeline files, settings and flags.
//
// Whole numbers with units h, m, s, largest first ("90s", "10m", "1h30m"); a bare number is
// seconds. Zero and durations over kMaxDurationSeconds (one week) are refused.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slipway {

inline constexpr long long kMaxDurationSeconds = 7 * 24 * 3600;

std::optional<long long> ParseDurationSeconds(std::string_view text);

// The shortest text ParseDurationSeconds reads back: 90 -> "1m30s", 3600 -> "1h".
std::string FormatDuration(long long seconds);

}  // namespace slipway
