// Pull requests and tags end to end: real slipwayd, slipway-agent, git, the Docker engine and the
// registry on 127.0.0.1:5000. The forge is played by a bare repository (its pull-request refs
// pushed by hand, as a forge keeps them) and by signed webhooks in GitHub's format.
#include <catch2/catch.hpp>
#include <regex>
#include <thread>

#include "common/http_client.h"
#include "common/image_ref.h"
#include "harness.h"
#include "support/fake_forge.h"
#include "webhooks/signature.h"

using namespace slipway::e2e;
using nlohmann::json;

namespace {

const std::string kZero(40, '0');
const std::string kSecret = "hook-secret";

HttpResult SendEvent(const Server& server, const std::string& event, const json& payload) {
  const std::string body = payload.dump();
  return server.Post("/hooks/github", body, "",
                     {{"X-GitHub-Event", event},
                      {"X-GitHub-Delivery", UniqueName("delivery")},
                      {"X-Hub-Signature-256", "sha256=" + slipway::webhooks::HmacSha256Hex(kSecret, body)}});
}

// A pull_request event in GitHub's shape; `head_repo` names a fork when it is not `repo`.
json PullRequest(const std::string& action, const std::string& repo, const std::string& head_repo, int number,
                 const std::string& sha) {
  return {{"action", action},
          {"number", number},
          {"pull_request",
           {{"number", number},
            {"title", "Try a change"},
            {"user", {{"login", "mallory"}}},
            {"head", {{"ref", "patch-1"}, {"sha", sha}, {"repo", {{"full_name", head_repo}}}}},
            {"base", {{"ref", "main"}, {"sha", sha}, {"repo", {{"full_name", repo}}}}}}},
          {"repository", {{"full_name", repo}, {"html_url", "https://forge.example/" + repo}}}};
}

std::string RegistryDigest(const std::string& name, const std::string& tag) {
  auto digest = slipway::RegistryImageDigest({"127.0.0.1:5000", name, tag});
  return digest.ok() ? *digest : "";
}

// `api_url` (optional): where the run's statuses and the pull request's comment go.
void Register(const Server& server, const std::string& name, const GitRepo& repo, const std::string& forks,
              const std::string& api_url = "") {
  json body = {{"name", name}, {"clone_url", repo.bare()}, {"forge", "github"}, {"secret", kSecret},
               {"fork_pull_requests", forks}};
  if (!api_url.empty()) body["api_url"] = api_url;
  auto registered = server.Post("/api/v1/repos", body.dump());
  INFO(registered.body);
  REQUIRE(registered.status == 201);
  CHECK(registered.json["fork_pull_requests"] == forks);
}

}  // namespace

