// Fresh bases end to end: slipwayd, one slipway-agent, the Docker engine and the local registry. A
// pipeline builds FROM a base image made here with `docker import` and pushed to the registry; the
// base is re-imported and pushed under the same tag with new content, and a check (asked for, or at
// the repo's on.schedule time) starts a base-update run that builds with --pull (the registry's
// base, as it would be Docker Hub's) and records its digest.
#include <catch2/catch.hpp>

#include "../test_images.h"
#include "harness.h"

using namespace slipway::e2e;
using nlohmann::json;
using slipway::testing::ImageCleanup;
using slipway::testing::ImportTestImage;

namespace {

// The base with this content, in the engine and in the registry its name points at.
void PublishBase(const std::string& ref, const std::string& version) {
  ImportTestImage(ref, {{"version", version}}, true);
  Run({"docker", "push", "--quiet", ref});
}

std::string EngineId(const std::string& ref) {
  std::string out = Run({"docker", "image", "inspect", "--format", "{{.Id}}", "--", ref});
  return out.substr(0, out.find('\n'));
}

// A repository whose one stage builds FROM `base` and prints the base's /version.
struct BaseRepo {
  std::string name;
  GitRepo git;
  std::string sha;

  BaseRepo(const Server& server, const std::string& dir, const std::string& base, const std::string& on)
      : name("e2e/" + UniqueName("bases")), git(dir, name, server, "s") {
    server.AddRepo(name, git.bare(), "s");
    git.WriteFile("Dockerfile", "FROM " + base + " AS build\nRUN cat /version\n");
    git.WriteFile(".slipway.yml", "version: 1\n" + on + "stages:\n  build: {target: build}\n");
    sha = git.Commit("build on a local base");
  }
};

json Check(const Server& server, const std::string& repo) {
  auto r = server.Post("/api/v1/base-checks", json{{"repo", repo}}.dump());
  INFO(r.body);
  REQUIRE(r.status == 200);
  REQUIRE(r.json["repo"] == repo);
  REQUIRE(r.json["branches"].size() == 1);
  return r.json["branches"][0];
}

std::string Short(const std::string& digest) { return digest.substr(0, 19); }

}  // namespace

TEST_CASE("a base re-imported under its tag starts a base-update run that builds it and records the new digest") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-bases", dir.path() + "/agent");
  std::string base = "127.0.0.1:5000/" + UniqueName("e2e-base") + ":1.0";
  ImageCleanup cleanup(base);
  PublishBase(base, "base-one\n");
  std::string one = EngineId(base);
  BaseRepo repo(server, dir.path() + "/repo", base, "");

  json first = server.WaitForRun(repo.git.PushForRun());
  INFO(first.dump(2));
  REQUIRE(first["status"] == "success");
  const json& job = first["jobs"][0];
  CHECK(job["spec"]["bases"] == json::array({base}));
  CHECK(job["bases"] == json::array({{{"ref", base}, {"digest", one}, {"source", "engine"}}}));

  json quiet = Check(server, repo.name);
  CHECK(quiet["built_run_id"] == first["id"]);
  CHECK(quiet["bases"][0]["status"] == "unchanged");
  CHECK(quiet["started_run_id"].is_null());

  PublishBase(base, "base-two\n");
  std::string two = EngineId(base);
  REQUIRE(two != one);
  json moved = Check(server, repo.name);
  INFO(moved.dump(2));
  CHECK(moved["bases"][0]["status"] == "changed");
  CHECK(moved["bases"][0]["recorded"] == one);
  CHECK(moved["bases"][0]["current"] == two);
  REQUIRE(moved["started_run_id"].is_number());
  std::string message = "base " + base + " changed: " + Short(one) + " -> " + Short(two);
  CHECK(moved["note"] == message);
  // Asked again at once: the base-update run is still to finish, so no second one starts.
  CHECK(Check(server, repo.name)["started_run_id"].is_null());

  json update = server.WaitForRun(moved["started_run_id"].get<int64_t>());
  INFO(update.dump(2));
  REQUIRE(update["status"] == "success");
  CHECK(update["trigger"] == "base-update");
  CHECK(update["jobs"][0]["spec"]["pull"] == true);  // built with --pull
  CHECK(first["jobs"][0]["spec"]["pull"] == false);
  CHECK(update["message"] == message);
  CHECK(update["branch"] == "main");
  CHECK(update["sha"] == repo.sha);
  CHECK(update["jobs"][0]["bases"] == json::array({{{"ref", base}, {"digest", two}, {"source", "engine"}}}));
  auto log = server.Get("/api/v1/jobs/" + update["jobs"][0]["id"].dump() + "/log");
  CHECK(log.body.find("base-two") != std::string::npos);  // built on the new content

  // Nothing moved since: the update is what a check compares with now, and nothing starts.
  json settled = Check(server, repo.name);
  CHECK(settled["built_run_id"] == update["id"]);
  CHECK(settled["bases"][0]["status"] == "unchanged");
  CHECK(settled["started_run_id"].is_null());
  CHECK(server.Get("/api/v1/runs?repo=" + repo.name).json["runs"].size() == 2);

  auto cli = slipway::RunProcess({BinaryDir() + "/cli/slipway", "base-check", repo.name},
                                 {.extra_env = {"SLIPWAY_SERVER=" + server.url(),
                                                std::string("SLIPWAY_TOKEN=") + Server::kAdminToken}});
  REQUIRE(cli.ok());
  INFO(cli->out << cli->err);
  CHECK(cli->exit_code == 0);
  CHECK(cli->out.find("main@" + repo.sha.substr(0, 7) + " (run " + update["id"].dump() + "): no base changed") !=
        std::string::npos);
  CHECK(cli->out.find("unchanged  " + base) != std::string::npos);

  // The endpoint's errors.
  CHECK(server.Post("/api/v1/base-checks", json{{"repo", "e2e/none"}}.dump()).status == 404);
  CHECK(server.Post("/api/v1/base-checks", json{{"repo", repo.name}}.dump(), "").status == 401);
  CHECK(server.Post("/api/v1/base-checks", json{{"repo", "../x"}}.dump()).status == 400);
  CHECK(server.Post("/api/v1/base-checks", "{}").status == 400);
}

