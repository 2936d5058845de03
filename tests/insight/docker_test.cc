// Images built here from busybox:1.36 with known content, read from the real engine with
// `docker save` (label: docker): waste from a file written then deleted, packages from a dpkg
// status file and Python metadata, and their advisories from the published OSV records in
// fixtures/osv (PyPI) plus the project's own Debian record in OSV form (tests/data/insight: the
// fixtures hold no Debian record). Also the python:3.11 and python:3.11-slim bases as setup imports
// them, and the `slipway analyze` command's JSON, text and SBOM.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "common/subprocess.h"
#include "insight/docker_save.h"
#include "insight/insight.h"
#include "support/engine.h"
#include "support/files.h"

namespace slipway::insight {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDockerfile = R"(FROM busybox:1.36
COPY rootfs/ /
RUN head -c 300000 /dev/urandom > /tmp/junk.bin
RUN rm /tmp/junk.bin && echo done > /done.txt
)";

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A built image and an OSV folder, removed at the end.
struct BuiltImage {
  ::slipway::testing::TempDir temp;
  std::string dir;
  std::string tag;
  BuiltImage() {
    ::slipway::testing::RequireDockerEngine();
    dir = temp.path();
    tag = "slipway-insight-test:" + std::to_string(getpid());
    Write(dir + "/ctx/Dockerfile", kDockerfile);
    Write(dir + "/ctx/rootfs/etc/os-release",
          "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
    const std::string data = std::string(SLIPWAY_TEST_DATA_DIR) + "/insight/";
    fs::create_directories(dir + "/ctx/rootfs/var/lib/dpkg");
    fs::copy_file(data + "dpkg-status", dir + "/ctx/rootfs/var/lib/dpkg/status");
    Write(
        dir +
            "/ctx/rootfs/usr/local/lib/python3.11/site-packages/requests-2.28.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.28.0\n");
    const std::string fixtures = std::string(SLIPWAY_TEST_DATA_DIR) + "/fixtures/osv/";
    fs::create_directories(dir + "/osv");
    fs::copy_file(fixtures + "GHSA-j8r2-6x86-q33q.json", dir + "/osv/GHSA-j8r2-6x86-q33q.json");
    fs::copy_file(fixtures + "PYSEC-2023-74.yaml", dir + "/osv/PYSEC-2023-74.yaml");
    fs::create_directories(dir + "/osv/debian");
    fs::copy_file(data + "TEST-DEB-0001.json", dir + "/osv/debian/TEST-DEB-0001.json");
    auto out = RunProcess({"docker", "build", "-q", "-t", tag, dir + "/ctx"});
    REQUIRE(out.ok());
    INFO(out->err);
    REQUIRE(out->exit_code == 0);
  }
  ~BuiltImage() {
    (void)RunProcess({"docker", "rmi", "-f", tag});
  }
};

}  // namespace

TEST_CASE(
    "a file written in one layer and deleted in the next is waste, and packages and advisories are "
    "found") {
  BuiltImage built;
  InsightOptions options;
  options.osv_database = built.dir + "/osv";
  auto report = AnalyzeLocalImage(built.tag, options);
  REQUIRE(report.ok());
  const Analysis& a = report->analysis;
  REQUIRE(a.layers.size() == 4);           // busybox, COPY, RUN head, RUN rm
  CHECK(!a.layers[0].created_by.empty());  // the base: its instruction, or "Imported from -"
  CHECK(a.layers[1].created_by.find("COPY") != std::string::npos);
  CHECK(a.layers[2].created_by.find("head -c 300000") != std::string::npos);
  CHECK(a.layers[2].size_bytes >= 300000);
  CHECK(a.layers[3].whiteouts >= 1);
  CHECK(a.efficiency < 1.0);
  CHECK(a.efficiency > 0.0);
  CHECK(a.wasted_bytes >= 600000);
  REQUIRE(!a.wasted.empty());
  CHECK(a.wasted[0].path == "tmp/junk.bin");
  CHECK(a.wasted[0].occurrences == 2);
  CHECK(a.wasted[0].wasted_bytes == 600000);
  for (const SizedPath& f : a.largest_files) CHECK(f.path != "tmp/junk.bin");
  CHECK(a.size_bytes >= 300000 + 1000000);
  {
    INFO("docker save gives compressed layers with the containerd image store (scripts/setup)");
    REQUIRE(a.compressed_size_bytes.has_value());
  }
  CHECK(*a.compressed_size_bytes < a.size_bytes);
  CHECK(a.image_id.rfind("sha256:", 0) == 0);

  CHECK(report->inventory.os.id == "debian");
  CHECK(report->inventory.os.version_id == "12");
  REQUIRE(report->inventory.packages.size() == 3);
  CHECK(report->inventory.packages[0].name == "libssl3");
  CHECK(report->inventory.packages[0].source_name == "openssl");
  CHECK(report->inventory.packages[2].name == "requests");

  const auto& v = report->vulnerabilities;
  REQUIRE(v.size() == 3);
  CHECK(v[0].id == "TEST-DEB-0001");
  CHECK(v[0].package == "openssl");
  CHECK(v[0].installed_version == "3.0.11-1~deb12u1");
  CHECK(v[0].fixed_version == "3.0.11-1~deb12u2");
  CHECK(v[0].severity == Severity::kCritical);
  CHECK(v[1].id == "GHSA-j8r2-6x86-q33q");
  CHECK(v[1].fixed_version == "2.31.0");
  CHECK(v[2].id == "PYSEC-2023-74");
}

