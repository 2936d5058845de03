// Package databases read from image files, package URLs and the CycloneDX SBOM.
#include "insight/packages.h"

#include <catch2/catch.hpp>

#include "insight/report.h"

namespace slipway::insight {

constexpr const char* kDpkgStatus =
    "Package: libssl3\n"
    "Status: install ok installed\n"
    "Priority: optional\n"
    "Architecture: amd64\n"
    "Source: openssl\n"
    "Version: 3.0.11-1~deb12u1\n"
    "Description: Secure Sockets Layer toolkit - shared libraries\n"
    " This package is part of the OpenSSL project's implementation.\n"
    "\n"
    "Package: zlib1g\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Source: zlib (1:1.2.13.dfsg-1)\n"
    "Version: 1:1.2.13.dfsg-1+b1\n"
    "\n"
    "Package: gone\n"
    "Status: deinstall ok config-files\n"
    "Version: 1.0\n"
    "\n"
    "Package: half\n"
    "Status: install ok half-installed\n"
    "Version: 1.0\n";

TEST_CASE("dpkg status: installed packages with their source packages") {
  auto pkgs = ParseDpkgStatus(kDpkgStatus, "/var/lib/dpkg/status");
  REQUIRE(pkgs.size() == 2);
  CHECK(pkgs[0].name == "libssl3");
  CHECK(pkgs[0].version == "3.0.11-1~deb12u1");
  CHECK(pkgs[0].source_name == "openssl");
  CHECK(pkgs[0].source_version == "3.0.11-1~deb12u1");
  CHECK(pkgs[0].architecture == "amd64");
  CHECK(pkgs[1].name == "zlib1g");
  CHECK(pkgs[1].source_name == "zlib");
  CHECK(pkgs[1].source_version == "1:1.2.13.dfsg-1");
  CHECK(pkgs[1].version == "1:1.2.13.dfsg-1+b1");
  // distroless status.d entries have no Status field
  auto distroless =
      ParseDpkgStatus("Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n", "x");
  REQUIRE(distroless.size() == 1);
  CHECK(distroless[0].source_name == "base-files");
}

TEST_CASE("apk installed database") {
  auto pkgs = ParseApkInstalled(
      "C:Q1abc=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n\n"
      "C:Q1def=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\no:openssl\n",
      "/lib/apk/db/installed");
  REQUIRE(pkgs.size() == 2);
  CHECK(pkgs[0].name == "musl");
  CHECK(pkgs[0].version == "1.2.4_git20230717-r4");
  CHECK(pkgs[1].name == "libcrypto3");
  CHECK(pkgs[1].source_name == "openssl");
  CHECK(pkgs[1].type == PackageType::kApk);
}

TEST_CASE("python metadata, name normalisation and os-release") {
  auto pkgs = ParsePythonMetadata(
      "Metadata-Version: 2.1\nName: Requests\nVersion: 2.28.0\nSummary: x\n\nName: not-a-header\n",
      "/m");
  REQUIRE(pkgs.size() == 1);
  CHECK(pkgs[0].name == "Requests");
  CHECK(pkgs[0].version == "2.28.0");
  CHECK(ParsePythonMetadata("Metadata-Version: 2.1\nName: x\n", "/m").empty());
  CHECK(NormalisePythonName("Foo.Bar__baz") == "foo-bar-baz");
  OsRelease os = ParseOsRelease(
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n# c\n");
  CHECK(os.id == "debian");
  CHECK(os.version_id == "12");
  CHECK(os.pretty_name == "Debian GNU/Linux 12 (bookworm)");
}

TEST_CASE("ExtractPackages reads every database of an image's captured files") {
  Image image;
  image.files["etc/os-release"] = "ID=debian\nVERSION_ID=\"12\"\n";
  image.files["var/lib/dpkg/status"] = kDpkgStatus;
  image.files["var/lib/dpkg/status.d/tzdata"] = "Package: tzdata\nVersion: 2024a-0+deb12u1\n";
  image.files["usr/local/lib/python3.11/site-packages/requests-2.28.0.dist-info/METADATA"] =
      "Name: requests\nVersion: 2.28.0\n";
  image.files["usr/lib/python3/dist-packages/six-1.16.0.egg-info"] = "Name: six\nVersion: 1.16.0\n";
  PackageInventory inv = ExtractPackages(image);
  CHECK(inv.os.id == "debian");
  REQUIRE(inv.packages.size() == 5);
  CHECK(inv.packages[0].name == "libssl3");
  CHECK(inv.packages[2].name == "zlib1g");
  CHECK(inv.packages[3].name == "requests");
  CHECK(inv.packages[3].location ==
        "/usr/local/lib/python3.11/site-packages/requests-2.28.0.dist-info/METADATA");
  CHECK(inv.packages[4].name == "six");
}

TEST_CASE("package URLs and the CycloneDX 1.5 SBOM") {
  OsRelease os{"debian", "12", "Debian GNU/Linux 12 (bookworm)"};
  auto pkgs = ParseDpkgStatus(kDpkgStatus, "/var/lib/dpkg/status");
  CHECK(PackageUrl(pkgs[1], os) ==
        "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1%2Bb1?arch=amd64&distro=debian-12");
  Package py{PackageType::kPython, "Foo_Bar", "1.0", "Foo_Bar", "1.0", "", "/m"};
  CHECK(PackageUrl(py, os) == "pkg:pypi/foo-bar@1.0");

  ImageReport report;
  report.image_ref = "shop:runtime";
  report.analysis.image_id = "sha256:" + std::string(64, 'a');
  report.inventory.os = os;
  report.inventory.packages = pkgs;
  report.inventory.packages.push_back(py);
  nlohmann::json bom = CycloneDxSbom(report);
  CHECK(bom["bomFormat"] == "CycloneDX");
  CHECK(bom["specVersion"] == "1.5");
  CHECK(bom["serialNumber"] == "urn:uuid:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa");
  CHECK(bom["metadata"]["component"]["type"] == "container");
  CHECK(bom["metadata"]["component"]["name"] == "shop:runtime");
  REQUIRE(bom["components"].size() == 4);
  CHECK(bom["components"][0]["type"] == "operating-system");
  CHECK(bom["components"][1]["purl"] ==
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12");
  CHECK(bom["components"][3]["type"] == "library");
}

}  // namespace slipway::insight
