#include "pipelines/semver.h"

#include <cctype>
#include <charconv>

namespace slipway::pipelines {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A numeric part: digits, no leading zero (except "0" itself), fits in 64 bits.
std::optional<unsigned long long> Number(std::string_view s) {
  if (!AllDigits(s) || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  unsigned long long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// Dot-separated identifiers of [0-9A-Za-z-], none empty; numeric ones without leading zeros.
bool ValidIdentifiers(std::string_view s, bool numeric_rule) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view id = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (id.empty()) return false;
    for (char c : id) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    if (numeric_rule && AllDigits(id) && id.size() > 1 && id[0] == '0') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

int ComparePrerelease(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? 1 : -1);  // release > pre
  std::vector<std::string_view> x = Split(a), y = Split(b);
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    bool xn = AllDigits(x[i]), yn = AllDigits(y[i]);
    if (xn && yn) {
      if (x[i].size() != y[i].size()) return x[i].size() < y[i].size() ? -1 : 1;
      if (int c = x[i].compare(y[i]); c != 0) return c < 0 ? -1 : 1;
    } else if (xn != yn) {
      return xn ? -1 : 1;  // numeric identifiers order before alphanumeric ones
    } else if (int c = x[i].compare(y[i]); c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  if (x.size() == y.size()) return 0;
  return x.size() < y.size() ? -1 : 1;
}

}  // namespace

std::string SemVer::ToString() const {
  std::string out = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  return prerelease.empty() ? out : out + "-" + prerelease;
}

std::optional<SemVer> ParseSemVer(std::string_view tag) {
  if (!tag.empty() && tag.front() == 'v') tag.remove_prefix(1);
  SemVer v;
  if (size_t plus = tag.find('+'); plus != std::string_view::npos) {
    v.build = std::string(tag.substr(plus + 1));
    if (!ValidIdentifiers(v.build, false)) return std::nullopt;
    tag = tag.substr(0, plus);
  }
  if (size_t dash = tag.find('-'); dash != std::string_view::npos) {
    v.prerelease = std::string(tag.substr(dash + 1));
    if (!ValidIdentifiers(v.prerelease, true)) return std::nullopt;
    tag = tag.substr(0, dash);
  }
  std::vector<std::string_view> parts = Split(tag);
  if (parts.size() != 3) return std::nullopt;
  auto major = Number(parts[0]), minor = Number(parts[1]), patch = Number(parts[2]);
  if (!major || !minor || !patch) return std::nullopt;
  v.major = *major;
  v.minor = *minor;
  v.patch = *patch;
  return v;
}

int CompareSemVer(const SemVer& a, const SemVer& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  return ComparePrerelease(a.prerelease, b.prerelease);
}

bool IsHighestRelease(std::string_view tag, const std::vector<std::string>& all_tags) {
  std::optional<SemVer> mine = ParseSemVer(tag);
  if (!mine || !mine->is_release()) return false;
  for (const std::string& other : all_tags) {
    std::optional<SemVer> v = ParseSemVer(other);
    if (v && v->is_release() && CompareSemVer(*v, *mine) > 0) return false;
  }
  return true;
}

}  // namespace slipway::pipelines
