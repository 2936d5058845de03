// Tag templates: `{branch}`, `{sha}`, `{short_sha}` (first 7 characters), `{run}` (the run number),
// `{NAME}` for each matrix axis, and for runs of a tag: `{tag}` (as pushed, "v1.2.3"), `{semver}`
// ("1.2.3", "1.2.3-rc.1"), `{major}`, `{minor}`, `{patch}` (of a release version only: a
// pre-release does not move "1.2" or "1"); rendered and sanitised into a valid Docker tag.
//
// A template that needs what the run does not have ({tag} on a branch run, {branch} on a tag run, {semver} on a tag that
// is no semantic version, {major} on a pre-release) gives no tag for that run: it is skipped, not
// an error (TagSkipped says why). The template `latest` on a tag run gives a tag only when the
// run's tag is the repository's highest release version, so an old release rebuilt or a
// pre-release never moves `latest`; on branch runs it is an ordinary template.
//
// A Docker tag is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`: SanitizeTag replaces every other character
// with `-` ("feature/x" -> "feature-x"), drops leading `.` and `-`, and cuts at 128 characters. A
// template that renders to nothing yields "" (the caller drops that tag).
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::pipelines {

struct TagValues {
  std::string branch;
  std::string sha;
  long long run = 0;
  std::map<std::string, std::string> matrix;
  std::string tag;               // the run's tag; "" for a branch run
  bool highest_release = false;  // the tag is the repository's highest release version
};

std::string SanitizeTag(std::string_view raw);

// The placeholder names in a template that are not known: neither built in nor a matrix axis.
// Also reports an unclosed `{` as the placeholder text after it.
std::vector<std::string> UnknownPlaceholders(std::string_view tmpl,
                                             const std::vector<std::string>& matrix_axes);

// Why `tmpl` gives no tag for a run with these values (above), or nullopt when it gives one.
std::optional<std::string> TagSkipped(std::string_view tmpl, const TagValues& values);

// Renders then sanitises; unknown placeholders are left out.
std::string RenderTag(std::string_view tmpl, const TagValues& values);

}  // namespace slipway::pipelines
