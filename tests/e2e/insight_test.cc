// Image insight in the run loop: slipwayd with an OSV database, one slipway-agent, the real engine.
// Images built from busybox:1.36 with known content: a file written in one layer and deleted in
// the next (waste), a dpkg status file and Python metadata with vulnerable versions. The published
// PyPI records come from the fixtures; the Debian record and the dpkg status are the project's own
// (tests/data/insight: the fixtures hold no Debian record).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "harness.h"

using namespace slipway::e2e;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// An OSV folder: two published PyPI records for requests and the Debian record above.
std::string MakeOsvDatabase(const std::string& dir) {
  std::string db = dir + "/osv";
  fs::create_directories(db + "/debian");
  const std::string fixtures = SourceDir() + "/tests/data/fixtures/osv/";
  fs::copy_file(fixtures + "GHSA-j8r2-6x86-q33q.json", db + "/GHSA-j8r2-6x86-q33q.json");
  fs::copy_file(fixtures + "PYSEC-2023-74.yaml", db + "/PYSEC-2023-74.yaml");
  fs::copy_file(SourceDir() + "/tests/data/insight/TEST-DEB-0001.json", db + "/debian/TEST-DEB-0001.json");
  return db;
}

// The Dockerfile: the rootfs (OS release, dpkg status, Python metadata), then a file written in
// one layer and removed in the next; `extra` adds lines at the end.
std::string Dockerfile(const std::string& marker, const std::string& extra = "") {
  return "FROM busybox:1.36 AS runtime\n"
         "COPY rootfs/ /\n"
         "RUN head -c 300000 /dev/urandom > /tmp/junk.bin\n"
         "RUN rm /tmp/junk.bin && echo " + marker + " > /done.txt\n" + extra +
         "USER 1000\n";
}

