// Small string helpers shared across modules.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace slipway {

// The pieces of `text` between separators, empty pieces left out: "a,,b," -> {"a", "b"}.
std::vector<std::string> SplitNonEmpty(std::string_view text, char separator);

// `text` without leading and trailing whitespace.
std::string Trim(std::string_view text);

}  // namespace slipway
