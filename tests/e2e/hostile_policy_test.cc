// Hostile pushes end to end: real slipwayd, slipway-agent, git, the Docker engine and the registry
// on 127.0.0.1:5000. Someone who can push to one repository tries to publish where it may not, to
// get a credential out of an error, to replay an old push, and to make the server contact a
// registry of their choosing.
#include <algorithm>
#include <catch2/catch.hpp>

#include "../connection_recorder.h"
#include "../test_images.h"
#include "common/image_ref.h"
#include "harness.h"
#include "webhooks/signature.h"
#include "support/git_http_server.h"

using namespace slipway::e2e;
using nlohmann::json;

namespace {

const std::string kZero(40, '0');

// A push of `after` to `branch` in GitHub's format, signed with `secret`, under `delivery`.
HttpResult SendPush(const Server& server, const std::string& repo, const std::string& secret,
                    const std::string& branch, const std::string& before, const std::string& after,
                    const std::string& delivery) {
  std::string body = json{{"ref", "refs/heads/" + branch},
                          {"before", before},
                          {"after", after},
                          {"created", before == kZero},
                          {"deleted", false},
                          {"repository", {{"full_name", repo}}},
                          {"head_commit", {{"id", after}, {"message", "m"}, {"author", {{"name", "a"}}}}},
                          {"commits", json::array()}}
                         .dump();
  return server.Post("/hooks/github", body, "",
                     {{"X-GitHub-Event", "push"},
                      {"X-GitHub-Delivery", delivery},
                      {"X-Hub-Signature-256", "sha256=" + slipway::webhooks::HmacSha256Hex(secret, body)}});
}

// What the registry at 127.0.0.1:5000 holds for `name:tag` now ("" when nothing).
std::string RegistryDigest(const std::string& name, const std::string& tag) {
  auto digest = slipway::RegistryImageDigest({"127.0.0.1:5000", name, tag});
  return digest.ok() ? *digest : "";
}

std::vector<std::string> DiagnosticCodes(const json& run) {
  std::vector<std::string> codes;
  for (const auto& d : run["diagnostics"]) codes.push_back(d["code"]);
  return codes;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

TEST_CASE("a push stays within its repository's policy and replayed or older pushes change nothing") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-policy", dir.path() + "/agent", {"--labels", "pool=e2e"});
  const std::string name = "e2e/" + UniqueName("policy");
  const std::string allowed = "127.0.0.1:5000/" + name + "-ok";
  const std::string forbidden = "127.0.0.1:5000/" + name + "-evil";
  GitRepo repo(dir.path() + "/repo", name, server, "hook-secret");
  auto registered = server.Post("/api/v1/repos", json{{"name", name},
                                                      {"clone_url", repo.bare()},
                                                      {"forge", "github"},
                                                      {"secret", "hook-secret"},
                                                      {"image_prefixes", {allowed}},
                                                      {"protected_tags", {"latest"}},
                                                      {"agent_labels", {"pool=e2e"}}}
                                                     .dump());
  INFO(registered.body);
  REQUIRE(registered.status == 201);
  CHECK(registered.json["image_prefixes"] == json::array({allowed}));
  CHECK(registered.json["protected_tags"] == json::array({"latest"}));
  CHECK(registered.json["agent_labels"] == json::array({"pool=e2e"}));
  auto bad = server.Post("/api/v1/repos", json{{"name", name}, {"clone_url", repo.bare()}, {"forge", "github"},
                                               {"secret", "hook-secret"}, {"image_prefixes", {"no-host"}}}
                                              .dump());
  CHECK(bad.status == 400);
  CHECK(bad.body.find("image prefix \\\"no-host\\\" must be a lower-case registry path") != std::string::npos);

  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS app\nCOPY version /version\n");
  repo.WriteFile("version", "one\n");
  auto pipeline = [](const std::string& image, const std::string& tag, const std::string& pool) {
    return "version: 1\nimage: " + image + "\nstages:\n  app:\n    push: true\n    tags: [\"" + tag +
           "\"]\n    labels: {pool: " + pool + "}\n";
  };
  struct Forbidden {
    std::string what, branch, pipeline, code, image;
  };
  const std::vector<Forbidden> cases = {
      {"an image outside the prefixes", "main", pipeline(forbidden, "{branch}", "e2e"), "image-prefix", forbidden},
      {"a protected tag from a feature branch", "feature", pipeline(allowed, "latest", "e2e"), "protected-tag", allowed},
      {"an agent label not allowed", "main", pipeline(allowed, "{branch}", "deploy"), "agent-label", allowed},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    repo.WriteFile(".slipway.yml", c.pipeline);
    repo.Commit(c.what);
    json run = server.WaitForRun(repo.PushForRun(c.branch));
    INFO(run.dump(2));
    CHECK(run["status"] == "error");
    CHECK(run["error"].get<std::string>().find("error[" + c.code + "]") != std::string::npos);
    CHECK(Contains(DiagnosticCodes(run), c.code));
    CHECK(run["jobs"].empty());
    // Nothing reached the registry under that name.
    CHECK(RegistryDigest(c.image.substr(std::string("127.0.0.1:5000/").size()), c.branch).empty());
    CHECK(RegistryDigest(c.image.substr(std::string("127.0.0.1:5000/").size()), "latest").empty());
  }

  // Within the policy: built and pushed. Two commits on main; the tag follows the newer one.
  const std::string image_name = allowed.substr(std::string("127.0.0.1:5000/").size());
  repo.WriteFile(".slipway.yml", pipeline(allowed, "{branch}", "e2e"));
  const std::string first = repo.Commit("within the policy");
  json built = server.WaitForRun(repo.PushForRun("main"));
  INFO(built.dump(2));
  REQUIRE(built["status"] == "success");
  const std::string first_digest = RegistryDigest(image_name, "main");
  REQUIRE_FALSE(first_digest.empty());
  repo.WriteFile("version", "two\n");
  const std::string second = repo.Commit("newer");
  json newer = server.WaitForRun(repo.PushForRun("main"));
  REQUIRE(newer["status"] == "success");
  const std::string second_digest = RegistryDigest(image_name, "main");
  REQUIRE(second_digest != first_digest);

  // The older commit pushed again (a late or replayed delivery): skipped, the tag stays.
  auto late = SendPush(server, name, "hook-secret", "main", kZero, first, "late-1");
  INFO(late.body);
  REQUIRE(late.status == 202);
  json skipped = server.WaitForRun(late.json["run_id"].get<int64_t>());
  INFO(skipped.dump(2));
  CHECK(skipped["status"] == "skipped");
  CHECK(skipped["error"] == "commit " + first.substr(0, 12) + " is older than " + second.substr(0, 12) +
                                ", already built on main by run " + newer["id"].dump());
  CHECK(skipped["jobs"].empty());
  CHECK(RegistryDigest(image_name, "main") == second_digest);

  // The same body under a new delivery id: no new run, the first one is named.
  const size_t runs_before = server.Get("/api/v1/runs?repo=" + name + "&limit=100").json["runs"].size();
  auto replay = SendPush(server, name, "hook-secret", "main", kZero, first, "late-2");
  INFO(replay.body);
  CHECK(replay.status == 200);
  CHECK(replay.json["duplicate"] == true);
  CHECK(replay.json["run_id"] == late.json["run_id"]);
  CHECK(server.Get("/api/v1/runs?repo=" + name + "&limit=100").json["runs"].size() == runs_before);
}

TEST_CASE("a commit gone from the git server fails the job without showing the clone token") {
  const std::string token = "tok-" + UniqueName("secret");
  TempDir dir;
  Server server(dir.path() + "/data");
  SseStream events(server.url(), "/api/v1/events");
  const std::string name = "e2e/" + UniqueName("gone");
  GitRepo repo(dir.path() + "/repo", name, server, "hook-secret");
  Run({"git", "-C", repo.bare(), "config", "--unset", "slipway.url"});  // webhooks sent by the test
  // The token alone is set: git sends it under the default user name.
  slipway::testing::GitHttpServer git_server(dir.path() + "/repo", "x-access-token", token);
  const std::string clone_url = git_server.Url("repo.git");
  server.AddRepo(name, clone_url, "hook-secret");
  REQUIRE(server.Call("PUT", "/api/v1/repos/" + name + "/secrets/GIT_TOKEN", json{{"value", token}}.dump(),
                      Server::kAdminToken)
              .status == 200);

  repo.WriteFile("Dockerfile", "FROM busybox:1.36\nCOPY .slipway.yml /\n");
  repo.WriteFile(".slipway.yml", "version: 1\n");
  const std::string sha = repo.Commit("soon gone");
  repo.Push("main");
  auto pushed = SendPush(server, name, "hook-secret", "main", kZero, sha, "gone-1");
  INFO(pushed.body);
  REQUIRE(pushed.status == 202);
  const int64_t run_id = pushed.json["run_id"].get<int64_t>();
  // Planned from the server's mirror; then the commit goes away before any agent fetches it.
  server.WaitForRunState(run_id, [](const json& r) { return !r["jobs"].empty(); });
  Run({"git", "-C", repo.worktree(), "checkout", "-q", "--orphan", "keep"});  // the server keeps a branch
  repo.Commit("unrelated");
  repo.Push("keep");
  Run({"git", "-C", repo.bare(), "update-ref", "-d", "refs/heads/main"});
  Run({"git", "-C", repo.bare(), "reflog", "expire", "--expire=now", "--all"});
  Run({"git", "-C", repo.bare(), "gc", "-q", "--prune=now"});

  // This agent takes its token from the environment: no token on its command line either.
  Process agent({"env", std::string("SLIPWAY_AGENT_TOKEN=") + Server::kAgentToken, BinaryDir() + "/agents/slipway-agent",
                 "--server", server.url(), "--name", "agent-gone", "--workdir", dir.path() + "/agent"},
                "slipway-agent");
  json run = server.WaitForRun(run_id);
  INFO(run.dump(2));
  REQUIRE(run["jobs"].size() == 1);
  const json& job = run["jobs"][0];
  CHECK(job["status"] == "error");
  CHECK(job["agent"] == "agent-gone");
  const std::string error = job["error"];
  CHECK(error.find("commit " + sha + " is not in " + clone_url) != std::string::npos);

  auto log = server.Get("/api/v1/jobs/" + job["id"].dump() + "/log");
  auto repos = server.Get("/api/v1/repos");
  auto metrics = server.Get("/metrics");
  std::string event_text;
  for (const auto& e : events.Events()) event_text += e.data.dump() + "\n";
  CHECK(event_text.find("\"status\":\"error\"") != std::string::npos);  // the job's end was seen
  for (const auto& [where, text] : std::vector<std::pair<std::string, std::string>>{
           {"run", run.dump()},
           {"job log", log.body},
           {"repos", repos.body},
           {"metrics", metrics.body},
           {"events", event_text},
           {"server log", server.process().Output()},
           {"agent log", agent.Output()}}) {
    INFO(where << ": " << text);
    CHECK(text.find(token) == std::string::npos);
  }
}

TEST_CASE("a base on a registry outside the allowlist is reported unresolved and never contacted") {
  slipway::testing::ConnectionRecorder registry;  // 127.0.0.2: loopback, but not an allowed registry
  const std::string base = registry.host() + "/e2e/" + UniqueName("base") + ":1";
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-bases", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("outside");
  GitRepo repo(dir.path() + "/repo", name, server, "s");
  server.AddRepo(name, repo.bare(), "s");
  {
    // The build finds the base in the engine; the registry its name points at is never asked.
    slipway::testing::ImageCleanup cleanup(base);
    slipway::testing::ImportTestImage(base, {{"version", "outside\n"}});
    repo.WriteFile("Dockerfile", "FROM " + base + " AS build\nCOPY note /note\n");
    repo.WriteFile("note", "built on a base from elsewhere\n");
    repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  build: {target: build}\n");
    repo.Commit("a base from an unknown registry");
    json run = server.WaitForRun(repo.PushForRun());
    INFO(run.dump(2));
    REQUIRE(run["status"] == "success");
    CHECK(run["jobs"][0]["spec"]["bases"] == json::array({base}));
  }
  // Gone from the engine: a base check would have to ask that registry. (The build itself may
  // have: BuildKit resolves FROM against its registry before using the engine's image. That is
  // the build's own pull, not a look-up of Slipway's.)
  const int before_check = registry.connections();
  auto check = server.Post("/api/v1/base-checks", json{{"repo", name}}.dump());
  INFO(check.body);
  REQUIRE(check.status == 200);
  const json& entry = check.json["branches"][0]["bases"][0];
  CHECK(entry["ref"] == base);
  CHECK(entry["status"] == "unresolved");
  CHECK(entry["error"].get<std::string>().find("registry " + registry.host() +
                                               " is not in the allowlist of registries to contact") != std::string::npos);
  CHECK(check.json["branches"][0]["started_run_id"].is_null());
  CHECK(registry.connections() == before_check);  // the check contacted nobody
}
