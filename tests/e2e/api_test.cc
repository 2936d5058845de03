// The REST API and the agents' protocol end to end, against a real slipwayd: run lists with
// filters and paging, JSON errors, health and metrics, manual triggers and reruns (their checks),
// and lease fencing over HTTP. No engine: jobs here are leased by the test itself.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "common/http_client.h"
#include "harness.h"
#include "webhooks/signature.h"

using namespace slipway::e2e;
using nlohmann::json;

namespace {

HttpResult Fetch(const Server& server, const std::string& method, const std::string& path, const std::string& body = "",
                 const std::string& token = "") {
  return server.Call(method, path, body, token);
}

// A signed GitHub-format push for a commit that does not exist: the run ends in error at once.
int64_t PushFake(const Server& server, const std::string& repo, const std::string& secret, const std::string& branch,
                 char sha_digit) {
  std::string body = json{
      {"ref", "refs/heads/" + branch},
      {"before", std::string(40, '0')},
      {"after", std::string(40, sha_digit)},
      {"repository", {{"full_name", repo}}},
      {"head_commit", {{"id", std::string(40, sha_digit)}, {"message", "fake"}}},
      {"commits",
       json::array()}}.dump();
  auto r = server.Post("/hooks/github", body, "",
                       {{"X-GitHub-Event", "push"},
                        {"X-GitHub-Delivery", UniqueName("delivery")},
                        {"X-Hub-Signature-256", "sha256=" + slipway::webhooks::HmacSha256Hex(secret, body)}});
  INFO(r.body);
  REQUIRE(r.status == 202);
  return r.json["run_id"].get<int64_t>();
}

std::vector<int64_t> RunIds(const HttpResult& r) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  std::vector<int64_t> ids;
  for (const auto& run : r.json["runs"]) ids.push_back(run["id"].get<int64_t>());
  return ids;
}

void CheckError(const HttpResult& r, int status, const std::string& code, const std::string& message_part = "") {
  INFO(r.body);
  CHECK(r.status == status);
  REQUIRE(r.json.is_object());
  REQUIRE(r.json.contains("error"));
  CHECK(r.json["error"]["code"] == code);
  CHECK(r.json["error"]["message"].is_string());
  if (!message_part.empty())
    CHECK(r.json["error"]["message"].get<std::string>().find(message_part) != std::string::npos);
}

// The running_jobs GET /api/v1/agents lists for `agent` (fails the test when it is not listed).
json RunningJobs(const Server& server, const std::string& agent) {
  auto r = server.Get("/api/v1/agents");
  INFO(r.body);
  REQUIRE(r.status == 200);
  for (const auto& a : r.json["agents"]) {
    if (a["name"] == agent) return a["running_jobs"];
  }
  FAIL("agent " << agent << " is not listed");
  return nullptr;
}

json LeaseBody(const std::string& agent) {
  return {{"agent", agent}, {"labels", {{"arch", "amd64"}, {"pool", "e2e"}}}, {"capacity", 3}, {"version", "test"}};
}

}  // namespace

