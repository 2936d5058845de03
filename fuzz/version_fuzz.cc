// Fuzzes version ordering (dpkg, apk, PEP 440) and checks that each is an order: a version equals
// itself, swapping the arguments flips the sign, and a <= b <= c gives a <= c. The input is up to
// three versions, one a line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "insight/version.h"

using namespace slipway::insight;

namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

void Require(bool ok, const char* what, VersionScheme scheme, std::string_view a, std::string_view b) {
  if (ok) return;
  std::fprintf(stderr, "version order broken (%s, scheme %d): \"%.*s\" vs \"%.*s\"\n", what,
               static_cast<int>(scheme), static_cast<int>(a.size()), a.data(), static_cast<int>(b.size()),
               b.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view v[3];
  for (auto& part : v) {
    size_t nl = in.find('\n');
    part = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  }
  for (VersionScheme scheme : {VersionScheme::kDpkg, VersionScheme::kApk, VersionScheme::kPep440}) {
    auto cmp = [scheme](std::string_view x, std::string_view y) { return Sign(CompareVersions(scheme, x, y)); };
    Require(cmp(v[0], v[0]) == 0, "reflexive", scheme, v[0], v[0]);
    Require(cmp(v[0], v[1]) == -cmp(v[1], v[0]), "antisymmetric", scheme, v[0], v[1]);
    if (cmp(v[0], v[1]) <= 0 && cmp(v[1], v[2]) <= 0) {
      Require(cmp(v[0], v[2]) <= 0, "transitive", scheme, v[0], v[2]);
    }
  }
  return 0;
}
