// Forge feedback end to end: a real slipwayd reports a pushed run's statuses to a fake forge (the
// hosted forges cannot run here) through failures, rate limits, an outage and a restart of
// slipwayd, and notifies a receiver with signed webhooks. Every status arrives once, in order.
#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "harness.h"
#include "support/fake_forge.h"
#include "webhooks/signature.h"

namespace slipway::e2e {
namespace {

using nlohmann::json;
using testing::FakeForge;

// (context, state, description) of each status the forge took, in arrival order.
std::vector<std::vector<std::string>> Statuses(const FakeForge& forge) {
  std::vector<std::vector<std::string>> out;
  for (const auto& r : forge.Delivered()) {
    if (r.target.find("/statuses/") == std::string::npos) continue;
    json body = r.Json();
    out.push_back(
        {body.value("context", ""), body.value("state", ""), body.value("description", "")});
  }
  return out;
}

TEST_CASE("statuses reach the forge once and in order through failures, an outage and a restart") {
  TempDir dir;
  FakeForge forge;
  std::string name = "e2e/" + UniqueName("forge");
  const std::vector<std::string> args = {"--public-url", "https://ci.example/"};
  auto server = std::make_unique<Server>(dir.path() + "/data", args);
  auto repo_body = json{{"name", name},
                        {"forge", "github"},
                        {"clone_url", dir.path() + "/repo/repo.git"},
                        {"secret", "s"},
                        {"api_url", forge.url() + "/api/v3"},
                        {"notify_url", forge.url() + "/hooks/slipway"}};
  auto registered = server->Post("/api/v1/repos", repo_body.dump());
  INFO(registered.body);
  REQUIRE(registered.status == 201);
  CHECK(registered.json["api_url"] == forge.url() + "/api/v3");
  auto bad = server->Post("/api/v1/repos", json{{"name", name},
                                                {"forge", "github"},
                                                {"clone_url", "x"},
                                                {"secret", "s"},
                                                {"api_url", "http://forge.example/api"}}
                                               .dump());
  CHECK(bad.status == 400);
  CHECK(bad.json["error"]["message"].get<std::string>().find("https://") != std::string::npos);
  for (auto [secret, value] :
       {std::pair{"forge_token", "ghp-e2e-token"}, std::pair{"notify_secret", "nkey"}}) {
    auto put = server->Call("PUT", "/api/v1/repos/" + name + "/secrets/" + secret,
                            json{{"value", value}}.dump(), Server::kAdminToken);
    REQUIRE(put.status == 200);
  }

  // The forge fails its first answers: two 500s, then a secondary rate limit with Retry-After.
  forge.FailNext(2, FakeForge::Answer(500));
  forge.FailNext(1, FakeForge::Answer(403, {{"Retry-After", "1"}},
                                      R"({"message":"You have exceeded a secondary rate limit"})"));
  GitRepo repo(dir.path() + "/repo", name, *server, "s");
  repo.WriteFile("Dockerfile",
                 "FROM busybox:1.36 AS test\nRUN true\nFROM busybox:1.36 AS runtime\nRUN true\n");
  repo.WriteFile(".slipway.yml",
                 "version: 1\nstages:\n  test: {target: test}\n  runtime: {target: runtime}\n");
  std::string sha = repo.Commit("two stages");
  int64_t run_id = repo.PushForRun("main");
  REQUIRE(run_id > 0);
  // No agent: the jobs wait, pending. Their statuses and the run's get through the failures.
  REQUIRE(forge.WaitForDelivered(3, std::chrono::seconds(60)));

  // An outage: everything the forge gets is dropped while the run is canceled and slipwayd
  // restarts.
  forge.SetDown(true);
  size_t tried_before = forge.All().size();
  REQUIRE(server->Post("/api/v1/runs/" + std::to_string(run_id) + "/cancel", "").status == 202);
  server->WaitForRun(run_id, std::chrono::seconds(30));
  for (int i = 0; i < 300 && forge.All().size() == tried_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(forge.All().size() > tried_before);  // it tried, and failed
  server.reset();                              // SIGTERM: a clean stop with messages unsent
  forge.SetDown(false);
  server = std::make_unique<Server>(dir.path() + "/data", args);
  REQUIRE(forge.WaitForDelivered(3 + 3 + 1,
                                 std::chrono::seconds(60)));  // 3 canceled statuses, 1 notification
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more comes

  auto statuses = Statuses(forge);
  INFO(json(statuses).dump());
  std::map<std::string, std::vector<std::string>> states;
  for (const auto& s : statuses) states[s[0]].push_back(s[1] + ": " + s[2]);
  CHECK(states["slipway"] ==
        std::vector<std::string>{"pending: run 1 queued",
                                 "error: run 1 canceled: canceled by request"});
  CHECK(states["slipway/test"] == std::vector<std::string>{"pending: queued", "error: canceled"});
  CHECK(states["slipway/runtime"] ==
        std::vector<std::string>{"pending: queued", "error: canceled"});
  CHECK(statuses.size() == 6);
  for (const auto& r : forge.Delivered()) {
    if (r.target.find("/statuses/") == std::string::npos) continue;
    CHECK(r.target == "/api/v3/repos/" + name + "/statuses/" + sha);
    CHECK(r.Header("Authorization") == "Bearer ghp-e2e-token");
    CHECK(r.Json().value("target_url", "").starts_with("https://ci.example/#/"));
  }
  // The rate limit was honoured: nothing was sent to the forge within the second it asked for.
  auto all = forge.All();
  REQUIRE(all.size() > 3);
  CHECK(all[2].Json().value("state", "") == "pending");  // the third try met the rate limit
  CHECK_FALSE(all[2].delivered);
  CHECK(all[3].received - all[2].received >= std::chrono::milliseconds(950));

  std::vector<FakeForge::Request> hooks;
  for (const auto& r : forge.Delivered()) {
    if (r.target == "/hooks/slipway") hooks.push_back(r);
  }
  REQUIRE(hooks.size() == 1);
  CHECK(hooks[0].Header("X-Slipway-Event") == "run.finished");
  CHECK(hooks[0].Header("X-Slipway-Signature-256") ==
        "sha256=" + webhooks::HmacSha256Hex("nkey", hooks[0].body));
  CHECK(hooks[0].Json()["run"]["status"] == "canceled");
  CHECK(hooks[0].Json()["repo"] == name);
  // The token never reaches slipwayd's log.
  CHECK(server->process().Output().find("ghp-e2e-token") == std::string::npos);
}

}  // namespace
}  // namespace slipway::e2e