void WriteRootfs(GitRepo& repo, const std::string& requests_version) {
  repo.WriteFile("rootfs/etc/os-release",
                 "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
  std::ifstream status(SourceDir() + "/tests/data/insight/dpkg-status");
  repo.WriteFile("rootfs/var/lib/dpkg/status", std::string(std::istreambuf_iterator<char>(status), {}));
  repo.WriteFile("rootfs/usr/local/lib/python3.11/site-packages/requests-" + requests_version +
                     ".dist-info/METADATA",
                 "Metadata-Version: 2.1\nName: requests\nVersion: " + requests_version + "\n");
}

const json& OnlyJob(const json& run) {
  REQUIRE(run["jobs"].size() == 1);
  return run["jobs"][0];
}

bool HasId(const json& list, const std::string& prefix) {
  for (const auto& entry : list) {
    if (entry.get<std::string>().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// slipwayd with an OSV database, an agent, and a repository to push to.
struct Rig {
  explicit Rig(const std::string& name, std::vector<std::string> server_args = {})
      : osv(MakeOsvDatabase(dir.path())),
        server(dir.path() + "/data", WithOsv(osv, std::move(server_args))),
        agent(server, name + "-agent", dir.path() + "/agent"),
        repo_name("e2e/" + UniqueName(name)),
        repo(dir.path() + "/repo", repo_name, server, "s") {
    server.AddRepo(repo_name, repo.bare(), "s");
  }

  static std::vector<std::string> WithOsv(const std::string& osv, std::vector<std::string> args) {
    args.insert(args.begin(), {"--osv-database", osv});
    return args;
  }

  TempDir dir;
  std::string osv;
  Server server;
  Agent agent;
  std::string repo_name;
  GitRepo repo;
};

}  // namespace

TEST_CASE("every built image is analysed, scanned, compared with the previous build and held to its budget") {
  Rig rig("insight");
  Server& server = rig.server;
  GitRepo& repo = rig.repo;
  const std::string& repo_name = rig.repo_name;

  // First push: budget kept; the critical Debian advisory is ignored until a far date.
  WriteRootfs(repo, "2.28.0");
  repo.WriteFile("Dockerfile", Dockerfile(UniqueName("one")));
  repo.WriteFile(".slipway.yml",
                 "version: 1\n"
                 "stages:\n"
                 "  app:\n"
                 "    target: runtime\n"
                 "    budget: {max_size: 50MB, max_growth: 10%, min_efficiency: 0.2}\n"
                 "    scan:\n"
                 "      fail_on: critical\n"
                 "      ignore:\n"
                 "        - {id: CVE-0000-0001, until: 2999-12-31, reason: test fixture}\n");
  repo.Commit("first build");
  json first = server.WaitForRun(repo.PushForRun());
  INFO(first.dump(2));
  REQUIRE(first["status"] == "success");
  const json& job = OnlyJob(first);
  const json& insight = job["insight"];
  REQUIRE(insight.is_object());
  CHECK(insight["efficiency"].get<double>() < 1.0);
  CHECK(insight["wasted_bytes"].get<int64_t>() >= 300000);
  CHECK(insight["packages"] == 3);
  CHECK(insight["os"] == "Debian GNU/Linux 12 (bookworm)");
  CHECK(insight["vulnerabilities"]["critical"] == 1);
  CHECK(insight["vulnerabilities"]["medium"].get<int>() + insight["vulnerabilities"]["high"].get<int>() >= 1);
  CHECK(insight["scan_gate"]["blocking"].empty());
  CHECK(HasId(insight["scan_gate"]["ignored"], "TEST-DEB-0001"));
  CHECK(insight["budget"]["broken"].empty());
  CHECK(insight["previous"].empty());  // the first build of the stage
  std::string digest = job["image"]["digest"];
  REQUIRE(digest.rfind("sha256:", 0) == 0);

  // The whole analysis by digest: waste names the deleted file, findings carry their versions.
  auto image = server.Get("/api/v1/images/" + digest);
  REQUIRE(image.status == 200);
  const json& analysis = image.json["analysis"];
  REQUIRE(analysis.is_object());
  bool junk_wasted = false;
  for (const auto& w : analysis["wasted"]) junk_wasted |= w["path"] == "/tmp/junk.bin";
  CHECK(junk_wasted);
  CHECK(analysis["layers"].size() >= 3);
  bool openssl_found = false;
  for (const auto& v : image.json["vulnerabilities"]) {
    if (v["id"] == "TEST-DEB-0001") {
      openssl_found = true;
      CHECK(v["installed_version"] == "3.0.11-1~deb12u1");
      CHECK(v["fixed_version"] == "3.0.11-1~deb12u2");
      CHECK(v["severity"] == "critical");
    }
  }
  CHECK(openssl_found);
  REQUIRE(image.json["scans"].size() == 1);
  CHECK(image.json["scans"][0]["scanner"] == "osv");
  CHECK(image.json["insight"]["digest"] == digest);

  // The SBOM: CycloneDX 1.5 with the image and each package.
  auto sbom = server.Get("/api/v1/images/" + digest + "/sbom");
  REQUIRE(sbom.status == 200);
  CHECK(sbom.json["bomFormat"] == "CycloneDX");
  CHECK(sbom.json["specVersion"] == "1.5");
  std::vector<std::string> purls;
  for (const auto& c : sbom.json["components"]) purls.push_back(c.value("purl", ""));
  CHECK(std::count(purls.begin(), purls.end(), "pkg:pypi/requests@2.28.0") == 1);
  bool libssl = false;
  for (const auto& p : purls) libssl |= p.rfind("pkg:deb/debian/libssl3@3.0.11-1~deb12u1", 0) == 0;
  CHECK(libssl);
  CHECK(server.Get("/api/v1/images/sha256:" + std::string(64, '0') + "/sbom").status == 404);

  // Second push: requests fixed, a 2 MB layer added (growth far over 10 %), the ignore dropped.
  WriteRootfs(repo, "2.31.0");
  fs::remove_all(repo.worktree() + "/rootfs/usr/local/lib/python3.11/site-packages/requests-2.28.0.dist-info");
  repo.WriteFile("Dockerfile", Dockerfile(UniqueName("two"), "RUN head -c 2000000 /dev/urandom > /data.bin\n"));
  repo.WriteFile(".slipway.yml",
                 "version: 1\n"
                 "stages:\n"
                 "  app:\n"
                 "    target: runtime\n"
                 "    budget: {max_size: 50MB, max_growth: 10%, min_efficiency: 0.2}\n"
                 "    scan: {fail_on: critical}\n");
  repo.Commit("bigger, and the advisory no longer ignored");
  json second = server.WaitForRun(repo.PushForRun());
  INFO(second.dump(2));
  REQUIRE(second["status"] == "failure");
  const json& failed = OnlyJob(second);
  CHECK(failed["status"] == "failure");
  std::string error = failed["error"];
  CHECK(error.find("budget: ") != std::string::npos);
  CHECK(error.find("over max_growth 10.0%") != std::string::npos);
  CHECK(error.find("scan: ") != std::string::npos);
  CHECK(error.find("TEST-DEB-0001") != std::string::npos);
  const json& review = failed["insight"];
  CHECK(review["failures"].size() == 2);
  // Compared with the first build on the branch: bigger, one layer added with its instruction.
  const json& previous = review["previous"]["branch"];
  CHECK(previous["digest"] == digest);
  CHECK(previous["size_delta_bytes"].get<int64_t>() >= 2000000);
  bool added = false;
  for (const auto& l : previous["layers"]) {
    added |= l["change"] == "added" && l["created_by"].get<std::string>().find("/data.bin") != std::string::npos;
  }
  CHECK(added);
  // The requests advisories are fixed; nothing new.
  CHECK(HasId(review["fixed_findings"], "GHSA-j8r2-6x86-q33q"));
  CHECK(review["new_findings"].empty());
  // The failed build's image is recorded (size history shows it) but is not the stage's last good build.
  auto history = server.Get("/api/v1/images?repo=" + repo_name + "&stage=app&branch=main");
  REQUIRE(history.status == 200);
  CHECK(history.json["images"].size() == 2);

  // `slipway show` prints each job's image summary and the failure's numbers.
  auto shown = slipway::RunProcess({BinaryDir() + "/cli/slipway", "show", std::to_string(second["id"].get<int64_t>())},
                                   {.extra_env = {"SLIPWAY_SERVER=" + server.url()}});
  REQUIRE(shown.ok());
  INFO(shown->out << shown->err);
  CHECK(shown->exit_code == 0);
  CHECK(shown->out.find("image: efficiency ") != std::string::npos);
  CHECK(shown->out.find("vulnerabilities: 1 critical") != std::string::npos);
  CHECK(shown->out.find(" on main") != std::string::npos);
  CHECK(shown->out.find("over max_growth 10.0%") != std::string::npos);
}

TEST_CASE("pushed images are scanned again when the OSV database changes") {
  // Trivy is asked for too; where it is not installed the agent says so and the build still passes.
  Rig rig("rescan", {"--scan-recheck-seconds", "1", "--scanners", "osv,trivy"});
  Server& server = rig.server;
  GitRepo& repo = rig.repo;
  const std::string& repo_name = rig.repo_name;
  const std::string& osv = rig.osv;
  WriteRootfs(repo, "2.31.0");
  repo.WriteFile("Dockerfile", Dockerfile(UniqueName("pushed")));
  repo.WriteFile(".slipway.yml",
                 "version: 1\n"
                 "image: 127.0.0.1:5000/" + repo_name + "\n"
                 "stages:\n"
                 "  app: {target: runtime, push: true, tags: [\"{short_sha}\"]}\n");
  repo.Commit("a pushed image");
  json run = server.WaitForRun(repo.PushForRun());
  INFO(run.dump(2));
  REQUIRE(run["status"] == "success");
  std::string digest = OnlyJob(run)["image"]["digest"];
  json scanners = OnlyJob(run)["insight"]["scanners"];
  REQUIRE(scanners.size() == 2);
  CHECK(scanners[0] == json{{"scanner", "osv"}, {"findings", 1}});
  CHECK(scanners[1]["scanner"] == "trivy");
  if (slipway::RunProcess({"sh", "-c", "command -v trivy"})->exit_code != 0) {
    CHECK(scanners[1]["error"] == "trivy is not installed");
  }
  auto before = server.Get("/api/v1/images/" + digest);
  REQUIRE(before.status == 200);
  REQUIRE(before.json["scans"].size() == 1);
  std::string old_version = before.json["scans"][0]["data_version"];
  CHECK(before.json["vulnerabilities"].size() == 1);  // openssl only: requests 2.31.0 is fixed

  // A new advisory for zlib arrives: the image is scanned again without a build.
  std::ofstream(osv + "/debian/TEST-DEB-0002.json") << R"({
    "id": "TEST-DEB-0002",
    "affected": [{"package": {"ecosystem": "Debian:12", "name": "zlib"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.2.13.dfsg-2"}]}]}]
  })";
  json after;
  for (int i = 0; i < 100; ++i) {
    after = server.Get("/api/v1/images/" + digest).json;
    if (after["scans"][0]["data_version"] != old_version) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  INFO(after.dump(2));
  REQUIRE(after["scans"][0]["data_version"] != old_version);
  bool zlib = false;
  for (const auto& v : after["vulnerabilities"]) zlib |= v["id"] == "TEST-DEB-0002" && v["installed_version"] == "1:1.2.13.dfsg-1";
  CHECK(zlib);
  CHECK(after["vulnerabilities"].size() == 2);
  // The run is untouched: a rescan informs, it does not rebuild.
  CHECK(server.Get("/api/v1/runs?repo=" + repo_name).json["runs"].size() == 1);
}
