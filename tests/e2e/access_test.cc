// Who may do what, against a real slipwayd: reads need a viewer token unless --public-read; a
// viewer token cannot write; per-agent tokens lease only as their agent with their labels and
// write only under their own leases, and a revoked one is refused at once; HTTPS with a test CA
// for the API, the agent, the CLI and the post-receive hook, and a wrong CA refused.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness.h"
#include "support/test_ca.h"

using namespace slipway::e2e;
using nlohmann::json;
using slipway::testing::TestCa;

namespace {

struct Cli {
  int code;
  std::string out;
  std::string err;
};

// The slipway CLI against server, with extra environment (a token, a CA file).
Cli RunCli(const Server& server, std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), BinaryDir() + "/cli/slipway");
  env.push_back("SLIPWAY_SERVER=" + server.url());
  auto r = slipway::RunProcess(args, {.extra_env = env});
  REQUIRE(r.ok());
  return {r->exit_code, r->out, r->err};
}

std::string AdminEnv() { return std::string("SLIPWAY_TOKEN=") + Server::kAdminToken; }

// Makes a token with the CLI (printed once, alone on standard output) and returns it.
std::string MakeToken(const Server& server, std::vector<std::string> args,
                      std::vector<std::string> env = {}) {
  env.push_back(AdminEnv());
  Cli made = RunCli(server, std::move(args), env);
  INFO(made.err);
  REQUIRE(made.code == 0);
  REQUIRE(made.out.size() == 4 + 64 + 1);  // "slw_", 64 hex digits, a newline
  return made.out.substr(0, made.out.size() - 1);
}

void CheckError(const HttpResult& r, int status, const std::string& code,
                const std::string& message_part = "") {
  INFO(r.body);
  CHECK(r.status == status);
  REQUIRE(r.json.is_object());
  CHECK(r.json["error"]["code"] == code);
  if (!message_part.empty())
    CHECK(r.json["error"]["message"].get<std::string>().find(message_part) != std::string::npos);
}

json Lease(const std::string& agent, json labels) {
  return {{"agent", agent}, {"labels", std::move(labels)}, {"capacity", 1}, {"version", "test"}};
}

}  // namespace

