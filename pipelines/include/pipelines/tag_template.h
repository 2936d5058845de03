// Tag templates: `{branch}`, `{sha}`, `{short_sha}` (first 7 characters), `{run}` (the run number),
// and `{NAME}` for each matrix axis, rendered and sanitised into a valid Docker tag.
//
// A Docker tag is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`: SanitizeTag replaces every other character
// with `-` ("feature/x" -> "feature-x"), drops leading `.` and `-`, and cuts at 128 characters. A
// template that renders to nothing yields "" (the caller drops that tag).
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::pipelines {

struct TagValues {
  std::string branch;
  std::string sha;
  long long run = 0;
  std::map<std::string, std::string> matrix;
};

std::string SanitizeTag(std::string_view raw);

// The placeholder names in a template that are not known: neither built in nor a matrix axis.
// Also reports an unclosed `{` as the placeholder text after it.
std::vector<std::string> UnknownPlaceholders(std::string_view tmpl,
                                             const std::vector<std::string>& matrix_axes);

// Renders then sanitises; unknown placeholders are left out.
std::string RenderTag(std::string_view tmpl, const TagValues& values);

}  // namespace slipway::pipelines
