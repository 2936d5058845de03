// The insight report read back from its JSON form: every field survives the round trip, and a
// report with a wrong field is refused with that field's path.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "insight/report.h"

namespace slipway::insight {
namespace {

ImageReport SampleReport() {
  ImageReport r;
  r.image_ref = "shop:runtime";
  r.analysis.image_id = "sha256:abc";
  r.analysis.size_bytes = 1000;
  r.analysis.compressed_size_bytes = 400;
  r.analysis.efficiency = 0.75;
  r.analysis.wasted_bytes = 250;
  r.analysis.layers = {{"sha256:l1", "ADD rootfs.tar /", 700, 300, 12, 0},
                       {"sha256:l2", "RUN rm /junk", 300, std::nullopt, 3, 1}};
  r.analysis.wasted = {{"tmp/junk.bin", 2, 250}};
  r.analysis.largest_files = {{"usr/bin/app", 600}};
  r.analysis.largest_dirs = {{"usr", 650}};
  r.inventory.os = {"debian", "12", "Debian GNU/Linux 12 (bookworm)"};
  Package ssl{PackageType::kDeb, "libssl3", "3.0.11-1~deb12u1", "openssl", "3.0.11-1~deb12u1", "amd64",
              "var/lib/dpkg/status"};
  Package requests{PackageType::kPython, "requests", "2.28.0", "requests", "2.28.0", "",
                   "usr/lib/python3/requests-2.28.0.dist-info/METADATA"};
  r.inventory.packages = {ssl, requests};
  r.vulnerabilities = {{"CVE-2023-32681", {"GHSA-j8r2-6x86-q33q"}, "requests", "2.28.0", "2.31.0",
                        Severity::kMedium, "osv"}};
  return r;
}

TEST_CASE("an image report survives its JSON round trip") {
  ImageReport before = SampleReport();
  auto after = ReportFromJson(ToJson(before));
  REQUIRE(after.ok());
  CHECK(after->image_ref == "shop:runtime");
  const Analysis& a = after->analysis;
  CHECK(a.image_id == "sha256:abc");
  CHECK(a.size_bytes == 1000);
  CHECK(a.compressed_size_bytes == std::optional<uint64_t>(400));
  CHECK(a.efficiency == Approx(0.75));
  CHECK(a.wasted_bytes == 250);
  REQUIRE(a.layers.size() == 2);
  CHECK(a.layers[0].compressed_size_bytes == std::optional<uint64_t>(300));
  CHECK_FALSE(a.layers[1].compressed_size_bytes.has_value());
  CHECK(a.layers[1].created_by == "RUN rm /junk");
  CHECK(a.layers[1].whiteouts == 1);
  REQUIRE(a.wasted.size() == 1);
  CHECK(a.wasted[0].path == "tmp/junk.bin");
  CHECK(a.largest_files[0].path == "usr/bin/app");
  CHECK(a.largest_dirs[0].size_bytes == 650);
  CHECK(after->inventory.os.version_id == "12");
  REQUIRE(after->inventory.packages.size() == 2);
  CHECK(after->inventory.packages[0].source_name == "openssl");
  CHECK(after->inventory.packages[1].type == PackageType::kPython);
  REQUIRE(after->vulnerabilities.size() == 1);
  CHECK(after->vulnerabilities[0].severity == Severity::kMedium);
  CHECK(after->vulnerabilities[0].aliases == std::vector<std::string>{"GHSA-j8r2-6x86-q33q"});
  // Written again, it is the same JSON.
  CHECK(ToJson(*after) == ToJson(before));
}

TEST_CASE("a report with a wrong field is refused with the field's path") {
  nlohmann::json j = ToJson(SampleReport());
  SECTION("a layer size that is a string") {
    j["layers"][1]["size_bytes"] = "300";
    auto r = ReportFromJson(j);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "layers[1].size_bytes must be a count");
  }
  SECTION("a missing efficiency") {
    j.erase("efficiency");
    CHECK(ReportFromJson(j).status().message() == "efficiency is missing");
  }
  SECTION("an unknown package type") {
    j["packages"][0]["type"] = "rpm";
    CHECK(ReportFromJson(j).status().message() == "packages[0].type must be deb, apk or python, not 'rpm'");
  }
  SECTION("a negative wasted size") {
    j["wasted"][0]["wasted_bytes"] = -1;
    CHECK(ReportFromJson(j).status().message() == "wasted[0].wasted_bytes must be a count");
  }
  SECTION("not an object") {
    CHECK_FALSE(ReportFromJson(nlohmann::json::array()).ok());
  }
}

}  // namespace
}  // namespace slipway::insight
