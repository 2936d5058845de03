// Formatting shared by the commands' human-readable output.
#pragma once

#include <cstdint>
#include <string>

namespace slipway::cli {

// 1000-based units, one decimal past bytes: "512 B", "20.5 kB", "2.0 MB".
std::string HumanBytes(uint64_t bytes);

}  // namespace slipway::cli
