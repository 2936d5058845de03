// Version order: every line of osv-scanner's published Debian and PyPI vectors, and apk cases.
#include "insight/version.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace slipway::insight {
namespace {

struct Vector {
  int line;
  std::string a, op, b;
};

// "A < B", "A = B" or "A > B" per line; blank lines and "//" comments skipped.
std::vector<Vector> ReadVectors(const std::string& name) {
  std::ifstream in(std::string(SLIPWAY_TEST_DATA_DIR) + "/fixtures/version-vectors/" + name);
  REQUIRE(in.good());
  std::vector<Vector> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line.rfind("//", 0) == 0) continue;
    std::istringstream s(line);
    Vector v{n, "", "", ""};
    s >> v.a >> v.op >> v.b;
    REQUIRE(!v.b.empty());
    out.push_back(v);
  }
  return out;
}

void CheckVectors(const std::vector<Vector>& vectors, VersionScheme scheme) {
  for (const Vector& v : vectors) {
    INFO("line " << v.line << ": " << v.a << " " << v.op << " " << v.b);
    int c = CompareVersions(scheme, v.a, v.b);
    int r = CompareVersions(scheme, v.b, v.a);
    if (v.op == "<") {
      CHECK(c < 0);
      CHECK(r > 0);
    } else if (v.op == ">") {
      CHECK(c > 0);
      CHECK(r < 0);
    } else {
      CHECK(c == 0);
      CHECK(r == 0);
    }
  }
}

}  // namespace

TEST_CASE("dpkg order: osv-scanner's Debian vectors") {
  auto vectors = ReadVectors("osv-scanner-debian-versions.txt");
  CHECK(vectors.size() >= 30);
  CheckVectors(vectors, VersionScheme::kDpkg);
}

TEST_CASE("dpkg order: tilde, epochs and revisions") {
  CHECK(CompareDpkgVersions("1.0~rc1", "1.0") < 0);
  CHECK(CompareDpkgVersions("1.0~~", "1.0~") < 0);
  CHECK(CompareDpkgVersions("1:0.1", "2.0") > 0);
  CHECK(CompareDpkgVersions("3.0.11-1~deb12u1", "3.0.11-1~deb12u2") < 0);
  CHECK(CompareDpkgVersions("3.0.11-1~deb12u2", "3.0.11-1") < 0);
  CHECK(CompareDpkgVersions("1.2.3+dfsg-1", "1.2.3-1") > 0);
  CHECK(CompareDpkgVersions("1.0a", "1.0+") < 0);  // letters sort before other symbols
}

// A version read from a pushed image's dpkg status may hold any byte; a NUL once made the
// comparison loop forever. dpkg reads versions as C strings, so one ends at its first NUL.
TEST_CASE("dpkg order: a version ends at a NUL byte inside it") {
  using namespace std::string_view_literals;
  CHECK(CompareDpkgVersions("1\0"
                            "2"sv, "1") == 0);
  CHECK(CompareDpkgVersions("2.\0\0"
                            "0_git20230103-r1"sv, "2.0") == 0);
  CHECK(CompareDpkgVersions("\0"
                            "0.0.0-10"sv, "20.") < 0);
  CHECK(CompareDpkgVersions("1.0\0"sv, "1.0~rc1") > 0);
}

TEST_CASE("PEP 440 order: osv-scanner's PyPI vectors, legacy versions included") {
  auto vectors = ReadVectors("osv-scanner-pypi-versions.txt");
  CHECK(vectors.size() >= 35);
  CheckVectors(vectors, VersionScheme::kPep440);
}

TEST_CASE("PEP 440 order: normal forms and the requests advisory bounds") {
  CHECK(ComparePep440Versions("2.28.0", "2.31.0") < 0);
  CHECK(ComparePep440Versions("2.3.0", "2.28.0") < 0);
  CHECK(ComparePep440Versions("1.0", "1.0.0") == 0);
  CHECK(ComparePep440Versions("v1.0", "1.0") == 0);
  CHECK(ComparePep440Versions("1.0RC1", "1.0rc1") == 0);
  CHECK(ComparePep440Versions("1.0-alpha-2", "1.0a2") == 0);
  CHECK(ComparePep440Versions("1.0.post1", "1.0") > 0);
  CHECK(ComparePep440Versions("1.0.dev1", "1.0a1") < 0);
  CHECK(ComparePep440Versions("1.0rc1", "1.0") < 0);
  CHECK(ComparePep440Versions("1!0.1", "2.0") > 0);
}

TEST_CASE("apk order: numbers, letters, suffixes and revisions") {
  const std::vector<std::pair<std::string, std::string>> less = {
      {"1.2.3-r0", "1.2.3-r1"},
      {"1.2.3", "1.2.3-r1"},
      {"1.2.3_rc1", "1.2.3"},
      {"1.2.3_alpha", "1.2.3_beta"},
      {"1.2.3_beta2", "1.2.3_pre1"},
      {"1.2.3_pre1", "1.2.3_rc1"},
      {"1.2.3", "1.2.3_p1"},
      {"1.2.3_p1", "1.2.3_p2"},
      {"1.2.3", "1.2.3a"},
      {"1.2.3a", "1.2.3b"},
      {"1.2", "1.2.1"},
      {"1.9", "1.10"},
      {"3.1.4-r5", "3.1.4_p1-r0"},
      {"1.2.3_git20230101", "1.2.3_p1"},
      {"1.2.3b", "1.2.4"},
      {"2.38.1-r0", "2.39.0-r0"},
  };
  for (const auto& [a, b] : less) {
    INFO(a << " < " << b);
    CHECK(CompareApkVersions(a, b) < 0);
    CHECK(CompareApkVersions(b, a) > 0);
  }
  CHECK(CompareApkVersions("1.2.3-r4", "1.2.3-r4") == 0);
}

}  // namespace slipway::insight