TEST_CASE("REST: run lists filter and page, unknown things are JSON 404s, wrong methods 405, health and metrics") {
  TempDir dir;
  Server server(dir.path() + "/data");
  std::string fake = "e2e/" + UniqueName("fake");
  server.AddRepo(fake, dir.path() + "/absent.git", "s");
  std::vector<int64_t> fake_runs = {PushFake(server, fake, "s", "main", 'a'), PushFake(server, fake, "s", "main", 'b'),
                                    PushFake(server, fake, "s", "dev", 'c')};
  for (int64_t id : fake_runs) CHECK(server.WaitForRun(id, std::chrono::seconds(30))["status"] == "error");

  std::string real = "e2e/" + UniqueName("real");
  server.AddRepo(real, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", real, server, "s");
  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS build\nRUN true\n");
  repo.WriteFile(".slipway.yml", "version: 1\non:\n  push: {branches: [main]}\nstages:\n  build: {target: build}\n");
  repo.Commit("main only");
  int64_t skipped = repo.PushForRun("feature");
  CHECK(server.WaitForRun(skipped, std::chrono::seconds(30))["status"] == "skipped");
  int64_t pending = repo.PushForRun("main");
  server.WaitForRunState(
      pending, [](const json& r) { return !r["jobs"].empty(); }, std::chrono::seconds(30));

  SECTION("filters") {
    CHECK(RunIds(server.Get("/api/v1/runs?repo=" + fake)) ==
          std::vector<int64_t>{fake_runs[2], fake_runs[1], fake_runs[0]});
    CHECK(RunIds(server.Get("/api/v1/runs?repo=" + fake + "&branch=dev")) == std::vector<int64_t>{fake_runs[2]});
    CHECK(RunIds(server.Get("/api/v1/runs?branch=main")) == std::vector<int64_t>{pending, fake_runs[1], fake_runs[0]});
    CHECK(RunIds(server.Get("/api/v1/runs?status=skipped")) == std::vector<int64_t>{skipped});
    CHECK(RunIds(server.Get("/api/v1/runs?status=error")).size() == 3);
    CHECK(RunIds(server.Get("/api/v1/runs?repo=" + real + "&status=pending")) == std::vector<int64_t>{pending});
    CHECK(RunIds(server.Get("/api/v1/runs?repo=" + real + "&branch=dev")).empty());
    auto all = server.Get("/api/v1/runs");
    REQUIRE(all.json["runs"].size() == 5);
    const json& first = all.json["runs"][0];
    CHECK(first["id"] == pending);
    CHECK(first["repo"] == real);
    CHECK(first["branch"] == "main");
    CHECK(first["trigger"] == "push");
    CHECK(first["message"] == "main only");
    CHECK(!first.contains("jobs"));
  }

  SECTION("paging with limit, before and next_before visits every run once, newest first") {
    std::vector<int64_t> seen;
    std::string path = "/api/v1/runs?limit=2";
    int pages = 0;
    for (;;) {
      auto page = server.Get(path);
      auto ids = RunIds(page);
      CHECK(ids.size() <= 2);
      seen.insert(seen.end(), ids.begin(), ids.end());
      ++pages;
      if (!page.json.contains("next_before")) break;
      CHECK(page.json["next_before"] == ids.back());
      path = "/api/v1/runs?limit=2&before=" + std::to_string(page.json["next_before"].get<int64_t>());
      REQUIRE(pages < 10);
    }
    CHECK(pages == 3);
    REQUIRE(seen.size() == 5);
    CHECK(std::is_sorted(seen.rbegin(), seen.rend()));
    CHECK(std::set<int64_t>(seen.begin(), seen.end()).size() == 5);
    CHECK(RunIds(server.Get("/api/v1/runs?repo=" + fake + "&limit=1&before=" + std::to_string(fake_runs[2]))) ==
          std::vector<int64_t>{fake_runs[1]});
    CheckError(server.Get("/api/v1/runs?limit=0"), 400, "invalid_argument", "limit");
    CheckError(server.Get("/api/v1/runs?limit=ten"), 400, "invalid_argument", "limit");
    CheckError(server.Get("/api/v1/runs?status=done"), 400, "invalid_argument", "status must be pending");
    CheckError(server.Get("/api/v1/runs?before=-4"), 400, "invalid_argument", "before");
    CheckError(server.Get("/api/v1/runs?before=4&after=2"), 400, "invalid_argument", "not both");
  }

  SECTION("prev_after leads back to the newer pages") {
    auto all = RunIds(server.Get("/api/v1/runs?limit=5"));
    REQUIRE(all.size() == 5);
    auto older = server.Get("/api/v1/runs?limit=2&before=" + std::to_string(all[1]));
    CHECK(RunIds(older) == std::vector<int64_t>{all[2], all[3]});
    REQUIRE(older.json.contains("prev_after"));
    auto newer = server.Get("/api/v1/runs?limit=2&after=" + std::to_string(older.json["prev_after"].get<int64_t>()));
    CHECK(RunIds(newer) == std::vector<int64_t>{all[0], all[1]});
    CHECK(newer.json["next_before"] == all[1]);
    CHECK_FALSE(newer.json.contains("prev_after"));  // the newest page
  }

  SECTION("errors") {
    CheckError(server.Get("/api/v1/runs/999999"), 404, "not_found");
    CheckError(server.Get("/api/v1/runs/abc"), 400, "invalid_argument", "run id");
    CheckError(server.Get("/api/v1/jobs/999999"), 404, "not_found");
    CheckError(server.Get("/api/v1/jobs/999999/log"), 404, "not_found");
    CheckError(server.Get("/api/v1/jobs/999999/log?follow=1"), 404, "not_found");
    CheckError(server.Get("/api/v1/nothing/here"), 404, "not_found", "/api/v1/nothing/here");
    CheckError(server.Post("/api/v1/runs/999999/cancel", "{}"), 404, "not_found");
    CheckError(server.Post("/api/v1/runs/999999/rerun", "{}"), 404, "not_found");
    CheckError(Fetch(server, "DELETE", "/api/v1/runs/" + std::to_string(pending), "", Server::kAdminToken), 405,
               "method_not_allowed");
    CheckError(Fetch(server, "PUT", "/api/v1/runs"), 405, "method_not_allowed");
    CheckError(server.Post("/healthz", "{}"), 405, "method_not_allowed");
    CheckError(Fetch(server, "GET", "/api/v1/runs/1/cancel"), 405, "method_not_allowed");
    // A finished run cannot be canceled.
    CheckError(server.Post("/api/v1/runs/" + std::to_string(fake_runs[0]) + "/cancel", "{}"), 409, "conflict");
    // Mutating calls need the admin token.
    CheckError(server.Post("/api/v1/repos",
                           json{{"name", "x/y"}, {"clone_url", "u"}, {"forge", "github"}, {"secret", "s"}}.dump(), ""),
               401, "unauthenticated");
    CheckError(server.Post("/api/v1/runs/" + std::to_string(pending) + "/cancel", "{}", "wrong-token"), 401,
               "unauthenticated");
    CheckError(server.Post("/api/v1/repos",
                           json{{"name", "../evil"}, {"clone_url", "u"}, {"forge", "github"}, {"secret", "s"}}.dump()),
               400, "invalid_argument");
    CheckError(server.Post("/api/v1/repos",
                           json{{"name", "x/y"}, {"clone_url", "u"}, {"forge", "svn"}, {"secret", "s"}}.dump()),
               400, "invalid_argument", "forge");
    CheckError(server.Post("/api/v1/repos", json{{"name", "x/y"}, {"clone_url", "u"}, {"forge", "github"},
                                                 {"secret", "s"}, {"default_branch", "-x"}}.dump()),
               400, "invalid_argument", "default_branch");
    // Fields of the wrong type are a 400 naming the problem, and the server stays up.
    CheckError(server.Post("/api/v1/runs", json{{"repo", fake}, {"branch", "main"}, {"sha", 5}}.dump()), 400,
               "invalid_argument", "wrong type");
    CheckError(server.Post("/api/v1/repos", json{{"name", 7}, {"clone_url", "u"}}.dump()), 400, "invalid_argument");
    CHECK(server.Get("/healthz").status == 200);
  }

  SECTION("health and Prometheus metrics") {
    auto health = server.Get("/healthz");
    CHECK(health.status == 200);
    CHECK(health.json["ok"] == true);
    auto res = slipway::HttpFetch({.method = "GET", .url = server.url() + "/metrics", .body = "", .headers = {}});
    REQUIRE(res.ok());
    CHECK(res->status == 200);
    CHECK(res->Header("Content-Type").rfind("text/plain", 0) == 0);
    // Every line is a "# TYPE name counter|gauge" line or a "name value" sample of a typed name.
    std::istringstream lines(res->body);
    std::string line;
    std::set<std::string> typed;
    std::map<std::string, double> samples;
    std::regex type_line("# TYPE ([a-z_]+) (counter|gauge)");
    std::regex sample_line("([a-z_]+) ([0-9.eE+-]+)");
    while (std::getline(lines, line)) {
      std::smatch m;
      INFO(line);
      if (std::regex_match(line, m, type_line)) {
        typed.insert(m[1]);
      } else {
        REQUIRE(std::regex_match(line, m, sample_line));
        CHECK(typed.count(m[1]) == 1);
        samples[m[1]] = std::stod(m[2]);
      }
    }
    CHECK(samples.count("slipway_runs_held") == 1);
    CHECK(samples["slipway_runs_created_total"] == 5);
    CHECK(samples["slipway_jobs_ready"] == 1);  // the pending run's job, with no agent to take it
  }
}

TEST_CASE("manual trigger and rerun: token, body and name checks, and a rerun of a stage takes its dependents") {
  TempDir dir;
  Server server(dir.path() + "/data");
  std::string name = "e2e/" + UniqueName("manual");
  server.AddRepo(name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", name, server, "s");
  repo.WriteFile("Dockerfile",
                 "FROM busybox:1.36 AS a\nRUN true\nFROM a AS b\nRUN true\nFROM b AS c\nRUN true\n"
                 "FROM busybox:1.36 AS d\nRUN true\n");
  repo.WriteFile(".slipway.yml",
                 "version: 1\nstages:\n  a: {target: a}\n  b: {target: b, needs: [a]}\n  c: {target: c, needs: [b]}\n"
                 "  d: {target: d}\n");
  repo.Commit("first");
  repo.Push("main");
  std::string head = repo.Commit("second, the branch head");
  repo.Push("main");

  std::string body = json{{"repo", name}, {"branch", "main"}}.dump();
  CheckError(server.Post("/api/v1/runs", body, ""), 401, "unauthenticated");
  CheckError(server.Post("/api/v1/runs", body, Server::kAgentToken), 401, "unauthenticated");
  CheckError(server.Post("/api/v1/runs", json{{"repo", name}}.dump()), 400, "invalid_argument", "branch");
  CheckError(server.Post("/api/v1/runs", "{repo"), 400, "invalid_argument", "JSON");
  CheckError(server.Post("/api/v1/runs", json{{"repo", name}, {"branch", "-x"}}.dump()), 400, "invalid_argument");
  CheckError(server.Post("/api/v1/runs", json{{"repo", name}, {"branch", "main"}, {"sha", "xyz"}}.dump()), 400,
             "invalid_argument");
  CheckError(server.Post("/api/v1/runs", json{{"repo", "nobody/nothing"}, {"branch", "main"}}.dump()), 404,
             "not_found");
  auto no_branch = server.Post("/api/v1/runs", json{{"repo", name}, {"branch", "no-such-branch"}}.dump());
  CHECK(no_branch.status >= 400);
  CHECK(no_branch.status < 500);

  auto manual = server.Post("/api/v1/runs", body);
  INFO(manual.body);
  REQUIRE(manual.status == 201);
  CHECK(manual.json["trigger"] == "manual");
  CHECK(manual.json["sha"] == head);
  CHECK(manual.json["branch"] == "main");
  int64_t run_id = manual.json["id"].get<int64_t>();
  json run = server.WaitForRunState(
      run_id, [](const json& r) { return r["jobs"].size() == 4; }, std::chrono::seconds(30));
  CHECK(run["sha"] == head);

  std::string rerun_path = "/api/v1/runs/" + std::to_string(run_id) + "/rerun";
  CheckError(server.Post(rerun_path, R"({"jobs":["b"]})", ""), 401, "unauthenticated");
  CheckError(server.Post(rerun_path, R"({"jobs":5})"), 400, "invalid_argument", "\"jobs\"");
  CheckError(server.Post(rerun_path, R"({"jobs":"some"})"), 400, "invalid_argument", "\"jobs\"");
  CheckError(server.Post(rerun_path, R"({"jobs":[]})"), 400, "invalid_argument", "no job");
  CheckError(server.Post(rerun_path, R"({"jobs":[7]})"), 400, "invalid_argument", "job names");
  CheckError(server.Post(rerun_path, R"({"jobs":["b","nope"]})"), 400, "invalid_argument", "'nope'");
  CheckError(server.Post(rerun_path, R"(["b"])"), 400, "invalid_argument", "object");
  CheckError(server.Post(rerun_path, "{jobs"), 400, "invalid_argument", "JSON");
  CheckError(server.Post("/api/v1/runs/0/rerun", R"({"jobs":["b"]})"), 400, "invalid_argument");

  auto rerun = server.Post(rerun_path, R"({"jobs":["b"]})");
  INFO(rerun.body);
  REQUIRE(rerun.status == 201);
  CHECK(rerun.json["trigger"] == "rerun");
  CHECK(rerun.json["parent_run_id"] == run_id);
  CHECK(rerun.json["sha"] == head);
  json second = server.WaitForRunState(
      rerun.json["id"].get<int64_t>(), [](const json& r) { return !r["jobs"].empty(); }, std::chrono::seconds(30));
  INFO(second.dump(2));
  REQUIRE(second["jobs"].size() == 2);
  CHECK(second["jobs"][0]["name"] == "b");
  CHECK(second["jobs"][0]["needs"].empty());  // a came from the parent run (and the build cache)
  CHECK(second["jobs"][1]["name"] == "c");
  CHECK(second["jobs"][1]["needs"] == json::array({"b"}));

  // Cancel both, so no job is left pending; a canceled run's jobs are all canceled.
  for (int64_t id : {run_id, second["id"].get<int64_t>()}) {
    auto cancel = server.Post("/api/v1/runs/" + std::to_string(id) + "/cancel", "{}");
    CHECK(cancel.status == 202);
    json done = server.WaitForRun(id, std::chrono::seconds(30));
    CHECK(done["status"] == "canceled");
    for (const auto& j : done["jobs"]) CHECK(j["status"] == "canceled");
  }
}

TEST_CASE("agent protocol over HTTP: tokens, fencing of made-up and expired leases, agent listing") {
  TempDir dir;
  Server server(dir.path() + "/data", {"--lease-seconds", "2"});
  std::string name = "e2e/" + UniqueName("fence");
  server.AddRepo(name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", name, server, "s");
  repo.CommitOneJob();

  std::string lease_body = LeaseBody("fake-agent").dump();
  CheckError(server.Post("/api/v1/agent/lease?wait=0", lease_body, ""), 401, "unauthenticated");
  CheckError(server.Post("/api/v1/agent/lease?wait=0", lease_body, Server::kAdminToken), 401, "unauthenticated");
  CheckError(server.Post("/api/v1/agent/lease?wait=0", json{{"capacity", 1}}.dump(), Server::kAgentToken), 400,
             "invalid_argument", "agent");
  auto empty = server.Post("/api/v1/agent/lease?wait=0", lease_body, Server::kAgentToken);
  CHECK(empty.status == 204);

  // The lease request was the agent's heartbeat: it is listed with its labels and capacity.
  auto agents = server.Get("/api/v1/agents");
  REQUIRE(agents.status == 200);
  REQUIRE(agents.json["agents"].size() == 1);
  CHECK(agents.json["agents"][0]["name"] == "fake-agent");
  CHECK(agents.json["agents"][0]["labels"] == json{{"arch", "amd64"}, {"pool", "e2e"}});
  CHECK(agents.json["agents"][0]["capacity"] == 3);
  CHECK(agents.json["agents"][0]["running_jobs"] == json::array());

  std::string made_up = "0123456789abcdef0123456789abcdef";
  std::string finish = json{{"status", "success"}, {"duration_ms", 1}}.dump();
  CheckError(server.Post("/api/v1/agent/leases/" + made_up + "/finish", finish, Server::kAgentToken), 409, "conflict");
  CheckError(server.Post("/api/v1/agent/leases/" + made_up + "/renew?wait=0", "{}", Server::kAgentToken), 409,
             "conflict");
  CheckError(server.Post("/api/v1/agent/leases/" + made_up + "/log", json{{"seq", 0}, {"data", "x"}}.dump(),
                         Server::kAgentToken),
             409, "conflict");
  CheckError(server.Post("/api/v1/agent/leases/" + made_up + "/finish", finish, ""), 401, "unauthenticated");

  int64_t run_id = repo.PushForRun();
  auto granted = server.Post("/api/v1/agent/lease?wait=10", lease_body, Server::kAgentToken);
  INFO(granted.body);
  REQUIRE(granted.status == 200);
  const json& lease = granted.json["lease"];
  CHECK(lease["run_id"] == run_id);
  CHECK(lease["attempt"] == 1);
  CHECK(lease["repo"] == name);
  CHECK(lease["spec"]["target"] == "only");
  std::string first_lease = lease["id"];
  int64_t job_id = lease["job_id"];
  CHECK(server.Get("/api/v1/jobs/" + std::to_string(job_id)).json["status"] == "running");
  // The agents listing names the job its holder is building.
  json running = RunningJobs(server, "fake-agent");
  REQUIRE(running.size() == 1);
  CHECK(running[0]["job_id"] == job_id);
  CHECK(running[0]["run_id"] == run_id);
  CHECK(running[0]["name"] == "only");
  CHECK(running[0]["repo"] == name);
  CHECK(running[0]["started_at"].get<int64_t>() > 0);
  CHECK(server
            .Post("/api/v1/agent/leases/" + first_lease + "/log", json{{"seq", 0}, {"data", "first attempt\n"}}.dump(),
                  Server::kAgentToken)
            .status == 200);

  // Renewed once, then silent: the lease expires (2 s), the job is requeued with the attempt
  // spent, and the first lease is fenced off.
  REQUIRE(server.Post("/api/v1/agent/leases/" + first_lease + "/renew?wait=0", "{}", Server::kAgentToken).status ==
          200);
  json requeued = server.WaitForRunState(
      run_id, [](const json& r) { return r["jobs"][0]["status"] == "pending"; }, std::chrono::seconds(15));
  CHECK(requeued["jobs"][0]["attempt"] == 1);
  CheckError(server.Post("/api/v1/agent/leases/" + first_lease + "/finish", finish, Server::kAgentToken), 409,
             "conflict");
  CheckError(server.Post("/api/v1/agent/leases/" + first_lease + "/renew?wait=0", "{}", Server::kAgentToken), 409,
             "conflict");

  auto again = server.Post("/api/v1/agent/lease?wait=10", LeaseBody("second-agent").dump(), Server::kAgentToken);
  INFO(again.body);
  REQUIRE(again.status == 200);
  std::string second_lease = again.json["lease"]["id"];
  CHECK(second_lease != first_lease);
  CHECK(again.json["lease"]["attempt"] == 2);
  CHECK(again.json["lease"]["job_id"] == job_id);
  CHECK(RunningJobs(server, "fake-agent").empty());
  REQUIRE(RunningJobs(server, "second-agent").size() == 1);
  CHECK(RunningJobs(server, "second-agent")[0]["job_id"] == job_id);
  auto renewed = server.Post("/api/v1/agent/leases/" + second_lease + "/renew?wait=0", "{}", Server::kAgentToken);
  CHECK(renewed.status == 200);
  CHECK(renewed.json["cancel"] == false);
  CheckError(
      server.Post("/api/v1/agent/leases/" + second_lease + "/finish", R"({"status":"great"})", Server::kAgentToken),
      400, "invalid_argument");
  // A report with one bad field is refused whole, naming it, and writes nothing: the job keeps running.
  json bad_image = {{"status", "success"}, {"image", {{"digest", "sha256:abc"}, {"size_bytes", 1}}}};
  CheckError(server.Post("/api/v1/agent/leases/" + second_lease + "/finish", bad_image.dump(), Server::kAgentToken),
             400, "invalid_argument", "finish report: image.digest must be \"sha256:\" and 64 lower-case hex digits");
  CHECK(server.Get("/api/v1/jobs/" + std::to_string(job_id)).json["status"] == "running");
  auto done = server.Post("/api/v1/agent/leases/" + second_lease + "/finish", finish, Server::kAgentToken);
  INFO(done.body);
  CHECK(done.status == 200);
  // The same finish retried (its answer lost) is answered as done; a different result under the
  // same lease is refused, and the result is recorded once. The stale lease stays refused.
  auto retried = server.Post("/api/v1/agent/leases/" + second_lease + "/finish", finish, Server::kAgentToken);
  CHECK(retried.status == 200);
  CheckError(server.Post("/api/v1/agent/leases/" + second_lease + "/finish",
                         json{{"status", "failure"}, {"error", "late"}}.dump(), Server::kAgentToken),
             409, "conflict");
  CheckError(server.Post("/api/v1/agent/leases/" + first_lease + "/finish", finish, Server::kAgentToken), 409,
             "conflict");

  json run = server.WaitForRun(run_id, std::chrono::seconds(15));
  INFO(run.dump(2));
  CHECK(run["status"] == "success");
  CHECK(run["jobs"][0]["attempt"] == 2);
  CHECK(run["jobs"][0]["agent"] == "second-agent");
  CHECK(run["jobs"][0]["status"] == "success");
  CHECK(run["jobs"][0]["error"] == "");
  CHECK(server.Get("/api/v1/agents").json["agents"].size() == 2);
  CHECK(RunningJobs(server, "second-agent").empty());
}