TEST_CASE("slipway analyze gives the same as JSON, as text and as an SBOM, and names a missing image") {
  BuiltImage built;
  InsightOptions options;
  options.osv_database = built.dir + "/osv";
  auto report = AnalyzeLocalImage(built.tag, options);
  REQUIRE(report.ok());
  const Analysis& a = report->analysis;
  const std::string slipway = std::string(SLIPWAY_BINARY_DIR) + "/cli/slipway";
  auto out = RunProcess({slipway, "analyze", built.tag, "--json", "--osv", built.dir + "/osv"});
  REQUIRE(out.ok());
  INFO(out->err);
  REQUIRE(out->exit_code == 0);
  auto j = nlohmann::json::parse(out->out);
  for (const char* key :
       {"size_bytes", "efficiency", "wasted_bytes", "layers", "packages", "vulnerabilities"}) {
    CHECK(j.contains(key));
  }
  CHECK(j["size_bytes"] == a.size_bytes);
  REQUIRE(j.contains("compressed_size_bytes"));
  CHECK(j["compressed_size_bytes"] == *a.compressed_size_bytes);
  CHECK(j["wasted_bytes"].get<uint64_t>() >= 600000);
  CHECK(j["efficiency"].get<double>() < 1.0);
  CHECK(j["layers"].size() == 4);
  CHECK(j["packages"].size() == 3);
  REQUIRE(j["vulnerabilities"].size() == 3);
  for (const auto& f : j["vulnerabilities"]) {
    for (const char* key : {"id", "package", "installed_version", "fixed_version", "severity"})
      CHECK(f.contains(key));
  }
  CHECK(j["vulnerabilities"][0]["severity"] == "critical");
  CHECK(j["vulnerabilities"][1]["severity"] == "medium");

  auto text = RunProcess({slipway, "analyze", built.tag});
  REQUIRE(text.ok());
  CHECK(text->exit_code == 0);
  CHECK(text->out.find("/tmp/junk.bin") != std::string::npos);
  CHECK(text->out.find("efficiency") != std::string::npos);
  // No database given: the text and the JSON say the image was not scanned, never "none found".
  CHECK(text->out.find("vulnerabilities: not scanned (no OSV database given") != std::string::npos);
  CHECK(text->out.find("none found") == std::string::npos);
  auto unscanned = RunProcess({slipway, "analyze", built.tag, "--json"});
  REQUIRE(unscanned.ok());
  CHECK(nlohmann::json::parse(unscanned->out).value("not_scanned", "").find("no OSV database") == 0);
  CHECK(j.contains("not_scanned") == false);

  auto sbom = RunProcess({slipway, "analyze", built.tag, "--sbom"});
  REQUIRE(sbom.ok());
  REQUIRE(sbom->exit_code == 0);
  auto bom = nlohmann::json::parse(sbom->out);
  CHECK(bom["specVersion"] == "1.5");
  CHECK(bom["components"].size() == 4);  // the OS and three packages

  auto missing = RunProcess({slipway, "analyze", "slipway-insight-test:does-not-exist"});
  REQUIRE(missing.ok());
  CHECK(missing->exit_code == 1);
  CHECK(missing->err.find("slipway analyze:") == 0);
  auto usage = RunProcess({slipway, "analyze"});
  REQUIRE(usage.ok());
  CHECK(usage->exit_code == 2);
}

TEST_CASE("an unknown image is NotFound") {
  ::slipway::testing::RequireDockerEngine();
  auto image = ReadImageFromDocker("slipway-insight-test:does-not-exist");
  REQUIRE_FALSE(image.ok());
  CHECK(image.status().code() == ErrorCode::kNotFound);
}

TEST_CASE("python:3.11: Debian packages with source names, and pip among its Python distributions") {
  ::slipway::testing::RequireDockerEngine();
  auto report = AnalyzeLocalImage("python:3.11", {});
  std::set<std::string> names;
  REQUIRE(report.ok());
  CHECK(report->inventory.os.id == "debian");
  CHECK(!report->inventory.os.version_id.empty());
  size_t deb = 0, python = 0;
  bool libc = false, pip = false;
  for (const Package& p : report->inventory.packages) {
    if (p.type == PackageType::kDeb) ++deb;
    if (p.type == PackageType::kPython) ++python;
    if (p.name == "libc6") libc = p.source_name == "glibc";
    if (p.name == "pip") pip = true;
    names.insert(p.name);
  }
  for (const char* tool : {"gcc", "make", "libc6-dev", "python3-dev"}) CHECK(names.count(tool) == 1);
  CHECK(deb > 50);
  CHECK(python >= 1);
  CHECK(libc);
  CHECK(pip);
  CHECK(report->analysis.size_bytes > 50'000'000);
  REQUIRE(!report->analysis.layers.empty());
  CHECK(report->analysis.efficiency <= 1.0);
}

// What compiles C, which the build base has and the runtime base must not.
const std::set<std::string> kBuildTools = {"gcc", "gcc-12", "g++", "cpp", "cpp-12", "binutils", "make",
                                           "libc6-dev", "python3-dev", "build-essential"};

TEST_CASE("python:3.11-slim: the interpreter without pip, setuptools, wheel or a compiler, in at most 130 MB") {
  ::slipway::testing::RequireDockerEngine();
  auto report = AnalyzeLocalImage("python:3.11-slim", {});
  REQUIRE(report.ok());
  CHECK(report->inventory.os.id == "debian");
  bool python3 = false;
  for (const Package& p : report->inventory.packages) {
    if (p.name == "python3") python3 = true;
    INFO(p.name);
    CHECK(p.name != "pip");
    CHECK(p.name != "setuptools");
    CHECK(p.name != "wheel");
    CHECK(kBuildTools.count(p.name) == 0);
  }
  CHECK(python3);
  CHECK(report->analysis.size_bytes <= 130'000'000);
}

}  // namespace slipway::insight
