// The offline OSV scanner on the published records in fixtures/osv (PyPI: GHSA-j8r2-6x86-q33q as
// JSON, PYSEC-2023-74 as YAML), in a folder and in an osv.dev-style zip, plus Debian and Alpine
// records written here in the same OSV shape (the fixtures hold no Debian or Alpine record).
#include "insight/osv.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "archive_writer.h"
#include "support/files.h"

namespace slipway::insight {
namespace {

namespace fs = std::filesystem;
const std::string kOsvDir = std::string(SLIPWAY_TEST_DATA_DIR) + "/fixtures/osv";

using ::slipway::testing::ReadFile;
using ::slipway::testing::TempDir;

// The findings one OSV record gives for the inventory.
std::vector<Finding> MatchOsvRecord(const nlohmann::json& record, const PackageInventory& inventory) {
  OsvIndex index;
  REQUIRE(index.Add(record));
  return index.Scan(inventory);
}

PackageInventory Python(const std::string& name, const std::string& version) {
  PackageInventory inv;
  inv.packages.push_back({PackageType::kPython, name, version, name, version, "", "/m"});
  return inv;
}

// A Debian advisory in OSV form, naming the source package, as Debian's records do.
nlohmann::json DebianRecord() {
  return {{"id", "TEST-DEB-0001"},
          {"aliases", {"CVE-0000-0001"}},
          {"affected",
           {{{"package", {{"ecosystem", "Debian:12"}, {"name", "openssl"}}},
             {"ranges",
              {{{"type", "ECOSYSTEM"},
                {"events", {{{"introduced", "0"}}, {{"fixed", "3.0.11-1~deb12u2"}}}}}}}},
            {{"package", {{"ecosystem", "Debian:11"}, {"name", "openssl"}}},
             {"ranges",
              {{{"type", "ECOSYSTEM"},
                {"events", {{{"introduced", "0"}}, {{"fixed", "1.1.1w-0+deb11u1"}}}}}}}}}},
          {"severity",
           {{{"type", "CVSS_V3"}, {"score", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}}}};
}

PackageInventory DebianImage(const std::string& openssl_version) {
  PackageInventory inv;
  inv.os = {"debian", "12", "Debian GNU/Linux 12 (bookworm)"};
  inv.packages.push_back(
      {PackageType::kDeb, "libssl3", openssl_version, "openssl", openssl_version, "amd64", "/s"});
  inv.packages.push_back(
      {PackageType::kDeb, "openssl", openssl_version, "openssl", openssl_version, "amd64", "/s"});
  inv.packages.push_back(
      {PackageType::kDeb, "zlib1g", "1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1", "amd64", "/s"});
  return inv;
}

}  // namespace

TEST_CASE("ecosystems carry the release") {
  PackageInventory deb = DebianImage("1");
  CHECK(OsvEcosystem(deb, PackageType::kDeb) == "Debian:12");
  PackageInventory alpine;
  alpine.os = {"alpine", "3.19.1", ""};
  CHECK(OsvEcosystem(alpine, PackageType::kApk) == "Alpine:v3.19");
  CHECK(OsvEcosystem(alpine, PackageType::kPython) == "PyPI");
}

TEST_CASE("Debian releases as distro-info-data numbers them, from VERSION_ID or the codename") {
  PackageInventory inv;
  inv.os = {"debian", "11", "Debian GNU/Linux 11 (bullseye)", "bullseye"};
  CHECK(OsvEcosystem(inv, PackageType::kDeb) == "Debian:11");
  inv.os = {"debian", "", "Debian GNU/Linux trixie/sid", "trixie"};  // testing: no VERSION_ID
  CHECK(OsvEcosystem(inv, PackageType::kDeb) == "Debian:13");
  inv.os = {"debian", "", "", "sarge"};
  CHECK(OsvEcosystem(inv, PackageType::kDeb) == "Debian:3.1");
  inv.os = {"debian", "", "", ""};
  CHECK(OsvEcosystem(inv, PackageType::kDeb) == "Debian");
  CHECK(DebianReleaseOfCodename("sid").empty());
  inv.os = {"alpine", "3.18.4", "", ""};
  CHECK(OsvEcosystem(inv, PackageType::kApk) == "Alpine:v3.18");
  inv.os = {"alpine", "3.19_alpha20230901", "", ""};
  CHECK(OsvEcosystem(inv, PackageType::kApk) == "Alpine:v3.19");
}

TEST_CASE("an index answers from memory and is loaded again when the database changes") {
  TempDir dir;
  fs::create_directories(dir.path() + "/db");
  fs::copy_file(kOsvDir + "/GHSA-j8r2-6x86-q33q.json", dir.path() + "/db/GHSA-j8r2-6x86-q33q.json");
  OsvIndexCache cache(dir.path() + "/db");
  auto first = cache.Current();
  REQUIRE(first.ok());
  CHECK((*first)->Scan(Python("requests", "2.28.0")).size() == 1);
  auto again = cache.Current();
  REQUIRE(again.ok());
  CHECK(again->get() == first->get());  // unchanged: the same index
  std::ofstream(dir.path() + "/db/TEST-DEB-0001.json") << DebianRecord().dump();
  auto reloaded = cache.Current();
  REQUIRE(reloaded.ok());
  CHECK(reloaded->get() != first->get());
  CHECK((*reloaded)->Scan(DebianImage("3.0.11-1~deb12u1")).size() == 1);
  // A PyPI record's name is found by its normalised form, whatever the image spells.
  CHECK((*reloaded)->Scan(Python("Requests", "2.28.0")).size() == 1);
  fs::remove_all(dir.path() + "/db");
  CHECK(cache.Current().status().code() == ErrorCode::kNotFound);
}

TEST_CASE("published PyPI records: requests 2.28.0 is affected, 2.31.0 and 2.2.0 are not") {
  auto findings = ScanWithOsv(kOsvDir, Python("Requests", "2.28.0"));
  REQUIRE(findings.ok());
  REQUIRE(findings->size() == 2);
  // GHSA's database_specific severity MODERATE; PYSEC has none.
  CHECK((*findings)[0].id == "GHSA-j8r2-6x86-q33q");
  CHECK((*findings)[0].severity == Severity::kMedium);
  CHECK((*findings)[0].aliases == std::vector<std::string>{"CVE-2023-32681"});
  CHECK((*findings)[0].fixed_version == "2.31.0");
  CHECK((*findings)[0].installed_version == "2.28.0");
  CHECK((*findings)[0].source == "osv");
  CHECK((*findings)[1].id == "PYSEC-2023-74");
  CHECK((*findings)[1].severity == Severity::kUnknown);
  CHECK((*findings)[1].fixed_version == "2.31.0");
  CHECK((*findings)[1].package == "Requests");

  auto fixed = ScanWithOsv(kOsvDir, Python("requests", "2.31.0"));
  REQUIRE(fixed.ok());
  CHECK(fixed->empty());
  auto older = ScanWithOsv(kOsvDir, Python("requests", "2.2.0"));
  REQUIRE(older.ok());
  CHECK(older->empty());
  // Ordering, not string comparison: 2.10.0 is inside [2.3.0, 2.31.0).
  auto ten = ScanWithOsv(kOsvDir, Python("requests", "2.10.0"));
  REQUIRE(ten.ok());
  CHECK(ten->size() == 2);
}

TEST_CASE("a versions list alone matches") {
  nlohmann::json record = {
      {"id", "X-1"},
      {"affected",
       {{{"package", {{"ecosystem", "PyPI"}, {"name", "foo"}}}, {"versions", {"1.0", "1.1"}}}}},
      {"database_specific", {{"severity", "HIGH"}}}};
  auto hit = MatchOsvRecord(record, Python("foo", "1.1"));
  REQUIRE(hit.size() == 1);
  CHECK(hit[0].severity == Severity::kHigh);
  CHECK(hit[0].fixed_version.empty());
  CHECK(MatchOsvRecord(record, Python("foo", "1.2")).empty());
}

TEST_CASE("Debian records match the source package in the image's release") {
  auto hits = MatchOsvRecord(DebianRecord(), DebianImage("3.0.11-1~deb12u1"));
  REQUIRE(hits.size() == 1);  // libssl3 and openssl share the source: one finding
  CHECK(hits[0].package == "openssl");
  CHECK(hits[0].installed_version == "3.0.11-1~deb12u1");
  CHECK(hits[0].fixed_version == "3.0.11-1~deb12u2");
  CHECK(hits[0].severity == Severity::kCritical);  // CVSS 9.8
  CHECK(MatchOsvRecord(DebianRecord(), DebianImage("3.0.11-1~deb12u2")).empty());
  CHECK(MatchOsvRecord(DebianRecord(), DebianImage("3.0.13-1~deb12u1")).empty());
  PackageInventory bullseye = DebianImage("1.1.1n-0+deb11u5");
  bullseye.os.version_id = "11";
  auto old = MatchOsvRecord(DebianRecord(), bullseye);
  REQUIRE(old.size() == 1);
  CHECK(old[0].fixed_version == "1.1.1w-0+deb11u1");
}

TEST_CASE("Alpine records with last_affected") {
  nlohmann::json record = {
      {"id", "TEST-APK-1"},
      {"affected",
       {{{"package", {{"ecosystem", "Alpine:v3.19"}, {"name", "openssl"}}},
         {"ranges",
          {{{"type", "ECOSYSTEM"},
            {"events", {{{"introduced", "3.1.0-r0"}}, {{"last_affected", "3.1.4-r5"}}}}}}}}}}};
  PackageInventory inv;
  inv.os = {"alpine", "3.19.1", ""};
  inv.packages.push_back(
      {PackageType::kApk, "libcrypto3", "3.1.4-r5", "openssl", "3.1.4-r5", "x86_64", "/a"});
  CHECK(MatchOsvRecord(record, inv).size() == 1);
  inv.packages[0].version = "3.1.4-r6";
  CHECK(MatchOsvRecord(record, inv).empty());
  inv.packages[0].version = "3.1.4-r5";
  inv.os.version_id = "3.18.4";
  CHECK(MatchOsvRecord(record, inv).empty());
}

TEST_CASE("osv.dev-style zip databases, and a folder holding one") {
  TempDir dir;
  std::string zip = testing::MakeArchive(
      {{"GHSA-j8r2-6x86-q33q.json", ReadFile(kOsvDir + "/GHSA-j8r2-6x86-q33q.json")},
       {"TEST-DEB-0001.json", DebianRecord().dump()},
       {"broken.json", "{not json"}},
      testing::Filter::kNone, testing::Format::kZip);
  fs::create_directories(dir.path() + "/db");
  std::ofstream(dir.path() + "/db/all.zip", std::ios::binary) << zip;
  PackageInventory inv = DebianImage("3.0.11-1~deb12u1");
  inv.packages.push_back(
      {PackageType::kPython, "requests", "2.28.0", "requests", "2.28.0", "", "/m"});
  size_t skipped = 0;
  auto from_zip = ScanWithOsv(dir.path() + "/db/all.zip", inv, &skipped);
  REQUIRE(from_zip.ok());
  REQUIRE(from_zip->size() == 2);
  CHECK(skipped == 1);
  CHECK((*from_zip)[0].id == "TEST-DEB-0001");  // critical first
  CHECK((*from_zip)[1].id == "GHSA-j8r2-6x86-q33q");
  auto from_folder = ScanWithOsv(dir.path() + "/db", inv);
  REQUIRE(from_folder.ok());
  CHECK(from_folder->size() == 2);
  CHECK(ScanWithOsv(dir.path() + "/missing", inv).status().code() == ErrorCode::kNotFound);
}

}  // namespace slipway::insight
