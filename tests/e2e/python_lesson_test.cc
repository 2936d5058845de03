// The lesson the demo shows, asserted: examples/python-app pushed through slipwayd and one agent,
// with the OSV folder the demo uses (examples/osv). The build stage (python:3.11: compilers, pip)
// compiles the example's C extension; the runtime stage (python:3.11-slim) keeps only the
// virtualenv. Then the same push to a server with no scanner: every stage says why it is not scanned.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "common/subprocess.h"

#include "harness.h"

using namespace slipway::e2e;
using nlohmann::json;

namespace {

// slipwayd (with the given flags), an agent, and a repository holding examples/python-app.
struct LessonRig {
  LessonRig(const std::string& name, std::vector<std::string> server_args)
      : server(dir.path() + "/data", std::move(server_args)),
        agent(server, name + "-agent", dir.path() + "/agent"),
        repo_name("e2e/" + UniqueName(name)),
        repo(dir.path() + "/repo", repo_name, server, "s") {
    server.AddRepo(repo_name, repo.bare(), "s");
    repo.CopyFrom(SourceDir() + "/examples/python-app");
    repo.Commit("shopapi");
  }
  TempDir dir;
  Server server;
  Agent agent;
  std::string repo_name;
  GitRepo repo;
};

std::map<std::string, json> JobsByName(const json& run) {
  std::map<std::string, json> out;
  for (const auto& job : run["jobs"]) out[job["name"].get<std::string>()] = job;
  return out;
}

// "ID package" of each finding stored for the image.
std::set<std::string> Findings(const Server& server, const json& job) {
  auto image = server.Get("/api/v1/images/" + job["image"]["digest"].get<std::string>());
  REQUIRE(image.status == 200);
  std::set<std::string> out;
  for (const auto& f : image.json["vulnerabilities"]) {
    out.insert(f["id"].get<std::string>() + " " + f["package"].get<std::string>());
  }
  return out;
}

}  // namespace

TEST_CASE("python-app: the runtime keeps at most 30% of the build stage, and none of its advisories") {
  LessonRig rig("lesson", {"--osv-database", SourceDir() + "/examples/osv"});
  json run = rig.server.WaitForRun(rig.repo.PushForRun(), std::chrono::seconds(600));
  INFO(run.dump(2));
  REQUIRE(run["status"] == "success");
  auto jobs = JobsByName(run);
  REQUIRE(jobs.count("build") == 1);
  REQUIRE(jobs.count("runtime") == 1);
  const json& build = jobs["build"];
  const json& runtime = jobs["runtime"];

  double build_bytes = build["image"]["size_bytes"].get<double>();
  double runtime_bytes = runtime["image"]["size_bytes"].get<double>();
  CHECK(runtime_bytes > 0);
  CHECK(runtime_bytes <= 0.30 * build_bytes);
  CHECK(runtime["image"]["compressed_size_bytes"].get<double>() < runtime_bytes);  // pushed: known

  // The build stage carries Debian's pip 23.0.1 and setuptools 66.1.1: affected by these two and
  // not by the setuptools advisory fixed in 65.5.1.
  std::set<std::string> in_build = Findings(rig.server, build);
  CHECK(in_build == std::set<std::string>{"GHSA-mq26-g339-26xf pip", "GHSA-cx63-2mw6-8hw5 setuptools"});
  CHECK(build["insight"]["vulnerabilities"]["medium"].get<int>() + build["insight"]["vulnerabilities"]["high"].get<int>() +
            build["insight"]["vulnerabilities"]["critical"].get<int>() == 2);
  CHECK_FALSE(build["insight"].contains("not_scanned"));

  // The runtime was scanned and holds neither pip nor setuptools.
  CHECK(Findings(rig.server, runtime).empty());
  CHECK_FALSE(runtime["insight"].contains("not_scanned"));
  CHECK(runtime["insight"]["scanners"] == json::parse(R"([{"scanner": "osv", "findings": 0}])"));
  CHECK(runtime["insight"]["packages"].get<int>() < build["insight"]["packages"].get<int>());
}

TEST_CASE("python-app without a vulnerability database: every stage is 'not scanned', with the reason") {
  LessonRig rig("lesson-unscanned", {});
  json run = rig.server.WaitForRun(rig.repo.PushForRun(), std::chrono::seconds(600));
  INFO(run.dump(2));
  REQUIRE(run["status"] == "success");
  for (const auto& job : run["jobs"]) {
    INFO(job["name"]);
    REQUIRE(job["insight"].is_object());
    CHECK(job["insight"]["not_scanned"] == "no scanner configured on the server: see scan.scanners");
    CHECK(job["insight"]["scanners"].empty());
  }
  // The CLI says the same.
  auto shown = slipway::RunProcess(
      {BinaryDir() + "/cli/slipway", "show", std::to_string(run["id"].get<int64_t>())},
      {.extra_env = {"SLIPWAY_SERVER=" + rig.server.url(), std::string("SLIPWAY_TOKEN=") + Server::kAdminToken}});
  REQUIRE(shown.ok());
  INFO(shown->out << shown->err);
  CHECK(shown->out.find("vulnerabilities: not scanned (no scanner configured") != std::string::npos);
  CHECK(shown->out.find("none found") == std::string::npos);
}
