// Request-target helpers: splitting path and query, and percent-decoding.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace slipway::http {

// "%2Fa+b" -> "/a b" (with plus_as_space). Invalid escapes are kept as written.
std::string PercentDecode(std::string_view in, bool plus_as_space);

// "/api/v1/runs?repo=a%2Fb&limit=5" -> path "/api/v1/runs", query {repo: "a/b", limit: "5"}.
void SplitTarget(std::string_view target, std::string* path, std::map<std::string, std::string>* query);

}  // namespace slipway::http
