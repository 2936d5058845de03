// Human-written quantities in pipeline files: sizes and percentages.
//
// Sizes: a plain integer is bytes; suffixes k/K/kB/KB, M/MB, G/GB, T/TB are decimal (1000^n),
// KiB, MiB, GiB, TiB are binary (1024^n); the letters are case-insensitive and the trailing B is
// optional; a fraction is allowed ("1.5GiB") and rounded to the nearest byte. Negative sizes and
// sizes above 2^62 bytes are refused.
// Percentages: "10%" or a bare number ("10"); "12.5%" allowed; negative refused.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace slipway::pipelines {

std::optional<long long> ParseSize(std::string_view text);
std::optional<double> ParsePercent(std::string_view text);

}  // namespace slipway::pipelines
