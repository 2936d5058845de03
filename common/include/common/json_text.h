// JSON text for every JSON value Slipway writes: API answers, stored columns, agent requests, CLI
// output. Values may hold bytes from a push or an agent (names, messages, log lines) that are not
// UTF-8; nlohmann's plain dump() throws on those, so every dump goes through here, where such
// bytes become U+FFFD instead.
//
// Thread-safety: pure function.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace slipway {

// One line (indent < 0) or pretty-printed with `indent` spaces.
std::string JsonText(const nlohmann::json& value, int indent = -1);

}  // namespace slipway
