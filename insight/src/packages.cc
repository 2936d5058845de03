// Package databases and os-release parsed from captured image files (see packages.h).
#include "insight/packages.h"

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace slipway::insight {
namespace {

// Splits text into lines, tolerating "\r\n".
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    start = nl + 1;
  }
  return out;
}

// RFC 822-style paragraphs: "Key: value" with continuation lines starting with a space.
std::vector<std::map<std::string, std::string>> Paragraphs(std::string_view text) {
  std::vector<std::map<std::string, std::string>> out;
  std::map<std::string, std::string> cur;
  std::string last_key;
  for (std::string_view line : Lines(text)) {
    if (TrimAsciiSpace(line).empty()) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
      last_key.clear();
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') continue;  // continuation: not needed here
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    last_key = std::string(line.substr(0, colon));
    cur[last_key] = std::string(TrimAsciiSpace(line.substr(colon + 1)));
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool ByName(const Package& a, const Package& b) {
  return a.name != b.name ? a.name < b.name : a.version < b.version;
}

}  // namespace

std::string_view PackageTypeName(PackageType type) {
  switch (type) {
    case PackageType::kDeb:
      return "deb";
    case PackageType::kApk:
      return "apk";
    case PackageType::kPython:
      return "python";
  }
  return "?";
}

OsRelease ParseOsRelease(std::string_view text) {
  OsRelease os;
  for (std::string_view line : Lines(text)) {
    line = TrimAsciiSpace(line);
    size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq);
    std::string_view value = TrimAsciiSpace(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (key == "ID") os.id = value;
    if (key == "VERSION_ID") os.version_id = value;
    if (key == "VERSION_CODENAME") os.version_codename = value;
    if (key == "PRETTY_NAME") os.pretty_name = value;
  }
  return os;
}

std::vector<Package> ParseDpkgStatus(std::string_view text, const std::string& location) {
  std::vector<Package> out;
  for (auto& p : Paragraphs(text)) {
    if (!p.count("Package") || !p.count("Version")) continue;
    if (p.count("Status")) {
      const std::string& status = p["Status"];
      // "want flag status": only the last word says whether it is installed.
      size_t space = status.find_last_of(' ');
      if ((space == std::string::npos ? status : status.substr(space + 1)) != "installed") continue;
    }
    Package pkg;
    pkg.type = PackageType::kDeb;
    pkg.name = p["Package"];
    pkg.version = p["Version"];
    pkg.architecture = p.count("Architecture") ? p["Architecture"] : "";
    pkg.source_name = pkg.name;
    pkg.source_version = pkg.version;
    if (p.count("Source")) {
      std::string_view source = TrimAsciiSpace(p["Source"]);
      size_t paren = source.find('(');
      if (paren != std::string_view::npos) {
        size_t close = source.find(')', paren);
        if (close != std::string_view::npos) {
          pkg.source_version = std::string(TrimAsciiSpace(source.substr(paren + 1, close - paren - 1)));
        }
        source = TrimAsciiSpace(source.substr(0, paren));
      }
      if (!source.empty()) pkg.source_name = std::string(source);
    }
    pkg.location = location;
    out.push_back(std::move(pkg));
  }
  return out;
}

std::vector<Package> ParseApkInstalled(std::string_view text, const std::string& location) {
  std::vector<Package> out;
  Package cur;
  auto flush = [&] {
    if (!cur.name.empty() && !cur.version.empty()) {
      if (cur.source_name.empty()) cur.source_name = cur.name;
      cur.source_version = cur.version;
      cur.location = location;
      out.push_back(cur);
    }
    cur = Package();
    cur.type = PackageType::kApk;
  };
  cur.type = PackageType::kApk;
  for (std::string_view line : Lines(text)) {
    if (line.empty()) {
      flush();
      continue;
    }
    if (line.size() < 2 || line[1] != ':') continue;
    std::string value(line.substr(2));
    switch (line[0]) {
      case 'P':
        cur.name = value;
        break;
      case 'V':
        cur.version = value;
        break;
      case 'A':
        cur.architecture = value;
        break;
      case 'o':
        cur.source_name = value;
        break;
      default:
        break;
    }
  }
  flush();
  return out;
}

std::vector<Package> ParsePythonMetadata(std::string_view text, const std::string& location) {
  Package pkg;
  pkg.type = PackageType::kPython;
  for (std::string_view line : Lines(text)) {
    if (line.empty()) break;  // the body (description) follows the headers
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = TrimAsciiSpace(line.substr(colon + 1));
    if (key == "Name" && pkg.name.empty()) pkg.name = value;
    if (key == "Version" && pkg.version.empty()) pkg.version = value;
  }
  if (pkg.name.empty() || pkg.version.empty()) return {};
  pkg.source_name = pkg.name;
  pkg.source_version = pkg.version;
  pkg.location = location;
  return {pkg};
}

std::string NormalisePythonName(std::string_view name) {
  std::string out;
  bool sep = false;
  for (char c : AsciiLower(name)) {
    if (c == '-' || c == '_' || c == '.') {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out += '-';
    sep = false;
    out += c;
  }
  return out;
}

PackageInventory ExtractPackages(const Image& image) {
  PackageInventory inv;
  auto os = image.files.find("etc/os-release");
  if (os == image.files.end()) os = image.files.find("usr/lib/os-release");
  if (os != image.files.end()) inv.os = ParseOsRelease(os->second);
  std::vector<Package> deb, apk, py;
  for (const auto& [path, text] : image.files) {
    std::string location = "/" + path;
    std::vector<Package> found;
    if (path == "var/lib/dpkg/status" || path.starts_with("var/lib/dpkg/status.d/")) {
      found = ParseDpkgStatus(text, location);
      deb.insert(deb.end(), found.begin(), found.end());
    } else if (path == "lib/apk/db/installed") {
      found = ParseApkInstalled(text, location);
      apk.insert(apk.end(), found.begin(), found.end());
    } else if (path.ends_with("METADATA") || path.ends_with("PKG-INFO") ||
               path.ends_with(".egg-info")) {
      found = ParsePythonMetadata(text, location);
      py.insert(py.end(), found.begin(), found.end());
    }
  }
  for (auto* list : {&deb, &apk, &py}) {
    std::sort(list->begin(), list->end(), ByName);
    inv.packages.insert(inv.packages.end(), list->begin(), list->end());
  }
  return inv;
}

}  // namespace slipway::insight
