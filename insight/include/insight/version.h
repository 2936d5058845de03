// Version ordering for the ecosystems Slipway matches advisories in: dpkg (epoch, upstream,
// revision, "~" before anything), apk (numbers, letter, _alpha.._p suffixes, -rN) and PEP 440
// (epoch, release, pre, post, dev, local; strings that are not PEP 440 sort before every valid
// version and among themselves as the old setuptools "legacy" versions did).
//
// Versions come from images, so they are read in one pass each (no regex) and compared on their
// first kMaxVersionBytes bytes only.
//
// Each Compare returns <0, 0 or >0. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace slipway::insight {

inline constexpr size_t kMaxVersionBytes = 256;

int CompareDpkgVersions(std::string_view a, std::string_view b);
int CompareApkVersions(std::string_view a, std::string_view b);
int ComparePep440Versions(std::string_view a, std::string_view b);

enum class VersionScheme { kDpkg, kApk, kPep440 };
int CompareVersions(VersionScheme scheme, std::string_view a, std::string_view b);

}  // namespace slipway::insight
