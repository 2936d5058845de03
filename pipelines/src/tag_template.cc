#include "pipelines/tag_template.h"

#include "pipelines/semver.h"

#include <algorithm>
#include <cctype>

namespace slipway::pipelines {
namespace {

bool IsTagChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

bool IsBuiltin(std::string_view name) {
  return name == "branch" || name == "sha" || name == "short_sha" || name == "run" || name == "tag" ||
         name == "semver" || name == "major" || name == "minor" || name == "patch";
}

bool IsVersionPart(std::string_view name) { return name == "major" || name == "minor" || name == "patch"; }

// Calls on_text for literal runs and on_name for each {name}; an unclosed "{" is passed as a name
// with closed = false.
template <typename Text, typename Name>
void Walk(std::string_view tmpl, Text on_text, Name on_name) {
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find('{', i);
    if (open == std::string_view::npos) {
      on_text(tmpl.substr(i));
      return;
    }
    on_text(tmpl.substr(i, open - i));
    size_t close = tmpl.find('}', open);
    if (close == std::string_view::npos) {
      on_name(tmpl.substr(open + 1), false);
      return;
    }
    on_name(tmpl.substr(open + 1, close - open - 1), true);
    i = close + 1;
  }
}

}  // namespace

std::string SanitizeTag(std::string_view raw) {
  std::string out;
  for (char c : raw) out += IsTagChar(c) ? c : '-';
  size_t first = out.find_first_not_of(".-");
  if (first == std::string::npos) return "";
  out.erase(0, first);
  if (out.size() > 128) out.resize(128);
  return out;
}

std::vector<std::string> UnknownPlaceholders(std::string_view tmpl,
                                             const std::vector<std::string>& matrix_axes) {
  std::vector<std::string> unknown;
  Walk(
      tmpl, [](std::string_view) {},
      [&](std::string_view name, bool closed) {
        std::string n(name);
        if (!closed) {
          unknown.push_back("{" + n);
        } else if (!IsBuiltin(n) &&
                   std::find(matrix_axes.begin(), matrix_axes.end(), n) == matrix_axes.end()) {
          unknown.push_back(n);
        }
      });
  return unknown;
}

std::optional<std::string> TagSkipped(std::string_view tmpl, const TagValues& values) {
  std::optional<SemVer> version = ParseSemVer(values.tag);
  std::optional<std::string> why;
  Walk(
      tmpl, [](std::string_view) {},
      [&](std::string_view name, bool closed) {
        if (!closed || why) return;
        if (name == "tag" && values.tag.empty()) why = "{tag} needs a run of a tag";
        if (name == "branch" && values.branch.empty() && !values.tag.empty()) why = "{branch} needs a run of a branch";
        if (name == "semver" && !version) why = "{semver} needs a semantic version tag";
        if (IsVersionPart(name) && (!version || !version->is_release())) {
          why = "{" + std::string(name) + "} needs a release version tag";
        }
      });
  if (!why && tmpl == "latest" && !values.tag.empty() && !values.highest_release) {
    why = "latest moves only with the repository's highest release tag";
  }
  return why;
}

std::string RenderTag(std::string_view tmpl, const TagValues& values) {
  std::optional<SemVer> version = ParseSemVer(values.tag);
  std::string raw;
  Walk(
      tmpl, [&](std::string_view text) { raw += text; },
      [&](std::string_view name, bool closed) {
        if (!closed) return;
        if (name == "branch") raw += values.branch;
        else if (name == "sha") raw += values.sha;
        else if (name == "short_sha") raw += values.sha.substr(0, 7);
        else if (name == "run") raw += std::to_string(values.run);
        else if (name == "tag") raw += values.tag;
        else if (name == "semver" && version) raw += version->ToString();
        else if (name == "major" && version) raw += std::to_string(version->major);
        else if (name == "minor" && version) raw += std::to_string(version->minor);
        else if (name == "patch" && version) raw += std::to_string(version->patch);
        else if (auto it = values.matrix.find(std::string(name)); it != values.matrix.end()) {
          raw += it->second;
        }
      });
  return SanitizeTag(raw);
}

}  // namespace slipway::pipelines
