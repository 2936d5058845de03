// Packages installed in an image, read from its files: Debian (var/lib/dpkg/status and
// status.d/*), Alpine (lib/apk/db/installed) and Python distributions (*.dist-info/METADATA,
// *.egg-info/PKG-INFO or an *.egg-info file), with the OS release from etc/os-release.
//
// Thread-safety: pure functions over values.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "insight/image.h"

namespace slipway::insight {

enum class PackageType { kDeb, kApk, kPython };

struct Package {
  PackageType type = PackageType::kDeb;
  std::string name;
  std::string version;
  std::string source_name;     // deb: the Source field's package (else name); apk: origin
  std::string source_version;  // deb: the source package's version (else version)
  std::string architecture;
  std::string location;  // the file it was read from
};

struct OsRelease {
  std::string id;          // "debian", "alpine", ...
  std::string version_id;  // "12", "3.19.1"
  std::string pretty_name;
  std::string version_codename;  // "bookworm"; what Debian testing and sid say instead of a VERSION_ID
  bool known() const { return !id.empty(); }
};

std::string_view PackageTypeName(PackageType type);  // "deb", "apk", "python"

OsRelease ParseOsRelease(std::string_view text);
// Paragraphs of a dpkg status file; only installed packages (a paragraph without Status counts as
// installed, as in distroless status.d files).
std::vector<Package> ParseDpkgStatus(std::string_view text, const std::string& location);
std::vector<Package> ParseApkInstalled(std::string_view text, const std::string& location);
// Name and Version from core metadata headers; empty when either is missing.
std::vector<Package> ParsePythonMetadata(std::string_view text, const std::string& location);

// PEP 503: lower case, runs of "-", "_" and "." become one "-".
std::string NormalisePythonName(std::string_view name);

struct PackageInventory {
  OsRelease os;
  std::vector<Package> packages;  // deb, then apk, then python; each sorted by name
};

PackageInventory ExtractPackages(const Image& image);

}  // namespace slipway::insight
