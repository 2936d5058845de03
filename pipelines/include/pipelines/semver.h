// Semantic versions in git tags: "v1.2.3", "1.2.3", "1.2.3-rc.1", "v1.2.3+build.5" (semver.org 2.0,
// with an optional leading "v"). Tag templates use them ({semver}, {major}, {minor}, {patch}), and
// the `latest` rule compares them: only the highest release tag of a repository moves `latest`.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::pipelines {

struct SemVer {
  unsigned long long major = 0, minor = 0, patch = 0;
  std::string prerelease;  // "rc.1"; "" for a release
  std::string build;       // "build.5": ignored when ordering

  bool is_release() const { return prerelease.empty(); }
  // "1.2.3", "1.2.3-rc.1": the version without "v" and build metadata.
  std::string ToString() const;
};

// nullopt when `tag` is not a semantic version (numbers with leading zeros included).
std::optional<SemVer> ParseSemVer(std::string_view tag);

// <0, 0, >0 as a orders before, with, after b (semver.org precedence; build metadata ignored).
int CompareSemVer(const SemVer& a, const SemVer& b);

// Whether `tag` is a release semantic version and no tag in `all_tags` is a higher release.
bool IsHighestRelease(std::string_view tag, const std::vector<std::string>& all_tags);

}  // namespace slipway::pipelines
