// The run loop end to end: a push to a bare repository with the post-receive hook, slipwayd,
// agents and the real engine and registry.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/http_client.h"
#include "harness.h"

using namespace slipway::e2e;
using nlohmann::json;

namespace {

const json& JobNamed(const json& run, const std::string& name) {
  for (const auto& j : run["jobs"]) {
    if (j["name"] == name) return j;
  }
  FAIL("run has no job " << name << ": " << run.dump(2));
  static json none;
  return none;
}

// Writes a pipeline whose image lives under a unique registry path.
std::string PipelineFor(const std::string& source, const std::string& image) {
  std::string text = ::slipway::testing::ReadFile(source);
  auto at = text.find("127.0.0.1:5000/");
  REQUIRE(at != std::string::npos);
  auto end = text.find('\n', at);
  return text.substr(0, at) + image + text.substr(end);
}

// Makes a local base image from busybox, optionally with a marker file.
void MakeBase(const std::string& tag, bool ready) {
  TempDir dir;
  std::ofstream(dir.path() + "/Dockerfile") << "FROM busybox:1.36\n"
                                            << (ready ? "RUN touch /etc/slipway-ready\n" : "RUN rm -f /etc/slipway-ready\n");
  Run({"docker", "buildx", "build", "--quiet", "--load", "-t", tag, dir.path()});
}

// Processes whose command line mentions `needle` (ours, found through /proc).
std::vector<std::string> ProcessesMentioning(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(entry.path() / "cmdline");
    std::string cmd((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (char& c : cmd) if (c == '\0') c = ' ';
    if (cmd.find(needle) != std::string::npos && cmd.find("buildx") != std::string::npos) found.push_back(name + ": " + cmd);
  }
  return found;
}

}  // namespace

TEST_CASE("a push builds every stage, pushes the runtime image and reports digests and sizes") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-a", dir.path() + "/agent-a");
  std::string repo_name = "e2e/" + UniqueName("hello");
  std::string image = "127.0.0.1:5000/" + repo_name;
  server.AddRepo(repo_name, dir.path() + "/repo/repo.git", "hook-secret");
  GitRepo repo(dir.path() + "/repo", repo_name, server, "hook-secret");
  repo.CopyFrom(SourceDir() + "/examples/hello");
  repo.WriteFile(".slipway.yml", PipelineFor(SourceDir() + "/examples/hello/.slipway.yml", image));
  std::string sha = repo.Commit("hello: first");

  int64_t run_id = repo.PushForRun();
  json run = server.WaitForRun(run_id);
  INFO(run.dump(2));
  REQUIRE(run["status"] == "success");
  CHECK(run["sha"] == sha);
  CHECK(run["trigger"] == "push");
  CHECK(run["message"] == "hello: first");
  REQUIRE(run["jobs"].size() == 3);
  for (const auto& job : run["jobs"]) {
    CHECK(job["status"] == "success");
    CHECK(job["attempt"] == 1);
    CHECK(job["agent"] == "agent-a");
    CHECK(job["image"]["digest"].get<std::string>().rfind("sha256:", 0) == 0);
    CHECK(job["image"]["size_bytes"].get<long long>() > 0);
    CHECK(job["cache"]["steps"].get<int>() > 0);
    CHECK(!job["image"]["layers"].empty());
  }
  // Needs are respected: test starts after build finished, runtime after test.
  CHECK(JobNamed(run, "test")["started_at"].get<long long>() >= JobNamed(run, "build")["finished_at"].get<long long>());
  CHECK(JobNamed(run, "runtime")["started_at"].get<long long>() >= JobNamed(run, "test")["finished_at"].get<long long>());

  const json& runtime = JobNamed(run, "runtime");
  CHECK(runtime["image"]["ref"] == image + ":main");
  CHECK(runtime["image"]["compressed_size_bytes"].get<long long>() > 0);
  CHECK(runtime["image"]["compressed_size_bytes"].get<long long>() < runtime["image"]["size_bytes"].get<long long>());

  // The image is in the registry under the branch and short sha tags.
  auto tags = slipway::HttpFetch({.url = "http://127.0.0.1:5000/v2/" + repo_name + "/tags/list"});
  REQUIRE(tags.ok());
  json tag_list = json::parse(tags->body)["tags"];
  CHECK(std::find(tag_list.begin(), tag_list.end(), "main") != tag_list.end());
  CHECK(std::find(tag_list.begin(), tag_list.end(), sha.substr(0, 7)) != tag_list.end());

  // The log holds the build's steps, and the size history has the runtime image.
  auto log = server.Get("/api/v1/jobs/" + std::to_string(runtime["id"].get<long long>()) + "/log");
  CHECK(log.status == 200);
  CHECK(log.body.find("COPY --from=build /out/greet /usr/local/bin/greet") != std::string::npos);
  auto history = server.Get("/api/v1/images?repo=" + repo_name + "&stage=runtime");
  REQUIRE(history.status == 200);
  REQUIRE(history.json["images"].size() == 1);
  CHECK(history.json["images"][0]["digest"] == runtime["image"]["digest"]);
}