TEST_CASE("a fork's pull request is held, approved, built without pushing or secrets, and commented") {
  TempDir dir;
  slipway::testing::FakeForge forge;  // GitHub's API cannot run here
  Server server(dir.path() + "/data", {"--public-url", "https://ci.example"});
  Agent agent(server, "agent-forks", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("fork");
  const std::string image = "127.0.0.1:5000/" + name;
  GitRepo repo(dir.path() + "/repo", name, server, kSecret);
  Register(server, name, repo, "approve", forge.url() + "/api/v3");
  for (auto [secret, value] : {std::pair{"forge_token", "ghp-fork-e2e"}, std::pair{"PIP_TOKEN", "pip-fork-e2e"}}) {
    REQUIRE(server.Call("PUT", "/api/v1/repos/" + name + "/secrets/" + secret, json{{"value", value}}.dump(),
                        Server::kAdminToken)
                .status == 200);
  }

  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS app\nCOPY version /version\nUSER 65534\n");
  repo.WriteFile("version", "from a fork\n");
  repo.WriteFile(".slipway.yml", "version: 1\nimage: " + image +
                                     "\nstages:\n  app:\n    push: true\n    tags: [\"{branch}\", \"pr-check\"]\n");
  const std::string sha = repo.Commit("a fork's change");
  // The forge keeps the pull request's head under refs/pull/N/head of the target repository.
  Run({"git", "-C", repo.worktree(), "push", "-q", "origin", "HEAD:refs/pull/7/head"});

  auto answer = SendEvent(server, "pull_request", PullRequest("opened", name, "mallory/fork", 7, sha));
  INFO(answer.body);
  REQUIRE(answer.status == 202);
  CHECK(answer.json["approval"] == "awaiting");
  const int64_t run_id = answer.json["run_id"];

  std::this_thread::sleep_for(std::chrono::seconds(2));  // nothing plans it meanwhile
  json held = server.Get("/api/v1/runs/" + std::to_string(run_id)).json;
  INFO(held.dump(2));
  CHECK(held["status"] == "pending");
  CHECK(held["approval"] == "awaiting");
  CHECK(held["trigger"] == "pull_request");
  CHECK(held["branch"] == "pull/7");
  CHECK(held["jobs"].empty());
  CHECK(held["pull_request"]["number"] == 7);
  CHECK(held["pull_request"]["fork"] == true);
  CHECK(held["pull_request"]["source_repo"] == "mallory/fork");
  CHECK(held["pull_request"]["source_branch"] == "patch-1");
  CHECK(held["pull_request"]["target_branch"] == "main");
  CHECK(held["links"]["pull_request"] == "https://forge.example/" + name + "/pull/7");
  CHECK(held["links"]["commit"] == "https://forge.example/" + name + "/commit/" + sha);

  const std::string approve = "/api/v1/runs/" + std::to_string(run_id) + "/approve";
  CHECK(server.Call("POST", approve).status == 401);
  auto approved = server.Call("POST", approve, "", Server::kAdminToken);
  INFO(approved.body);
  REQUIRE(approved.status == 200);
  CHECK(approved.json["approval"] == "approved");
  CHECK(server.Call("POST", approve, "", Server::kAdminToken).status == 409);

  json run = server.WaitForRun(run_id);
  INFO(run.dump(2));
  REQUIRE(run["status"] == "success");
  REQUIRE(run["jobs"].size() == 1);
  const json& spec = run["jobs"][0]["spec"];
  CHECK(spec["push"] == false);
  CHECK(spec["tags"].empty());
  CHECK(spec["cache_ref"] == "");
  CHECK(RegistryDigest(name, "pr-check").empty());
  CHECK(RegistryDigest(name, "pull-7").empty());

  // The pull request's one comment: the stage's verdict and a link to the run.
  auto commented = [&] {
    for (const auto& r : forge.Delivered()) {
      if (r.method == "POST" && r.target == "/api/v3/repos/" + name + "/issues/7/comments") return r.Json();
    }
    return json();
  };
  for (int i = 0; i < 300 && commented().is_null(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  json comment = commented();
  INFO(comment.dump());
  REQUIRE(comment.is_object());
  CHECK(comment["body"].get<std::string>().find("app") != std::string::npos);
  CHECK(comment["body"].get<std::string>().find("https://ci.example/#/runs/" + std::to_string(run_id)) !=
        std::string::npos);

  // A new commit on the request whose stage asks for a secret: held, approved, then refused at
  // planning, since a fork's code is never given one.
  repo.WriteFile(".slipway.yml", "version: 1\nimage: " + image +
                                     "\nstages:\n  app:\n    secrets: [{id: pip, from: PIP_TOKEN}]\n");
  const std::string second = repo.Commit("a fork's change that wants a secret");
  Run({"git", "-C", repo.worktree(), "push", "-q", "-f", "origin", "HEAD:refs/pull/7/head"});
  auto synced = SendEvent(server, "pull_request", PullRequest("synchronize", name, "mallory/fork", 7, second));
  INFO(synced.body);
  REQUIRE(synced.status == 202);
  const int64_t secret_run = synced.json["run_id"];
  REQUIRE(server.Call("POST", "/api/v1/runs/" + std::to_string(secret_run) + "/approve", "", Server::kAdminToken)
              .status == 200);
  json refused = server.WaitForRun(secret_run);
  INFO(refused.dump(2));
  CHECK(refused["status"] == "error");
  CHECK(refused["jobs"].empty());
  REQUIRE(refused["diagnostics"].size() == 1);
  CHECK(refused["diagnostics"][0]["code"] == "fork-secrets");
  CHECK(server.process().Output().find("pip-fork-e2e") == std::string::npos);
}

TEST_CASE("closing a pull request cancels its running build") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-close", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("close");
  GitRepo repo(dir.path() + "/repo", name, server, kSecret);
  Register(server, name, repo, "run");
  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS slow\nRUN sleep 60\n");
  repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  slow: {}\n");
  const std::string sha = repo.Commit("slow");
  Run({"git", "-C", repo.worktree(), "push", "-q", "origin", "HEAD:refs/pull/3/head"});

  // A fork under fork_pull_requests: run starts at once.
  auto opened = SendEvent(server, "pull_request", PullRequest("opened", name, "mallory/fork", 3, sha));
  INFO(opened.body);
  REQUIRE(opened.status == 202);
  CHECK_FALSE(opened.json.contains("approval"));
  const int64_t run_id = opened.json["run_id"];
  server.WaitForRunState(run_id, [](const json& r) {
    return !r["jobs"].empty() && r["jobs"][0]["status"] == "running";
  });

  auto closed = SendEvent(server, "pull_request", PullRequest("closed", name, "mallory/fork", 3, sha));
  INFO(closed.body);
  REQUIRE(closed.status == 200);
  CHECK(closed.json["status"] == "closed");
  CHECK(closed.json["canceled_runs"] == json::array({run_id}));
  json run = server.WaitForRun(run_id, std::chrono::seconds(60));
  INFO(run.dump(2));
  CHECK(run["status"] == "canceled");
  CHECK(run["error"] == "pull request #3 closed");
}

TEST_CASE("a tag v1.2.3 pushes 1.2.3, 1.2, 1 and latest, an older release leaves latest alone") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-tags", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("tags");
  const std::string image = "127.0.0.1:5000/" + name;
  GitRepo repo(dir.path() + "/repo", name, server, kSecret);
  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS app\nCOPY version /version\nUSER 65534\n");
  repo.WriteFile(".slipway.yml", "version: 1\nimage: " + image + R"(
on:
  tag: ["v*"]
stages:
  app:
    push:
      when: {branch: [main], event: [push, tag]}
    tags: ["{branch}", "{semver}", "{major}.{minor}", "{major}", "latest"]
)");
  repo.WriteFile("version", "1.1.0\n");
  const std::string older = repo.Commit("1.1.0");
  repo.WriteFile("version", "1.2.3\n");
  const std::string newer = repo.Commit("1.2.3");
  repo.Push("main");  // before the repository is registered: the hook's delivery is refused, no run
  Register(server, name, repo, "approve");

  // The post-receive hook sends the tag push; its answer names the run.
  auto push_tag = [&](const std::string& tag, const std::string& sha) {
    Run({"git", "-C", repo.worktree(), "tag", tag, sha});
    std::string out = Run({"git", "-C", repo.worktree(), "push", "-q", "origin", "refs/tags/" + tag});
    INFO(out);
    std::smatch m;
    REQUIRE(std::regex_search(out, m, std::regex("\"run_id\":(\\d+)")));
    return server.WaitForRun(std::stoll(m[1]));
  };
  json run = push_tag("v1.2.3", newer);
  INFO(run.dump(2));
  REQUIRE(run["status"] == "success");
  CHECK(run["trigger"] == "tag");
  CHECK(run["tag"] == "v1.2.3");
  CHECK(run["sha"] == newer);
  const std::string digest = RegistryDigest(name, "1.2.3");
  REQUIRE_FALSE(digest.empty());
  for (const char* tag : {"1.2", "1", "latest"}) {
    INFO(tag);
    CHECK(RegistryDigest(name, tag) == digest);
  }

  json again = push_tag("v1.1.0", older);
  INFO(again.dump(2));
  REQUIRE(again["status"] == "success");
  const std::string old_digest = RegistryDigest(name, "1.1.0");
  REQUIRE_FALSE(old_digest.empty());
  CHECK(old_digest != digest);
  CHECK(RegistryDigest(name, "1.1") == old_digest);
  CHECK(RegistryDigest(name, "latest") == digest);  // latest stays with the highest release

  // A tag outside on.tag starts a run that is skipped; a deleted tag starts none.
  json nightly = push_tag("nightly", newer);
  CHECK(nightly["status"] == "skipped");
  CHECK(nightly["error"] == "tag \"nightly\" does not match on.tag [v*]");
  std::string deleted = Run({"git", "-C", repo.worktree(), "push", "-q", "origin", ":refs/tags/v1.1.0"});
  CHECK(deleted.find("\"reason\":\"tag deleted\"") != std::string::npos);

  // The badge of main: no finished run of main yet; after one, its status.
  auto badge = slipway::HttpFetch({.method = "GET", .url = server.url() + "/api/v1/repos/" + name + "/badge.svg"});
  REQUIRE(badge.ok());
  CHECK(badge->status == 200);
  CHECK(badge->Header("Content-Type") == "image/svg+xml; charset=utf-8");
  CHECK(badge->Header("Cache-Control") == "max-age=60, must-revalidate");
  CHECK(badge->body.find("slipway: unknown") != std::string::npos);
  repo.WriteFile("version", "main\n");
  repo.Commit("on main");
  json main_run = server.WaitForRun(repo.PushForRun("main"));
  REQUIRE(main_run["status"] == "success");
  badge = slipway::HttpFetch({.method = "GET", .url = server.url() + "/api/v1/repos/" + name + "/badge.svg?branch=main"});
  REQUIRE(badge.ok());
  CHECK(badge->body.find("slipway: success") != std::string::npos);
  CHECK(server.Get("/api/v1/repos/e2e/no-such-repo/badge.svg").status == 404);
}
