// dpkg, apk and PEP 440 version ordering (see version.h).
#include "insight/version.h"

#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/strings.h"

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

// The parts of a PEP 440 version (packaging's VERSION_PATTERN, lower-cased), read by hand in one
// pass: no regex engine, so no backtracking or recursion on text an image supplies.
struct Pep440Parts {
  std::optional<std::string> epoch;
  std::string release;
  std::optional<std::string> pre_letter, pre_number;
  bool has_post = false;
  std::optional<std::string> post_number;
  bool has_dev = false;
  std::optional<std::string> dev_number;
  std::optional<std::string> local;
};

class Pep440Reader {
 public:
  explicit Pep440Reader(std::string_view v) : v_(v) {}

  std::optional<Pep440Parts> Read() {
    Pep440Parts out;
    if (Peek() == 'v') ++i_;
    size_t start = i_;
    std::string digits = Digits();
    if (!digits.empty() && Peek() == '!') {
      ++i_;
      out.epoch = digits;
    } else {
      i_ = start;
    }
    out.release = Digits();
    if (out.release.empty()) return std::nullopt;
    while (Peek() == '.' && IsDigit(Peek(1))) {
      ++i_;
      out.release += "." + Digits();
    }
    Optional([&] {  // [-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?([0-9]+)?
      Separator();
      auto letter = Word({"preview", "alpha", "beta", "pre", "rc", "a", "b", "c"});
      if (!letter) return false;
      out.pre_letter = letter;
      out.pre_number = SeparatedNumber();
      return true;
    });
    Optional([&] {  // -([0-9]+) | [-_.]?(post|rev|r)[-_.]?([0-9]+)?
      if (Peek() == '-' && IsDigit(Peek(1))) {
        ++i_;
        out.post_number = Digits();
      } else {
        Separator();
        if (!Word({"post", "rev", "r"})) return false;
        out.post_number = SeparatedNumber();
      }
      return out.has_post = true;
    });
    Optional([&] {  // [-_.]?dev[-_.]?([0-9]+)?
      Separator();
      if (!Word({"dev"})) return false;
      out.dev_number = SeparatedNumber();
      return out.has_dev = true;
    });
    if (Peek() == '+') {  // \+([a-z0-9]+(?:[-_.][a-z0-9]+)*)
      ++i_;
      size_t local_start = i_;
      do {
        if (!IsAlnum(Peek())) return std::nullopt;
        while (IsAlnum(Peek())) ++i_;
      } while (IsSeparator(Peek()) && ++i_);
      out.local = std::string(v_.substr(local_start, i_ - local_start));
    }
    if (i_ != v_.size()) return std::nullopt;
    return out;
  }

 private:
  static bool IsSeparator(char c) { return c == '-' || c == '_' || c == '.'; }
  static bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z'); }
  char Peek(size_t ahead = 0) const { return i_ + ahead < v_.size() ? v_[i_ + ahead] : '\0'; }
  std::string Digits() {
    size_t start = i_;
    while (IsDigit(Peek())) ++i_;
    return std::string(v_.substr(start, i_ - start));
  }
  void Separator() {
    if (IsSeparator(Peek())) ++i_;
  }
  // The first of the words (longest first where one begins another) found here.
  std::optional<std::string> Word(std::initializer_list<const char*> words) {
    for (const char* w : words) {
      std::string_view word(w);
      if (v_.substr(i_, word.size()) == word) {
        i_ += word.size();
        return std::string(word);
      }
    }
    return std::nullopt;
  }
  // [-_.]?([0-9]+)?, both greedy as in the pattern.
  std::optional<std::string> SeparatedNumber() {
    Separator();
    std::string n = Digits();
    return n.empty() ? std::nullopt : std::optional<std::string>(n);
  }
  // Runs part; on false, puts the position back.
  template <typename F>
  void Optional(F part) {
    size_t start = i_;
    if (!part()) i_ = start;
  }

  std::string_view v_;
  size_t i_ = 0;
};

unsigned long long ToNumber(const std::string& s) {
  unsigned long long n = 0;
  for (char c : s) n = n * 10 + static_cast<unsigned>(c - '0');
  return n;
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
  std::string v = AsciiLower(TrimAsciiSpace(raw));
  Pep440 out;
  std::optional<Pep440Parts> m = Pep440Reader(v).Read();
  if (!m) {
    out.legacy = true;
    out.legacy_parts = LegacyParts(v);
    return out;
  }
  if (m->epoch) out.epoch = ToNumber(*m->epoch);
  const std::string& release = m->release;
  size_t pos = 0;
  while (pos <= release.size()) {
    size_t dot = release.find('.', pos);
    if (dot == std::string::npos) dot = release.size();
    out.release.push_back(ToNumber(release.substr(pos, dot - pos)));
    pos = dot + 1;
  }
  while (!out.release.empty() && out.release.back() == 0) out.release.pop_back();
  if (m->pre_letter) {
    const std::string& l = *m->pre_letter;
    int rank = (l == "a" || l == "alpha") ? 0 : (l == "b" || l == "beta") ? 1 : 2;
    out.pre = {0, rank, m->pre_number ? ToNumber(*m->pre_number) : 0};
  } else if (!m->has_post && m->has_dev) {
    out.pre = {-1, 0, 0};
  } else {
    out.pre = {1, 0, 0};
  }
  out.post = m->has_post ? Bound{0, 0, ToNumber(m->post_number.value_or("0"))} : Bound{-1, 0, 0};
  out.dev = m->has_dev ? Bound{0, 0, m->dev_number ? ToNumber(*m->dev_number) : 0} : Bound{1, 0, 0};
  if (m->local) {
    std::vector<LocalPart> local;
    const std::string& l = *m->local;
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
  a = a.substr(0, std::min(a.find('\0'), kMaxVersionBytes));
  b = b.substr(0, std::min(b.find('\0'), kMaxVersionBytes));
  DpkgVersion x = ParseDpkg(a);
  DpkgVersion y = ParseDpkg(b);
  if (x.epoch != y.epoch) return x.epoch < y.epoch ? -1 : 1;
  if (int c = VerRevCmp(x.upstream, y.upstream)) return c;
  return VerRevCmp(x.revision, y.revision);
}

int CompareApkVersions(std::string_view a, std::string_view b) {
  a = a.substr(0, kMaxVersionBytes);
  b = b.substr(0, kMaxVersionBytes);
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
  a = a.substr(0, kMaxVersionBytes);
  b = b.substr(0, kMaxVersionBytes);
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