TEST_CASE("a repo's on.schedule checks its bases at those times") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-schedule", dir.path() + "/agent");
  std::string base = "127.0.0.1:5000/" + UniqueName("e2e-base") + ":2.0";
  ImageCleanup cleanup(base);
  PublishBase(base, "scheduled-one\n");
  BaseRepo repo(server, dir.path() + "/repo", base, "on:\n  schedule: [\"* * * * *\"]\n");
  json first = server.WaitForRun(repo.git.PushForRun());
  REQUIRE(first["status"] == "success");

  PublishBase(base, "scheduled-two\n");
  std::string two = EngineId(base);
  // Every minute: the next one finds the change (the schedule is read within 15 s of the run).
  json update;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(150);
  while (update.is_null() && std::chrono::steady_clock::now() < deadline) {
    json runs = server.Get("/api/v1/runs?repo=" + repo.name).json["runs"];
    for (const auto& r : runs) {
      if (r["trigger"] == "base-update") update = r;
    }
    if (update.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  INFO(server.process().Output());
  REQUIRE_FALSE(update.is_null());
  json done = server.WaitForRun(update["id"].get<int64_t>());
  REQUIRE(done["status"] == "success");
  CHECK(done["sha"] == repo.sha);
  CHECK(done["jobs"][0]["bases"][0]["digest"] == two);
  CHECK(server.process().Output().find("msg=\"base-update run started\"") != std::string::npos);
}

// A base named as on Docker Hub (no registry host), as `python:3.11-slim` is. The local registry
// is the engine's Docker Hub mirror (scripts/setup writes `registry-mirrors`), and the server's
// upstream, so the name resolves the same way for buildx and for the base check. The name is made
// up, so a build only finds it through the mirror: that proves buildx honours the mirror.
TEST_CASE("a base named as on Docker Hub, moved in the mirror, is picked up by the next base-update run with --pull") {
  TempDir dir;
  std::ofstream(dir.path() + "/slipwayd.yml") << "upstream_registry: 127.0.0.1:5000\n";
  Server server(dir.path() + "/data", {"--config", dir.path() + "/slipwayd.yml"});
  Agent agent(server, "agent-mirror", dir.path() + "/agent");
  const std::string name = UniqueName("e2e-hub-base");
  const std::string base = name + ":1";  // what a Dockerfile writes, like python:3.11-slim
  const std::string mirrored = "127.0.0.1:5000/library/" + base;
  ImageCleanup cleanup_mirrored(mirrored), cleanup_base(base), cleanup_hub("docker.io/library/" + base);
  // Only the mirror has it: the engine's copy under the mirror's name goes after the push.
  auto publish = [&](const std::string& version) {
    PublishBase(mirrored, version);
    Run({"docker", "image", "rm", "--force", "--", mirrored});
  };
  publish("hub-one\n");
  BaseRepo repo(server, dir.path() + "/repo", base, "");

  json first = server.WaitForRun(repo.git.PushForRun());
  INFO(first.dump(2));
  REQUIRE(first["status"] == "success");
  const std::string first_log = server.Get("/api/v1/jobs/" + first["jobs"][0]["id"].dump() + "/log").body;
  CHECK(first_log.find("hub-one") != std::string::npos);
  const std::string one = first["jobs"][0]["bases"][0]["digest"];

  publish("hub-two\n");
  json moved = Check(server, repo.name);
  INFO(moved.dump(2));
  CHECK(moved["bases"][0]["ref"] == base);
  CHECK(moved["bases"][0]["status"] == "changed");
  CHECK(moved["bases"][0]["recorded"] == one);
  REQUIRE(moved["started_run_id"].is_number());

  json update = server.WaitForRun(moved["started_run_id"].get<int64_t>());
  INFO(update.dump(2));
  REQUIRE(update["status"] == "success");
  CHECK(update["trigger"] == "base-update");
  CHECK(update["jobs"][0]["spec"]["pull"] == true);
  CHECK(update["jobs"][0]["bases"][0]["digest"] == moved["bases"][0]["current"]);
  CHECK(update["jobs"][0]["bases"][0]["digest"] != one);
  // Built on the moved base: without --pull, the copy the first build fetched would have served.
  const std::string log = server.Get("/api/v1/jobs/" + update["jobs"][0]["id"].dump() + "/log").body;
  CHECK(log.find("hub-two") != std::string::npos);
  CHECK(log.find("hub-one") == std::string::npos);
  CHECK(Check(server, repo.name)["bases"][0]["status"] == "unchanged");
}
