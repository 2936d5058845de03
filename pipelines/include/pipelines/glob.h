// The project's one glob matcher: `on.push` branch and path filters, file names and package names
// in the Dockerfile rules.
//
// `*` matches any run of characters except `/`; `**` matches any run including `/` (and `**/` also
// matches nothing, so "src/**/x.c" matches "src/x.c"); `?` matches one character other than `/`.
// Everything else is literal. Work is bounded: a memo over (pattern position, text position) makes
// a match at most pattern × text steps whatever the stars, and a pattern over
// kMaxGlobPatternBytes or a text over kMaxGlobTextBytes (limits.h) never matches.
//
// Thread-safety: pure function.
#pragma once

#include <string_view>

namespace slipway::pipelines {

bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace slipway::pipelines