TEST_CASE(
    "reads need a viewer token unless public, a viewer token cannot write, tokens are listed, "
    "never shown again") {
  TempDir dir;
  Server server(dir.path() + "/data", {}, /*public_read=*/false);

  for (const char* path :
       {"/api/v1/runs", "/api/v1/agents", "/api/v1/repos", "/metrics", "/api/v1/events"}) {
    INFO(path);
    CheckError(server.Call("GET", path), 401, "unauthenticated", "viewer");
  }
  CHECK(server.Call("GET", "/healthz").status == 200);
  CHECK(server.Call("GET", "/").status ==
        200);  // the dashboard itself, which then asks for a token
  CHECK(server.Call("GET", "/api/v1/runs", "", Server::kAdminToken).status == 200);

  const std::string viewer = MakeToken(server, {"token", "create", "reader", "--role", "viewer"});
  CHECK(server.Call("GET", "/api/v1/runs", "", viewer).status == 200);
  CHECK(server.Call("GET", "/metrics", "", viewer).status == 200);
  // Browsers' EventSource sends no headers: the token may come as ?access_token= on a GET.
  SseStream events(server.url(), "/api/v1/events?access_token=" + viewer);
  CHECK(events.Status() == 200);
  CheckError(server.Call("GET", "/api/v1/runs?access_token=wrong"), 401, "unauthenticated");

  // A viewer writes nothing and sees no secrets or tokens: 403.
  CheckError(server.Call("POST", "/api/v1/runs", R"({"repo":"a/b","branch":"main"})", viewer), 403,
             "permission_denied", "viewer");
  CheckError(server.Call("POST", "/api/v1/repos", "{}", viewer), 403, "permission_denied");
  CheckError(server.Call("GET", "/api/v1/secrets", "", viewer), 403, "permission_denied");
  CheckError(server.Call("GET", "/api/v1/tokens", "", viewer), 403, "permission_denied");
  CheckError(
      server.Call("POST", "/api/v1/agent/lease?wait=0", Lease("x", json::object()).dump(), viewer),
      401, "unauthenticated");
  CheckError(server.Call("GET", "/api/v1/runs", "", Server::kAgentToken), 401,
             "unauthenticated");  // agents' only

  // The CLI reads with a viewer token and without one is told why.
  Cli runs = RunCli(server, {"runs"}, {"SLIPWAY_TOKEN=" + viewer});
  INFO(runs.err);
  CHECK(runs.code == 0);
  Cli anonymous = RunCli(server, {"runs"});
  CHECK(anonymous.code == 1);
  CHECK(anonymous.err.find("viewer or admin token") != std::string::npos);

  // An issued admin token writes; names are unique among live tokens.
  const std::string admin = MakeToken(server, {"token", "create", "ops", "--role", "admin"});
  auto repo = server.Call(
      "POST", "/api/v1/repos",
      R"({"name":"o/app","clone_url":"/nowhere","forge":"github","secret":"s"})", admin);
  CHECK(repo.status == 201);
  CheckError(server.Call("POST", "/api/v1/tokens", R"({"name":"ops","role":"viewer"})", admin), 409,
             "already_exists");
  CheckError(server.Call("POST", "/api/v1/tokens", R"({"name":"x","role":"agent"})", admin), 400,
             "invalid_argument", "role");
  CheckError(server.Call("POST", "/api/v1/tokens", R"({"name":"a b","role":"viewer"})", admin), 400,
             "invalid_argument", "name");

  // Lists carry names, roles and dates, never a token or its hash.
  auto list = server.Call("GET", "/api/v1/tokens", "", Server::kAdminToken);
  REQUIRE(list.status == 200);
  REQUIRE(list.json["tokens"].size() == 2);
  CHECK(list.json["tokens"][0]["name"] == "ops");
  CHECK(list.json["tokens"][0]["role"] == "admin");
  CHECK(list.json["tokens"][1]["name"] == "reader");
  CHECK(list.body.find(viewer) == std::string::npos);
  CHECK(list.body.find(viewer.substr(4, 16)) == std::string::npos);
  Cli listed = RunCli(server, {"token", "list"}, {AdminEnv()});
  INFO(listed.err);
  CHECK(listed.out.find("reader") != std::string::npos);
  CHECK(listed.out.find(viewer) == std::string::npos);

  // Revoked: refused at once, listed as revoked; the name can be issued again.
  Cli revoked = RunCli(server, {"token", "revoke", "reader"}, {AdminEnv()});
  INFO(revoked.err);
  CHECK(revoked.code == 0);
  CheckError(server.Call("GET", "/api/v1/runs", "", viewer), 401, "unauthenticated");
  CHECK_FALSE(server.Call("GET", "/api/v1/tokens", "", Server::kAdminToken)
                  .json["tokens"][1]["revoked_at"]
                  .is_null());
  CheckError(server.Call("DELETE", "/api/v1/tokens/reader", "", Server::kAdminToken), 404,
             "not_found");
  const std::string again = MakeToken(server, {"token", "create", "reader"});
  CHECK(again != viewer);
  CHECK(server.Call("GET", "/api/v1/runs", "", again).status == 200);

  // No token, nor the query that carried one, reaches slipwayd's log.
  const std::string log = server.process().Output();
  for (const auto& t : {viewer, admin, again}) CHECK(log.find(t) == std::string::npos);
}

