// A status badge as SVG ("slipway | success"), for READMEs: GET /api/v1/repos/{name}/badge.svg.
//
// The two texts are escaped for XML; widths are estimated from the character count (a badge needs
// no font metrics to be legible). Pure.
#pragma once

#include <string>

namespace slipway::core {

// `status` is a run status word or "unknown"; it picks the colour (success green, failure and
// error red, anything else grey).
std::string BadgeSvg(const std::string& label, const std::string& status);

}  // namespace slipway::core
