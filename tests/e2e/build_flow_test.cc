// Live views and the CLI against builds that really run: slipwayd, one slipway-agent, the Docker
// engine (busybox:1.36 only, offline). Covers the global event stream, a followed job log, the
// `slipway` commands (runs, show, wait, logs -f, trigger, rerun, cancel), agent listing, and a
// newer push to a branch superseding the older run.
#include <catch2/catch.hpp>
#include <future>

#include "harness.h"

using namespace slipway::e2e;
using nlohmann::json;

namespace {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs the slipway CLI with the server (and optionally the admin token) from the environment.
CliResult Cli(const Server& server, const std::vector<std::string>& args, bool with_token = false) {
  std::vector<std::string> argv = {BinaryDir() + "/cli/slipway"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = {"SLIPWAY_SERVER=" + server.url()};
  if (with_token) env.push_back(std::string("SLIPWAY_TOKEN=") + Server::kAdminToken);
  auto r = slipway::RunProcess(argv, {.extra_env = env});
  REQUIRE(r.ok());
  return {r->exit_code, r->out, r->err};
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int64_t JobId(const json& run, const std::string& name) {
  for (const auto& j : run["jobs"]) {
    if (j["name"] == name) return j["id"].get<int64_t>();
  }
  FAIL("run has no job " << name << ": " << run.dump(2));
  return 0;
}

std::string JobStatus(const json& run, const std::string& name) {
  for (const auto& j : run["jobs"]) {
    if (j["name"] == name) return j["status"];
  }
  return "";
}

// The run id the CLI printed ("run N queued").
int64_t QueuedRunId(const CliResult& r) {
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  REQUIRE(r.out.rfind("run ", 0) == 0);
  return std::stoll(r.out.substr(4));
}

}  // namespace

TEST_CASE("a building run shows up live on the event stream, in a followed log and in the CLI") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "builder-1", dir.path() + "/agent", {"--labels", "arch=amd64,pool=e2e", "--capacity", "2"});
  std::string repo_name = "e2e/" + UniqueName("live");
  server.AddRepo(repo_name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", repo_name, server, "s");
  repo.WriteFile("Dockerfile",
                 "FROM busybox:1.36 AS a\nRUN echo " + UniqueName("a") +
                     " > /a\n\n"
                     "FROM a AS b\nRUN for i in 1 2 3 4 5 6; do echo \"slow line $i\"; sleep 0.5; done\n\n"
                     "FROM b AS c\nRUN cat /a\n");
  repo.WriteFile(".slipway.yml",
                 "version: 1\nstages:\n  a: {target: a}\n  b: {target: b, needs: [a]}\n  c: {target: c, needs: [b]}\n");
  std::string sha = repo.Commit("three stages, one slow");

  // The agent is listed once its first lease request arrives, with its labels and capacity.
  json listed;
  for (int i = 0; i < 100 && listed.is_null(); ++i) {
    auto agents = server.Get("/api/v1/agents");
    for (const auto& a : agents.json["agents"]) {
      if (a["name"] == "builder-1") listed = a;
    }
    if (listed.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(server.Get("/api/v1/agents").body);
  REQUIRE(!listed.is_null());
  CHECK(listed["labels"] == json{{"arch", "amd64"}, {"pool", "e2e"}});
  CHECK(listed["capacity"] == 2);
  CHECK(listed["last_seen_age_ms"].get<int64_t>() < 60000);

  SseStream events(server.url(), "/api/v1/events");
  REQUIRE(events.Status() == 200);
  CHECK(Contains(events.Head(), "text/event-stream"));

  int64_t run_id = repo.PushForRun();
  json running = server.WaitForRunState(
      run_id, [](const json& r) { return JobStatus(r, "b") == "running"; }, std::chrono::seconds(120));
  int64_t b = JobId(running, "b");
  std::string b_id = std::to_string(b);

  // Follow b's log twice at once: raw SSE, and `slipway logs -f`.
  SseStream log(server.url(), "/api/v1/jobs/" + b_id + "/log?follow=1");
  auto cli_follow = std::async(std::launch::async, [&] { return Cli(server, {"logs", b_id, "-f"}); });
  REQUIRE(log.Status() == 200);
  auto first_line = log.WaitFor(
      [](const SseEvent& e) { return e.event == "log" && Contains(e.data.value("data", ""), "slow line 1"); },
      std::chrono::seconds(60));
  auto end = log.WaitFor([](const SseEvent& e) { return e.event == "end"; }, std::chrono::seconds(60));
  CHECK(end.data["status"] == "success");
  CHECK(log.WaitClosed(std::chrono::seconds(5)));
  // Lines arrived while the step ran (it prints for 3 s), not in one piece at the end.
  std::string timeline;
  for (const auto& e : log.Events()) {
    timeline += std::to_string(
                    std::chrono::duration_cast<std::chrono::milliseconds>(e.received - first_line.received).count()) +
                " " + e.event + " " + e.data.dump() + "\n";
  }
  INFO(timeline);
  CHECK(end.received - first_line.received > std::chrono::milliseconds(1000));
  std::string followed;
  int64_t last_seq = -1;
  bool in_order = true;
  for (const auto& e : log.Events()) {
    if (e.event != "log") continue;
    in_order = in_order && e.data["seq"].get<int64_t>() > last_seq;
    last_seq = e.data["seq"].get<int64_t>();
    followed += e.data.value("data", "");
  }
  CHECK(in_order);
  for (int i = 1; i <= 6; ++i) CHECK(Contains(followed, "slow line " + std::to_string(i)));

  CliResult cli = cli_follow.get();
  INFO("slipway logs -f: " << cli.out << cli.err);
  CHECK(cli.code == 0);
  CHECK(Contains(cli.out, "slow line 1"));
  CHECK(Contains(cli.out, "slow line 6"));

  json run = server.WaitForRun(run_id, std::chrono::seconds(120));
  INFO(run.dump(2));
  REQUIRE(run["status"] == "success");

  // The event stream told the whole story: the run pending, running, success; each job running
  // then success, with its name.
  for (const char* status : {"pending", "running", "success"}) {
    events.WaitFor(
        [&](const SseEvent& e) { return e.event == "run" && e.data["run_id"] == run_id && e.data["status"] == status; },
        std::chrono::seconds(10));
  }
  for (const char* name : {"a", "b", "c"}) {
    auto started = events.WaitFor(
        [&](const SseEvent& e) {
          return e.event == "job" && e.data["run_id"] == run_id && e.data["name"] == name &&
                 e.data["status"] == "running";
        },
        std::chrono::seconds(10));
    auto done = events.WaitFor(
        [&](const SseEvent& e) {
          return e.event == "job" && e.data["run_id"] == run_id && e.data["name"] == name &&
                 e.data["status"] == "success";
        },
        std::chrono::seconds(10));
    CHECK(started.data["agent"] == "builder-1");
    CHECK(started.received <= done.received);
  }

  // The CLI reads what the API holds.
  CliResult runs = Cli(server, {"runs"});
  INFO(runs.out << runs.err);
  CHECK(runs.code == 0);
  CHECK(Contains(runs.out, repo_name));
  CHECK(Contains(runs.out, sha.substr(0, 7)));
  CHECK(Contains(runs.out, "success"));
  CliResult runs_json = Cli(server, {"runs", "--repo", repo_name, "--json"});
  CHECK(runs_json.code == 0);
  CHECK(json::parse(runs_json.out)["runs"][0]["id"] == run_id);
  CHECK(Cli(server, {"runs", "--bogus"}).code == 2);

  CliResult show = Cli(server, {"show", std::to_string(run_id)});
  INFO(show.out << show.err);
  CHECK(show.code == 0);
  CHECK(Contains(show.out, "run " + std::to_string(run_id)));
  CHECK(Contains(show.out, "three stages, one slow"));
  CHECK(Contains(show.out, " " + b_id + " "));
  CHECK(Contains(show.out, "success"));
  CliResult missing = Cli(server, {"show", "999999"});
  CHECK(missing.code == 1);
  CHECK(Contains(missing.err, "HTTP 404"));

  CliResult waited = Cli(server, {"wait", std::to_string(run_id)});
  CHECK(waited.code == 0);
  CHECK(Contains(waited.out, "success"));
  CliResult whole_log = Cli(server, {"logs", b_id});
  CHECK(whole_log.code == 0);
  CHECK(Contains(whole_log.out, "slow line 6"));

  // A finished run cannot be canceled; the CLI says so and fails.
  CliResult cancel_done = Cli(server, {"cancel", std::to_string(run_id)}, true);
  CHECK(cancel_done.code == 1);
  CHECK(Contains(cancel_done.err, "HTTP 409"));

  // trigger: the token is needed; with it, the branch head builds (from the cache, quickly).
  CliResult refused = Cli(server, {"trigger", repo_name, "main"});
  CHECK(refused.code == 1);
  CHECK(Contains(refused.err, "HTTP 401"));
  int64_t manual = QueuedRunId(Cli(server, {"trigger", repo_name, "main"}, true));
  CliResult manual_wait = Cli(server, {"wait", std::to_string(manual), "--json"});
  INFO(manual_wait.out << manual_wait.err);
  CHECK(manual_wait.code == 0);
  json manual_run = json::parse(manual_wait.out);
  CHECK(manual_run["trigger"] == "manual");
  CHECK(manual_run["sha"] == sha);
  CHECK(manual_run["jobs"].size() == 3);

  // rerun --stage b: b and its dependent c, not a.
  int64_t rerun = QueuedRunId(Cli(server, {"rerun", std::to_string(run_id), "--stage", "b"}, true));
  CliResult rerun_wait = Cli(server, {"wait", std::to_string(rerun), "--json"});
  INFO(rerun_wait.out << rerun_wait.err);
  CHECK(rerun_wait.code == 0);
  json rerun_run = json::parse(rerun_wait.out);
  CHECK(rerun_run["parent_run_id"] == run_id);
  REQUIRE(rerun_run["jobs"].size() == 2);
  CHECK(rerun_run["jobs"][0]["name"] == "b");
  CHECK(rerun_run["jobs"][1]["name"] == "c");
  CHECK(Cli(server, {"rerun", std::to_string(run_id), "--failed", "--stage", "b"}, true).code == 2);
  CliResult no_stage = Cli(server, {"rerun", std::to_string(run_id), "--stage", "zz"}, true);
  CHECK(no_stage.code == 1);
  CHECK(Contains(no_stage.err, "zz"));
}

TEST_CASE("a newer push to a branch supersedes the older run, and slipway cancel stops a running build") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "builder-1", dir.path() + "/agent");
  std::string repo_name = "e2e/" + UniqueName("supersede");
  server.AddRepo(repo_name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", repo_name, server, "s");
  repo.WriteFile(".slipway.yml",
                 "version: 1\nstages:\n  work: {target: work}\n  after: {target: after, needs: [work]}\n");
  auto slow = [&] {
    repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS work\nRUN echo " + UniqueName("slow") +
                                     " && sleep 60\nFROM work AS after\nRUN true\n");
  };
  slow();
  repo.Commit("slow");
  int64_t old_run = repo.PushForRun("main");
  server.WaitForRunState(
      old_run, [](const json& r) { return JobStatus(r, "work") == "running"; }, std::chrono::seconds(60));

  repo.WriteFile("Dockerfile",
                 "FROM busybox:1.36 AS work\nRUN echo " + UniqueName("fast") + "\nFROM work AS after\nRUN true\n");
  repo.Commit("fast");
  auto pushed_at = std::chrono::steady_clock::now();
  int64_t new_run = repo.PushForRun("main");
  json old = server.WaitForRun(old_run, std::chrono::seconds(30));
  INFO(old.dump(2));
  CHECK(old["status"] == "canceled");
  CHECK(JobStatus(old, "work") == "canceled");
  CHECK(JobStatus(old, "after") == "canceled");
  CHECK(std::chrono::steady_clock::now() - pushed_at < std::chrono::seconds(20));
  json fresh = server.WaitForRun(new_run, std::chrono::seconds(120));
  INFO(fresh.dump(2));
  CHECK(fresh["status"] == "success");

  // A push to another branch leaves main's runs alone; cancel it from the CLI while it builds.
  slow();
  repo.Commit("slow again");
  int64_t other = repo.PushForRun("other");
  server.WaitForRunState(
      other, [](const json& r) { return JobStatus(r, "work") == "running"; }, std::chrono::seconds(60));
  CHECK(server.Get("/api/v1/runs/" + std::to_string(new_run)).json["status"] == "success");
  CliResult no_token = Cli(server, {"cancel", std::to_string(other)});
  CHECK(no_token.code == 1);
  CHECK(Contains(no_token.err, "HTTP 401"));
  CliResult cancel = Cli(server, {"cancel", std::to_string(other)}, true);
  INFO(cancel.out << cancel.err);
  CHECK(cancel.code == 0);
  CHECK(Contains(cancel.out, "canceling"));
  json canceled = server.WaitForRun(other, std::chrono::seconds(30));
  CHECK(canceled["status"] == "canceled");
  CliResult wait_canceled = Cli(server, {"wait", std::to_string(other)});
  CHECK(wait_canceled.code == 1);
  CHECK(Contains(wait_canceled.out, "canceled"));
}

TEST_CASE("a stage past its timeout is stopped and fails timed out, the server's maximum caps a longer one") {
  TempDir dir;
  Server server(dir.path() + "/data", {"--max-stage-timeout", "5s"});
  Agent agent(server, "agent-timeout", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("timeout");
  GitRepo git(dir.path() + "/repo", name, server, "s");
  server.AddRepo(name, git.bare(), "s");
  git.WriteFile("Dockerfile",
                "FROM busybox:1.36 AS quick\nRUN echo " + name + " && sleep 120\n"
                "FROM busybox:1.36 AS capped\nRUN echo " + name + " capped && sleep 120\n");
  git.WriteFile(".slipway.yml", "version: 1\nstages:\n  quick: {timeout: 3s}\n  capped: {timeout: 1h}\n");
  git.Commit("builds that outlast their time");
  auto started = std::chrono::steady_clock::now();
  json run = server.WaitForRun(git.PushForRun());
  INFO(run.dump(2));
  CHECK(run["status"] == "failure");
  CHECK(JobStatus(run, "quick") == "failure");
  CHECK(JobStatus(run, "capped") == "failure");
  for (const auto& job : run["jobs"]) {
    CHECK(job["error"] == (job["name"] == "quick" ? "timed out after 3s" : "timed out after 5s"));
    CHECK(job["spec"]["timeout_seconds"] == (job["name"] == "quick" ? 3 : 3600));  // as planned
  }
  // Neither build slept its 120 s.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(100));
}