TEST_CASE("a broken RUN step fails naming it, and a rerun of the failed jobs succeeds after the fix") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-a", dir.path() + "/agent-a");
  std::string repo_name = "e2e/" + UniqueName("broken");
  std::string base = "slipway-e2e-base:" + UniqueName("t");
  MakeBase(base, false);
  server.AddRepo(repo_name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", repo_name, server, "s");
  repo.WriteFile("Dockerfile", "FROM " + base + " AS build\nRUN echo built > /built\n\n"
                               "FROM build AS check\nRUN test -f /etc/slipway-ready || (echo 'base is not ready' && exit 3)\n");
  repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  build: {target: build}\n  check: {target: check, needs: [build]}\n");
  repo.Commit("check the base");

  int64_t run_id = repo.PushForRun();
  json run = server.WaitForRun(run_id);
  INFO(run.dump(2));
  REQUIRE(run["status"] == "failure");
  CHECK(JobNamed(run, "build")["status"] == "success");
  const json& check = JobNamed(run, "check");
  CHECK(check["status"] == "failure");
  CHECK(check["failed_step"].get<std::string>().find("test -f /etc/slipway-ready") != std::string::npos);
  std::string tail = check["log_tail"].dump();
  CHECK(tail.find("base is not ready") != std::string::npos);

  MakeBase(base, true);  // the fix
  auto rerun = server.Post("/api/v1/runs/" + std::to_string(run_id) + "/rerun", R"({"jobs":"failed"})");
  REQUIRE(rerun.status == 201);
  json second = server.WaitForRun(rerun.json["id"].get<int64_t>());
  INFO(second.dump(2));
  CHECK(second["status"] == "success");
  CHECK(second["trigger"] == "rerun");
  CHECK(second["parent_run_id"] == run_id);
  REQUIRE(second["jobs"].size() == 1);
  CHECK(second["jobs"][0]["name"] == "check");
  // Nothing failed in the rerun: rerunning its failures is refused up front.
  auto nothing = server.Post("/api/v1/runs/" + std::to_string(second["id"].get<int64_t>()) + "/rerun", R"({"jobs":"failed"})");
  CHECK(nothing.status == 409);
  CHECK(nothing.body.find("nothing to rerun") != std::string::npos);
  Run({"docker", "image", "rm", "-f", base});
}