TEST_CASE(
    "a per-agent token leases only as its agent with its labels, writes only its leases, and is "
    "revocable") {
  TempDir dir;
  Server server(dir.path() + "/data", {"--lease-seconds", "30"});
  std::string name = "e2e/" + UniqueName("identity");
  server.AddRepo(name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", name, server, "s");
  repo.CommitOneJob();

  const std::string builder =
      MakeToken(server, {"agent-token", "create", "builder", "--labels", "pool=fast,arch=amd64"});
  const std::string other = MakeToken(server, {"agent-token", "create", "other"});
  auto list = server.Call("GET", "/api/v1/agent-tokens", "", Server::kAdminToken);
  REQUIRE(list.json["agent_tokens"].size() == 2);
  CHECK(list.json["agent_tokens"][0]["labels"] == json{{"arch", "amd64"}, {"pool", "fast"}});
  CheckError(
      server.Call("POST", "/api/v1/agent-tokens", R"({"name":"builder"})", Server::kAdminToken),
      409, "already_exists");
  CheckError(server.Call("POST", "/api/v1/agent-tokens", R"({"name":"x","labels":{"k":1}})",
                         Server::kAdminToken),
             400, "invalid_argument", "labels");

  // Only its own name, only labels its token grants (fewer is fine).
  auto lease = [&](const std::string& token, const json& body) {
    return server.Call("POST", "/api/v1/agent/lease?wait=0", body.dump(), token);
  };
  CheckError(lease(builder, Lease("other", json::object())), 403, "permission_denied",
             "belongs to agent builder");
  CheckError(lease(builder, Lease("builder", {{"pool", "slow"}})), 403, "permission_denied",
             "pool=slow");
  CheckError(lease(builder, Lease("builder", {{"pool", "fast"}, {"gpu", "yes"}})), 403,
             "permission_denied", "gpu");
  CHECK(lease(builder, Lease("builder", {{"pool", "fast"}})).status == 204);
  CheckError(lease(Server::kAdminToken, Lease("builder", json::object())), 401, "unauthenticated");
  CheckError(server.Call("POST", "/api/v1/runs", "{}", builder), 401, "unauthenticated");

  int64_t run_id = repo.PushForRun();
  REQUIRE(run_id > 0);
  auto granted = server.Call("POST", "/api/v1/agent/lease?wait=10",
                             Lease("builder", {{"pool", "fast"}}).dump(), builder);
  INFO(granted.body);
  REQUIRE(granted.status == 200);
  const std::string lease_id = granted.json["lease"]["id"];
  const std::string leases = "/api/v1/agent/leases/" + lease_id;
  CHECK(server.Call("POST", leases + "/renew?wait=0", "{}", builder).status == 200);
  // Another agent's token cannot touch this lease; the shared token still can (one machine).
  CheckError(server.Call("POST", leases + "/renew?wait=0", "{}", other), 403, "permission_denied",
             "not held");
  CheckError(server.Call("POST", leases + "/log", json{{"seq", 0}, {"data", "x"}}.dump(), other),
             403, "permission_denied");
  CHECK(server.Call("POST", leases + "/renew?wait=0", "{}", Server::kAgentToken).status == 200);

  // A lease request held when the token is revoked ends without work; then every call is 401.
  std::thread held([&] {
    auto waited = server.Call("POST", "/api/v1/agent/lease?wait=20",
                              Lease("builder", json::object()).dump(), builder);
    CHECK(waited.status == 204);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto start = std::chrono::steady_clock::now();
  Cli revoked = RunCli(server, {"agent-token", "revoke", "builder"}, {AdminEnv()});
  CHECK(revoked.code == 0);
  held.join();
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  const std::string finish = json{{"status", "success"}, {"duration_ms", 1}}.dump();
  CheckError(server.Call("POST", leases + "/renew?wait=0", "{}", builder), 401, "unauthenticated");
  CheckError(server.Call("POST", leases + "/finish", finish, builder), 401, "unauthenticated");
  CheckError(lease(builder, Lease("builder", json::object())), 401, "unauthenticated");
  CHECK(server.Get("/api/v1/jobs/" + std::to_string(granted.json["lease"]["job_id"].get<int64_t>()))
            .json["status"] == "running");  // nothing recorded under the revoked token

  auto cancel = server.Post("/api/v1/runs/" + std::to_string(run_id) + "/cancel", "{}");
  CHECK(cancel.status == 202);
}

TEST_CASE(
    "HTTPS: the API, the CLI, an agent and the post-receive hook speak TLS with a CA file, a wrong "
    "CA is refused") {
  TempDir dir;
  TestCa ca, wrong;
  Server server(dir.path() + "/data", {"--tls-cert", ca.cert_file(), "--tls-key", ca.key_file()},
                true, ca.ca_file());
  REQUIRE(server.url().starts_with("https://"));
  CHECK(server.process().Output().find("tls=true") != std::string::npos);
  CHECK(server.Get("/api/v1/runs").status == 200);

  Cli runs = RunCli(server, {"runs", "--ca-file", ca.ca_file()});
  INFO(runs.err);
  CHECK(runs.code == 0);
  Cli refused = RunCli(server, {"runs"}, {"SLIPWAY_CA_FILE=" + wrong.ca_file()});
  CHECK(refused.code == 1);
  CHECK(refused.err.find("certificate") != std::string::npos);

  // The hook delivers the push over HTTPS, trusting the CA named in the repository's config. The
  // pipeline names a missing Dockerfile, so the run ends in planning and nothing is built.
  std::string name = "e2e/" + UniqueName("tls");
  server.AddRepo(name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", name, server, "s");
  Run({"git", "-C", repo.bare(), "config", "slipway.cafile", ca.ca_file()});
  repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  only: {dockerfile: missing/Dockerfile}\n");
  repo.Commit("over tls");
  int64_t run_id = repo.PushForRun();
  CHECK(run_id > 0);
  CHECK(server.WaitForRun(run_id, std::chrono::seconds(60))["status"] == "error");

  // An agent with the CA file and its own token asks for work (listed as heard from); one with
  // the wrong CA never gets through.
  const std::string token =
      MakeToken(server, {"agent-token", "create", "tls-agent", "--labels", "pool=tls"},
                {"SLIPWAY_CA_FILE=" + ca.ca_file()});
  Agent good(server, "tls-agent", dir.path() + "/good",
             {"--ca-file", ca.ca_file(), "--token", token, "--labels", "pool=tls"});
  Agent bad(server, "wrong-ca-agent", dir.path() + "/bad", {"--ca-file", wrong.ca_file()});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  json agents;
  while (std::chrono::steady_clock::now() < deadline) {
    agents = server.Get("/api/v1/agents").json["agents"];
    if (agents.size() == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(agents.dump() << "\n" << bad.process().Output());
  REQUIRE(agents.size() == 1);
  CHECK(agents[0]["name"] == "tls-agent");
  CHECK(agents[0]["labels"] == json{{"pool", "tls"}});
  CHECK(bad.process().WaitForOutput("certificate", std::chrono::seconds(20)));
}

TEST_CASE("listening beyond loopback without TLS is warned about at start, with TLS it is not") {
  TempDir dir;
  TestCa ca;
  const std::string slipwayd = BinaryDir() + "/orchestrator/slipwayd";
  Process plain({slipwayd, "--listen", "0.0.0.0:0", "--data", dir.path() + "/plain",
                 "--admin-token", "a", "--base-check", "off"},
                "slipwayd plain");
  REQUIRE(plain.WaitForOutput("msg=listening", std::chrono::seconds(10)));
  CHECK(plain.WaitForOutput("serving plain HTTP beyond loopback", std::chrono::seconds(2)));
  Process tls(
      {slipwayd, "--listen", "0.0.0.0:0", "--data", dir.path() + "/tls", "--admin-token", "a",
       "--base-check", "off", "--tls-cert", ca.cert_file(), "--tls-key", ca.key_file()},
      "slipwayd tls");
  REQUIRE(tls.WaitForOutput("msg=listening", std::chrono::seconds(10)));
  CHECK_FALSE(tls.WaitForOutput("plain HTTP", std::chrono::milliseconds(500)));
  // A key that does not match is a clear error at start, not a server that cannot shake hands.
  Process bad({slipwayd, "--listen", "127.0.0.1:0", "--data", dir.path() + "/bad", "--admin-token",
               "a", "--tls-cert", ca.cert_file(), "--tls-key", ca.ca_file()},
              "slipwayd bad key");
  CHECK(bad.Wait() == 1);
  CHECK(bad.Output().find("cannot use TLS key") != std::string::npos);
}
