// dpkg, apk and PEP 440 version ordering (see version.h).
#include "insight/version.h"

#include <cctype>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

namespace slipway::insight {
namespace {

int Sign(long long v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// ---- dpkg ------------------------------------------------------------------------------------

int DpkgOrder(char c) {
  if (IsDigit(c)) return 0;
  if (IsAlpha(c)) return c;
  if (c == '~') return -1;
  if (c) return c + 256;
  return 0;
}

// dpkg's verrevcmp: alternating non-digit and digit runs; "~" sorts before everything, even the
// end. REQUIRES: neither holds a NUL byte (it would read as the end and never be passed over).
int VerRevCmp(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  auto at = [](std::string_view s, size_t k) { return k < s.size() ? s[k] : '\0'; };
  while (i < a.size() || j < b.size()) {
    while ((at(a, i) && !IsDigit(at(a, i))) || (at(b, j) && !IsDigit(at(b, j)))) {
      int ac = DpkgOrder(at(a, i));
      int bc = DpkgOrder(at(b, j));
      if (ac != bc) return Sign(ac - bc);
      ++i;
      ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    int first_diff = 0;
    while (IsDigit(at(a, i)) && IsDigit(at(b, j))) {
      if (!first_diff) first_diff = at(a, i) - at(b, j);
      ++i;
      ++j;
    }
    if (IsDigit(at(a, i))) return 1;
    if (IsDigit(at(b, j))) return -1;
    if (first_diff) return Sign(first_diff);
  }
  return 0;
}

struct DpkgVersion {
  unsigned long long epoch = 0;
  std::string_view upstream;
  std::string_view revision;
};

DpkgVersion ParseDpkg(std::string_view v) {
  DpkgVersion out;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    for (char c : v.substr(0, colon)) {
      if (IsDigit(c)) out.epoch = out.epoch * 10 + static_cast<unsigned>(c - '0');
    }
    v.remove_prefix(colon + 1);
  }
  size_t dash = v.rfind('-');
  if (dash != std::string_view::npos) {
    out.upstream = v.substr(0, dash);
    out.revision = v.substr(dash + 1);
  } else {
    out.upstream = v;
  }
  return out;
}

// ---- apk -------------------------------------------------------------------------------------

struct ApkVersion {
  std::vector<unsigned long long> numbers;
  int letter = 0;  // 0: none
  std::vector<std::pair<int, unsigned long long>>
      suffixes;  // (rank, number); rank < 0: pre-release
  unsigned long long revision = 0;
};

int ApkSuffixRank(std::string_view s) {
  if (s == "alpha") return -4;
  if (s == "beta") return -3;
  if (s == "pre") return -2;
  if (s == "rc") return -1;
  if (s == "cvs") return 1;
  if (s == "svn") return 2;
  if (s == "git") return 3;
  if (s == "hg") return 4;
  if (s == "p") return 5;
  return 0;
}

unsigned long long ReadNumber(std::string_view s, size_t* i) {
  unsigned long long n = 0;
  while (*i < s.size() && IsDigit(s[*i])) n = n * 10 + static_cast<unsigned>(s[(*i)++] - '0');
  return n;
}

ApkVersion ParseApk(std::string_view v) {
  ApkVersion out;
  size_t i = 0;
  while (i < v.size() && IsDigit(v[i])) {
    out.numbers.push_back(ReadNumber(v, &i));
    if (i < v.size() && v[i] == '.' && i + 1 < v.size() && IsDigit(v[i + 1])) {
      ++i;
    } else {
      break;
    }
  }
  if (i < v.size() && IsAlpha(v[i]) && (i + 1 == v.size() || !IsAlpha(v[i + 1]))) {
    out.letter = v[i++];
  }
  while (i < v.size() && v[i] == '_') {
    size_t start = ++i;
    while (i < v.size() && IsAlpha(v[i])) ++i;
    int rank = ApkSuffixRank(v.substr(start, i - start));
    out.suffixes.push_back({rank, ReadNumber(v, &i)});
  }
  if (i < v.size() && v[i] == '~') {  // a commit hash: not ordered
    while (i < v.size() && v[i] != '-') ++i;
  }
  if (i + 1 < v.size() && v[i] == '-' && v[i + 1] == 'r') {
    i += 2;
    out.revision = ReadNumber(v, &i);
  }
  return out;
}

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// ---- PEP 440 ---------------------------------------------------------------------------------

// A component with infinities, as packaging's Infinity / NegativeInfinity.
struct Bound {
  int kind = 0;  // -1: below everything, 0: value, 1: above everything
  int rank = 0;
  unsigned long long n = 0;
  auto Key() const { return std::make_tuple(kind, rank, n); }
};

struct LocalPart {
  bool is_number = false;
  unsigned long long n = 0;
  std::string s;
};

struct Pep440 {
  bool legacy = false;
  std::vector<std::string> legacy_parts;
  unsigned long long epoch = 0;
  std::vector<unsigned long long> release;
  Bound pre, post, dev;
  std::optional<std::vector<LocalPart>> local;
};

const std::regex& Pep440Regex() {
  static const std::regex re(R"(v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*))"
                             R"(([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?([0-9]+)?)?)"
                             R"(((?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?)"
                             R"(([-_.]?(dev)[-_.]?([0-9]+)?)?)"
                             R"((?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?)",
                             std::regex::icase | std::regex::optimize);
  return re;
}

unsigned long long ToNumber(const std::string& s) {
  unsigned long long n = 0;
  for (char c : s) n = n * 10 + static_cast<unsigned>(c - '0');
  return n;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The setuptools LegacyVersion key: zero-padded numbers, "*"-prefixed words, "*final" at the end.
std::vector<std::string> LegacyParts(const std::string& v) {
  std::vector<std::string> pieces;
  size_t i = 0;
  std::string other;
  auto flush_other = [&] {
    if (!other.empty()) pieces.push_back(other);
    other.clear();
  };
  while (i < v.size()) {
    char c = v[i];
    if (IsDigit(c) || (c >= 'a' && c <= 'z')) {
      flush_other();
      size_t start = i;
      bool digit = IsDigit(c);
      while (i < v.size() && (digit ? IsDigit(v[i]) : (v[i] >= 'a' && v[i] <= 'z'))) ++i;
      pieces.push_back(v.substr(start, i - start));
    } else if (c == '.' || c == '-') {
      flush_other();
      pieces.push_back(std::string(1, c));
      ++i;
    } else {
      other += c;
      ++i;
    }
  }
  flush_other();
  std::vector<std::string> parts;
  auto push = [&](const std::string& part) {
    if (part[0] == '*') {
      if (part < "*final") {
        while (!parts.empty() && parts.back() == "*final-") parts.pop_back();
      }
      while (!parts.empty() && parts.back() == "00000000") parts.pop_back();
    }
    parts.push_back(part);
  };
  for (std::string p : pieces) {
    if (p == "pre" || p == "preview")
      p = "c";
    else if (p == "-")
      p = "final-";
    else if (p == "rc")
      p = "c";
    else if (p == "dev")
      p = "@";
    if (p.empty() || p == ".") continue;
    if (IsDigit(p[0])) {
      push(p.size() >= 8 ? p : std::string(8 - p.size(), '0') + p);
    } else {
      push("*" + p);
    }
  }
  push("*final");
  return parts;
}

Pep440 ParsePep440(std::string_view raw) {
  std::string v = Lower(raw);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  size_t start = v.find_first_not_of(" \t");
  v = start == std::string::npos ? "" : v.substr(start);
  Pep440 out;
  std::smatch m;
  if (!std::regex_match(v, m, Pep440Regex())) {
    out.legacy = true;
    out.legacy_parts = LegacyParts(v);
    return out;
  }
  if (m[1].matched) out.epoch = ToNumber(m[1]);
  std::string release = m[2];
  size_t pos = 0;
  while (pos <= release.size()) {
    size_t dot = release.find('.', pos);
    if (dot == std::string::npos) dot = release.size();
    out.release.push_back(ToNumber(release.substr(pos, dot - pos)));
    pos = dot + 1;
  }
  while (!out.release.empty() && out.release.back() == 0) out.release.pop_back();
  bool has_pre = m[3].matched, has_post = m[6].matched, has_dev = m[10].matched;
  if (has_pre) {
    std::string l = m[4];
    int rank = (l == "a" || l == "alpha") ? 0 : (l == "b" || l == "beta") ? 1 : 2;
    out.pre = {0, rank, m[5].matched ? ToNumber(m[5]) : 0};
  } else if (!has_post && has_dev) {
    out.pre = {-1, 0, 0};
  } else {
    out.pre = {1, 0, 0};
  }
  if (has_post) {
    std::string n = m[7].matched ? m[7].str() : (m[9].matched ? m[9].str() : "0");
    out.post = {0, 0, ToNumber(n)};
  } else {
    out.post = {-1, 0, 0};
  }
  out.dev = has_dev ? Bound{0, 0, m[12].matched ? ToNumber(m[12]) : 0} : Bound{1, 0, 0};
  if (m[13].matched) {
    std::vector<LocalPart> local;
    std::string l = m[13];
    size_t p = 0;
    while (p <= l.size()) {
      size_t sep = l.find_first_of("-_.", p);
      if (sep == std::string::npos) sep = l.size();
      std::string part = l.substr(p, sep - p);
      bool number = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
      local.push_back({number, number ? ToNumber(part) : 0, number ? "" : part});
      p = sep + 1;
    }
    out.local = std::move(local);
  }
  return out;
}

int CompareLocal(const std::optional<std::vector<LocalPart>>& a,
                 const std::optional<std::vector<LocalPart>>& b) {
  if (!a || !b) return Cmp(a.has_value(), b.has_value());
  for (size_t i = 0; i < a->size() && i < b->size(); ++i) {
    const LocalPart& x = (*a)[i];
    const LocalPart& y = (*b)[i];
    if (x.is_number != y.is_number) return x.is_number ? 1 : -1;  // numbers sort after words
    int c = x.is_number ? Cmp(x.n, y.n) : Cmp(x.s, y.s);
    if (c) return c;
  }
  return Cmp(a->size(), b->size());
}

}  // namespace

int CompareDpkgVersions(std::string_view a, std::string_view b) {
  // dpkg reads versions as C strings: a version read from an image ends at its first NUL byte.
  a = a.substr(0, a.find('\0'));
  b = b.substr(0, b.find('\0'));
  DpkgVersion x = ParseDpkg(a);
  DpkgVersion y = ParseDpkg(b);
  if (x.epoch != y.epoch) return x.epoch < y.epoch ? -1 : 1;
  if (int c = VerRevCmp(x.upstream, y.upstream)) return c;
  return VerRevCmp(x.revision, y.revision);
}

int CompareApkVersions(std::string_view a, std::string_view b) {
  ApkVersion x = ParseApk(a);
  ApkVersion y = ParseApk(b);
  for (size_t i = 0; i < x.numbers.size() || i < y.numbers.size(); ++i) {
    if (i >= x.numbers.size()) return -1;  // 1.2 < 1.2.0 < 1.2.1
    if (i >= y.numbers.size()) return 1;
    if (int c = Cmp(x.numbers[i], y.numbers[i])) return c;
  }
  if (int c = Cmp(x.letter, y.letter)) return c;
  for (size_t i = 0; i < x.suffixes.size() || i < y.suffixes.size(); ++i) {
    // A missing suffix sits between the pre-release ones and the post-release ones.
    std::pair<int, unsigned long long> none{0, 0};
    const auto& s = i < x.suffixes.size() ? x.suffixes[i] : none;
    const auto& t = i < y.suffixes.size() ? y.suffixes[i] : none;
    if (int c = Cmp(s, t)) return c;
  }
  return Cmp(x.revision, y.revision);
}

int ComparePep440Versions(std::string_view a, std::string_view b) {
  Pep440 x = ParsePep440(a);
  Pep440 y = ParsePep440(b);
  if (x.legacy || y.legacy) {
    if (x.legacy != y.legacy) return x.legacy ? -1 : 1;
    return Cmp(x.legacy_parts, y.legacy_parts);
  }
  if (int c = Cmp(x.epoch, y.epoch)) return c;
  if (int c = Cmp(x.release, y.release)) return c;
  if (int c = Cmp(x.pre.Key(), y.pre.Key())) return c;
  if (int c = Cmp(x.post.Key(), y.post.Key())) return c;
  if (int c = Cmp(x.dev.Key(), y.dev.Key())) return c;
  return CompareLocal(x.local, y.local);
}

int CompareVersions(VersionScheme scheme, std::string_view a, std::string_view b) {
  switch (scheme) {
    case VersionScheme::kDpkg:
      return CompareDpkgVersions(a, b);
    case VersionScheme::kApk:
      return CompareApkVersions(a, b);
    case VersionScheme::kPep440:
      return ComparePep440Versions(a, b);
  }
  return 0;
}

}  // namespace slipway::insight