TEST_CASE("cancel ends a long build as canceled with no buildx process left") {
  TempDir dir;
  Server server(dir.path() + "/data");
  std::string workdir = dir.path() + "/agent-a";
  Agent agent(server, "agent-a", workdir);
  std::string repo_name = "e2e/" + UniqueName("slow");
  server.AddRepo(repo_name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", repo_name, server, "s");
  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS slow\nRUN echo " + UniqueName("nocache") + " && sleep 120\n");
  repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  slow: {target: slow}\n");
  repo.Commit("slow");

  int64_t run_id = repo.PushForRun();
  server.WaitForRunState(run_id, [](const json& r) {
    return !r["jobs"].empty() && r["jobs"][0]["status"] == "running";
  });
  // Wait until the RUN step itself is under way, so the cancel has to stop a real build.
  auto job_id = server.Get("/api/v1/runs/" + std::to_string(run_id)).json["jobs"][0]["id"].get<int64_t>();
  for (int i = 0; i < 300; ++i) {
    if (server.Get("/api/v1/jobs/" + std::to_string(job_id) + "/log").body.find("sleep 120") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(!ProcessesMentioning(workdir).empty());

  auto started = std::chrono::steady_clock::now();
  auto cancel = server.Post("/api/v1/runs/" + std::to_string(run_id) + "/cancel", "{}");
  REQUIRE(cancel.status == 202);
  json run = server.WaitForRun(run_id, std::chrono::seconds(30));
  auto took = std::chrono::steady_clock::now() - started;
  INFO(run.dump(2));
  CHECK(run["status"] == "canceled");
  CHECK(run["jobs"][0]["status"] == "canceled");
  CHECK(took < std::chrono::seconds(15));
  CHECK(ProcessesMentioning(workdir).empty());
}

TEST_CASE("an agent killed mid-build loses its job to a second agent, and the result is recorded once") {
  TempDir dir;
  Server server(dir.path() + "/data", {"--lease-seconds", "4"});
  auto first = std::make_unique<Agent>(server, "agent-a", dir.path() + "/agent-a");
  std::string repo_name = "e2e/" + UniqueName("lost");
  server.AddRepo(repo_name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", repo_name, server, "s");
  const std::string nonce = UniqueName("nocache");
  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS work\nRUN echo " + nonce + " && sleep 6 && echo done > /done\n");
  repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  work: {target: work}\n");
  repo.Commit("work");

  int64_t run_id = repo.PushForRun();
  // Killed mid-build (its step has started, so the lease was renewed): the attempt is spent.
  server.WaitForRunState(run_id, [&](const json& r) {
    return !r["jobs"].empty() && r["jobs"][0]["status"] == "running" && r["jobs"][0]["agent"] == "agent-a" &&
           server.Get("/api/v1/jobs/" + r["jobs"][0]["id"].dump() + "/log").body.find(nonce) != std::string::npos;
  });
  first->process().Signal(SIGKILL);
  first.reset();
  auto killed_at = std::chrono::steady_clock::now();
  Agent second(server, "agent-b", dir.path() + "/agent-b");

  json running_again = server.WaitForRunState(run_id, [](const json& r) {
    return r["jobs"][0]["agent"] == "agent-b";
  });
  auto requeued_after = std::chrono::steady_clock::now() - killed_at;
  json run = server.WaitForRun(run_id);
  INFO(run.dump(2));
  CHECK(run["status"] == "success");
  const json& job = run["jobs"][0];
  CHECK(job["status"] == "success");
  CHECK(job["agent"] == "agent-b");
  CHECK(job["attempt"] == 2);
  CHECK(requeued_after < std::chrono::seconds(15));
  auto history = server.Get("/api/v1/images?repo=" + repo_name + "&stage=work");
  REQUIRE(history.status == 200);
  CHECK(history.json["images"].size() == 1);
}

TEST_CASE("slipwayd stops cleanly on SIGTERM and comes back with what it stored") {
  TempDir dir;
  std::string repo_name = "e2e/" + UniqueName("restart");
  int64_t run_id = 0;
  {
    Server server(dir.path() + "/data");
    server.AddRepo(repo_name, dir.path() + "/repo/repo.git", "s");
    GitRepo repo(dir.path() + "/repo", repo_name, server, "s");
    repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS only\nUSER 65534\n");
    repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  only: {target: only}\n");
    repo.Commit("one stage");
    run_id = repo.PushForRun();
    // No agent: the run is planned and waits for one.
    server.WaitForRunState(run_id, [](const json& r) { return r["jobs"].size() == 1; });
    // Dashboards still following events and a log while it stops: their streams end with it.
    SseStream events(server.url(), "/api/v1/events");
    SseStream log(server.url(), "/api/v1/jobs/" + std::to_string(server.Get("/api/v1/runs/" + std::to_string(run_id)).json["jobs"][0]["id"].get<int64_t>()) + "/log?follow=1");
    REQUIRE(events.Status() == 200);
    REQUIRE(log.Status() == 200);
    server.process().Signal(SIGTERM);
    CHECK(server.process().Wait() == 0);
    CHECK(server.process().Output().find("msg=stopped") != std::string::npos);
    CHECK(events.WaitClosed(std::chrono::seconds(5)));
    CHECK(log.WaitClosed(std::chrono::seconds(5)));
  }
  Server again(dir.path() + "/data");
  Agent agent(again, "agent-a", dir.path() + "/agent-a");
  json run = again.WaitForRun(run_id);
  INFO(run.dump(2));
  CHECK(run["status"] == "success");
  CHECK(run["jobs"][0]["agent"] == "agent-a");
}

TEST_CASE("a cancel asked before a restart still stops the run after it") {
  TempDir dir;
  std::string repo_name = "e2e/" + UniqueName("cancel-restart");
  int64_t run_id = 0;
  {
    Server server(dir.path() + "/data", {"--lease-seconds", "3"});
    Agent lost(server, "agent-lost", dir.path() + "/agent-lost");
    server.AddRepo(repo_name, dir.path() + "/repo/repo.git", "s");
    GitRepo repo(dir.path() + "/repo", repo_name, server, "s");
    repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS slow\nRUN echo " + UniqueName("slow") +
                                     " && sleep 20\nUSER 65534\n");
    repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  slow: {target: slow}\n");
    repo.Commit("one slow stage");
    run_id = repo.PushForRun();
    server.WaitForRunState(run_id, [](const json& r) { return r["jobs"].size() == 1 && r["jobs"][0]["status"] == "running"; });
    // The agent vanishes without a word, then the cancel is asked: nobody is there to hear it yet.
    lost.process().Signal(SIGKILL);
    lost.process().Wait();
    auto canceled = server.Post("/api/v1/runs/" + std::to_string(run_id) + "/cancel", "{}");
    REQUIRE(canceled.status == 202);
  }
  // A restart, and a healthy agent: the job must not be handed to it; the run ends canceled.
  Server again(dir.path() + "/data", {"--lease-seconds", "3"});
  Agent agent(again, "agent-new", dir.path() + "/agent-new");
  json run = again.WaitForRun(run_id, std::chrono::seconds(60));
  INFO(run.dump(2));
  CHECK(run["status"] == "canceled");
  CHECK(run["error"] == "canceled by request");
  CHECK(run["jobs"][0]["status"] == "canceled");
  CHECK(run["jobs"][0]["agent"] == "agent-lost");
  CHECK(run["jobs"][0]["attempt"] == 1);
}
