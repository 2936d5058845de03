// Build secrets end to end: real slipwayd, slipway-agent, git, the Docker engine, a private
// Python index and a TLS registry with htpasswd users (label: docker).
//
//   - examples/private-index installs a wheel from an index that asks for basic auth, the token
//     handed to the build as `--secret` and read with RUN --mount=type=secret; a stage prints the
//     token plain, base64-encoded and URL-encoded, and each is `***` in the log. No form of the
//     token is then found in the data folder, the agent's log, the event stream or the image.
//   - a protected secret is refused to a run of an unprotected branch, and a rerun follows its
//     branch; an unknown secret is a plan error at its position in .slipway.yml.
//   - registry credentials from secrets reach the build as a job-scoped DOCKER_CONFIG; a wrong
//     password is a clear job error; nothing is `docker login`-ed.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agents/tls_registry.h"
#include "common/image_ref.h"
#include "common/strings.h"
#include "harness.h"

using namespace slipway::e2e;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The token as a build may print it: plain, base64, URL-encoded.
std::vector<std::string> Forms(const std::string& token) {
  return {token, slipway::Base64Encode(token), slipway::PercentEncode(token)};
}

// `text` with every `from` replaced by `to` (at least one).
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  REQUIRE(text.find(from) != std::string::npos);
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

void PutSecret(const Server& server, const std::string& scope, const std::string& name,
               const std::string& value, bool is_protected = false) {
  auto set =
      server.Call("PUT", scope + "/secrets/" + name,
                  json{{"value", value}, {"protected", is_protected}}.dump(), Server::kAdminToken);
  INFO(set.body);
  REQUIRE(set.status == 200);
}

std::string JobLog(const Server& server, const json& job) {
  return server.Get("/api/v1/jobs/" + job["id"].dump() + "/log").body;
}

const json& JobNamed(const json& run, const std::string& name) {
  for (const auto& job : run["jobs"]) {
    if (job["name"] == name) return job;
  }
  FAIL("no job " << name << " in " << run.dump(2));
  return run;
}

// The address build containers reach the host at: the engine's default bridge gateway.
std::string BridgeGateway() {
  std::string out = Run(
      {"docker", "network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Gateway}}"});
  return std::string(slipway::TrimAsciiSpace(out));
}

const char kLeakStage[] = R"DF(
# Prints the secret every way a careless build might.
FROM python:3.11-slim AS leak
ARG NONCE
RUN --mount=type=secret,id=pip_token echo "nonce $NONCE" \
 && echo "plain: $(cat /run/secrets/pip_token)" \
 && echo "base64: $(base64 -w0 /run/secrets/pip_token)" \
 && echo "wrapped: $(echo "user:$(cat /run/secrets/pip_token)" | base64 -w0)" \
 && python3 -c "import urllib.parse; print('url: ' + urllib.parse.quote(open('/run/secrets/pip_token').read(), safe=''))"
)DF";

}  // namespace

TEST_CASE(
    "a build installs from a private index with its secret, and every form of the secret is "
    "masked") {
  TempDir dir;
  const std::string token = "pypi+" + UniqueName("tok") + "=ok!";
  const std::string name = "e2e/" + UniqueName("private-index");
  const std::string image = "127.0.0.1:5000/" + name;
  const std::string data = dir.path() + "/data";
  const std::string workdir = dir.path() + "/agent";
  std::string agent_output, server_output;
  std::vector<SseEvent> events_seen;
  {
    Server server(data);
    SseStream events(server.url(), "/api/v1/events");
    Agent agent(server, "agent-secrets", workdir);

    // The private index, on the bridge gateway so that build containers reach it.
    { std::ofstream(dir.File("token")) << token; }
    Process index({"python3", SourceDir() + "/tests/e2e/data/private_index.py", BridgeGateway(),
                   dir.File("token")},
                  "private-index");
    REQUIRE(index.WaitForOutput("listening on ", std::chrono::seconds(20)));
    std::string listening = index.Output();
    std::string address = listening.substr(listening.find("listening on ") + 13);
    address = std::string(slipway::TrimAsciiSpace(address.substr(0, address.find('\n'))));

    GitRepo repo(dir.path() + "/repo", name, server, "hook-secret");
    server.AddRepo(name, repo.bare(), "hook-secret");
    repo.CopyFrom(SourceDir() + "/examples/private-index");
    std::string pipeline =
        slipway::testing::ReadFile(SourceDir() + "/examples/private-index/.slipway.yml");
    pipeline = Replace(pipeline, "127.0.0.1:5000/examples/private-index", image);
    pipeline = Replace(pipeline, "172.17.0.1:8080", address);
    // The leak stage takes the secret through buildx's environment (env: true), the others by file.
    pipeline +=
        "  leak:\n    target: leak\n    secrets: [{id: pip_token, from: PYPI_TOKEN, env: true}]\n"
        "    build_args: {NONCE: " +
        UniqueName("nonce") + "}\n";
    repo.WriteFile(".slipway.yml", pipeline);
    repo.WriteFile("Dockerfile",
                   slipway::testing::ReadFile(SourceDir() + "/examples/private-index/Dockerfile") +
                       kLeakStage);
    PutSecret(server, "/api/v1/repos/" + name, "PYPI_TOKEN", token);
    repo.Commit("private index");
    const int64_t run_id = repo.PushForRun("main");
    REQUIRE(run_id > 0);
    json run = server.WaitForRun(run_id);
    INFO(run.dump(2));
    REQUIRE(run["status"] == "success");

    // The package came from the private index, with the token.
    std::string greeting = Run({"docker", "run", "--rm", "--network", "none", image + ":main"});
    CHECK(greeting.find("hello from the private index") != std::string::npos);

    const std::string leak_log = JobLog(server, JobNamed(run, "leak"));
    INFO(leak_log);
    for (const char* masked : {"plain: ***", "base64: ***", "url: ***"})
      CHECK(leak_log.find(masked) != std::string::npos);
    CHECK(leak_log.find("wrapped: ") != std::string::npos);
    for (const auto& job : run["jobs"]) {
      const std::string log = JobLog(server, job);
      for (const std::string& form : Forms(token)) CHECK(log.find(form) == std::string::npos);
    }
    // The image's history holds no form of it either.
    std::string history = Run({"docker", "history", "--no-trunc", image + ":main"});
    for (const std::string& form : Forms(token)) CHECK(history.find(form) == std::string::npos);
    // The job's secret files went with the job.
    CHECK(FilesHolding(workdir, token).empty());

    events_seen = events.Events();
    agent_output = agent.process().Output();
    server_output = server.process().Output();
    Run({"docker", "image", "rm", "-f", image + ":main"});
  }
  REQUIRE_FALSE(events_seen.empty());
  for (const std::string& form : Forms(token)) {
    INFO("form " << form);
    CHECK(FilesHolding(data, form).empty());
    CHECK(FilesHolding(workdir, form).empty());
    CHECK(agent_output.find(form) == std::string::npos);
    CHECK(server_output.find(form) == std::string::npos);
    for (const auto& e : events_seen) CHECK(e.data.dump().find(form) == std::string::npos);
  }
}

TEST_CASE(
    "ssh: [default] serves the repository's SSH_KEY to RUN --mount=type=ssh, and the key is "
    "masked") {
  TempDir dir;
  Run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "slipway-e2e", "-f", dir.File("key")});
  const std::string key = slipway::testing::ReadFile(dir.File("key"));
  std::istringstream pub(slipway::testing::ReadFile(dir.File("key.pub")));
  std::string type, blob;
  pub >> type >> blob;  // "ssh-ed25519 AAAA... comment"
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-ssh", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("ssh");
  GitRepo repo(dir.path() + "/repo", name, server, "hook-secret");
  server.AddRepo(name, repo.bare(), "hook-secret");
  PutSecret(server, "/api/v1/repos/" + name, "SSH_KEY", key);
  // The build asks the forwarded agent for its identities (SSH2_AGENTC_REQUEST_IDENTITIES) and
  // prints the public key it holds; then prints the private key's file, had it one.
  repo.WriteFile("Dockerfile", std::string(R"DF(FROM python:3.11-slim AS app
ARG NONCE
RUN --mount=type=ssh echo "$NONCE" && python3 -c "import base64, os, socket, struct; \
s = socket.socket(socket.AF_UNIX); s.connect(os.environ['SSH_AUTH_SOCK']); s.sendall(struct.pack('>IB', 1, 11)); \
f = s.makefile('rb'); data = f.read(struct.unpack('>I', f.read(4))[0]); n = struct.unpack('>I', data[5:9])[0]; \
print('identities', struct.unpack('>I', data[1:5])[0], 'key', base64.b64encode(data[9:9 + n]).decode())"
)DF"));
  repo.WriteFile(".slipway.yml",
                 "version: 1\nstages:\n  app:\n    ssh: [default]\n    build_args: {NONCE: " +
                     UniqueName("nonce") + "}\n");
  repo.Commit("ssh");
  json run = server.WaitForRun(repo.PushForRun("main"));
  INFO(run.dump(2));
  REQUIRE(run["status"] == "success");
  const std::string log = JobLog(server, run["jobs"][0]);
  INFO(log);
  CHECK(log.find("identities 1 key " + blob) != std::string::npos);
  std::istringstream lines(key);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() >= 6) CHECK(agent.process().Output().find(line) == std::string::npos);
  }
  CHECK(FilesHolding(dir.path() + "/agent", key).empty());
}

TEST_CASE("the lease carries the job's secret, and the server masks it in text an agent sends") {
  // The agent here is the test, speaking the protocol: what the server stores and streams is
  // masked by the server itself, whatever an agent sends.
  TempDir dir;
  Server server(dir.path() + "/data");
  SseStream events(server.url(), "/api/v1/events");
  const std::string name = "e2e/" + UniqueName("masked");
  GitRepo repo(dir.path() + "/repo", name, server, "hook-secret");
  server.AddRepo(name, repo.bare(), "hook-secret");
  const std::string token = "tok+" + UniqueName("server-side") + "=!";
  PutSecret(server, "/api/v1/repos/" + name, "API_TOKEN", token);
  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS app\nRUN --mount=type=secret,id=api true\n");
  repo.WriteFile(".slipway.yml",
                 "version: 1\nstages:\n  app:\n    secrets: [{id: api, from: API_TOKEN}]\n");
  repo.Commit("one job");
  const int64_t run_id = repo.PushForRun("main");
  server.WaitForRunState(run_id, [](const json& r) { return !r["jobs"].empty(); });

  auto granted = server.Post("/api/v1/agent/lease?wait=10", json{{"agent", "test-agent"}}.dump(),
                             Server::kAgentToken);
  REQUIRE(granted.status == 200);
  const json& lease = granted.json["lease"];
  CHECK(lease["secrets"] == json::array({{{"id", "api"}, {"value", token}, {"env", false}}}));
  const std::string leases = "/api/v1/agent/leases/" + lease["id"].get<std::string>();
  std::string leaked;
  for (const std::string& form : Forms(token)) leaked += "printed " + form + "\n";
  CHECK(server.Post(leases + "/log", json{{"seq", 0}, {"data", leaked}}.dump(), Server::kAgentToken)
            .status == 200);
  json steps = {{"steps", {{{"index", 0}, {"name", "RUN echo " + token}, {"error", "exit " + token}}}}};
  CHECK(server.Post(leases + "/steps", steps.dump(), Server::kAgentToken).status == 200);
  auto finished = server.Post(leases + "/finish",
                              json{{"status", "failure"},
                                   {"duration_ms", 5},
                                   {"error", "bad " + token},
                                   {"log_tail", {"tail " + slipway::Base64Encode(token)}}}
                                  .dump(),
                              Server::kAgentToken);
  INFO(finished.body);
  REQUIRE(finished.status == 200);
  json run = server.WaitForRun(run_id);
  const std::string log = JobLog(server, run["jobs"][0]);
  CHECK(log == "printed ***\nprinted ***\nprinted ***\n");
  CHECK(run["jobs"][0]["error"] == "bad ***");
  auto job = server.Get("/api/v1/jobs/" + run["jobs"][0]["id"].dump());
  INFO(job.body);
  CHECK(job.body.find("RUN echo ***") != std::string::npos);
  CHECK(job.body.find("exit ***") != std::string::npos);
  for (const std::string& form : Forms(token)) {
    CHECK(run.dump().find(form) == std::string::npos);
    for (const auto& e : events.Events()) CHECK(e.data.dump().find(form) == std::string::npos);
  }
}

TEST_CASE(
    "a protected secret reaches only protected branches, reruns included, an unknown one is a plan "
    "error") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-protected", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("protected");
  GitRepo repo(dir.path() + "/repo", name, server, "hook-secret");
  server.AddRepo(name, repo.bare(), "hook-secret");
  const std::string value = "deploy-" + UniqueName("key");
  PutSecret(server, "/api/v1/repos/" + name, "DEPLOY_TOKEN", value, true);
  repo.WriteFile("Dockerfile",
                 "FROM busybox:1.36 AS app\nRUN --mount=type=secret,id=deploy,required=true test "
                 "-s /run/secrets/deploy"
                 " && echo " +
                     UniqueName("nonce") + "\n");
  repo.WriteFile(
      ".slipway.yml",
      "version: 1\nstages:\n  app:\n    secrets:\n      - {id: deploy, from: DEPLOY_TOKEN}\n");
  repo.Commit("protected secret");

  // A push to an unprotected branch: the run ends `error` at planning, naming the secret and why.
  const int64_t feature = repo.PushForRun("feature");
  json refused = server.WaitForRun(feature);
  INFO(refused.dump(2));
  CHECK(refused["status"] == "error");
  CHECK(refused["jobs"].empty());
  CHECK(refused["error"].get<std::string>().find(".slipway.yml:5:28: error[protected-secret]") !=
        std::string::npos);
  CHECK(refused["error"].get<std::string>().find("only runs of main and the protected branches") !=
        std::string::npos);

  // The default branch gets it, and builds.
  const int64_t main_run = repo.PushForRun("main");
  json built = server.WaitForRun(main_run);
  INFO(built.dump(2));
  REQUIRE(built["status"] == "success");

  // A rerun is a run of its branch: once main is no longer protected (the default branch moved),
  // the rerun of main's run gets no protected secret either.
  auto moved = server.Post("/api/v1/repos", json{{"name", name},
                                                 {"clone_url", repo.bare()},
                                                 {"forge", "github"},
                                                 {"secret", "hook-secret"},
                                                 {"default_branch", "release"}}
                                                .dump());
  REQUIRE(moved.status < 300);
  auto rerun = server.Post("/api/v1/runs/" + std::to_string(main_run) + "/rerun",
                           json{{"jobs", "all"}}.dump());
  INFO(rerun.body);
  REQUIRE(rerun.status < 300);
  json rerun_run = server.WaitForRun(rerun.json["id"].get<int64_t>());
  CHECK(rerun_run["status"] == "error");
  CHECK(rerun_run["error"].get<std::string>().find("protected-secret") != std::string::npos);

  // A secret set nowhere: a plan error at its `from:`.
  repo.WriteFile(
      ".slipway.yml",
      "version: 1\nstages:\n  app:\n    secrets: [{id: deploy, from: NOT_SET_ANYWHERE}]\n");
  repo.Commit("unknown secret");
  json unknown = server.WaitForRun(repo.PushForRun("release"));
  INFO(unknown.dump(2));
  CHECK(unknown["status"] == "error");
  CHECK(unknown["error"].get<std::string>().find(".slipway.yml:4:34: error[unknown-secret]") !=
        std::string::npos);
  CHECK(unknown["error"].get<std::string>().find("slipway secret set " + name +
                                                 " NOT_SET_ANYWHERE") != std::string::npos);
  CHECK(server.process().Output().find(value) == std::string::npos);
}

TEST_CASE(
    "registry credentials reach the build as a job-scoped DOCKER_CONFIG, a wrong password is a "
    "clear error") {
  namespace t = slipway::testing;
  t::TestPki pki;
  t::Registry registry(pki, "creds", t::HtpasswdAuth(pki));
  t::EngineTrust trust(pki, registry.host());
  const std::string home_config =
      std::string(getenv("HOME") ? getenv("HOME") : "") + "/.docker/config.json";
  const std::string home_before =
      fs::exists(home_config) ? slipway::testing::ReadFile(home_config) : "";

  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-registry", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("private-registry");
  const std::string image = registry.host() + "/" + name;
  GitRepo repo(dir.path() + "/repo", name, server, "hook-secret");
  server.AddRepo(name, repo.bare(), "hook-secret");
  std::string prefix =
      "REGISTRY_127_0_0_1_" + registry.host().substr(registry.host().find(':') + 1);
  PutSecret(server, "/api/v1", prefix + "_USERNAME", t::kUser);
  PutSecret(server, "/api/v1", prefix + "_PASSWORD", t::kPassword);
  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS app\nCOPY stamp /stamp\nUSER 65534\n");
  repo.WriteFile("stamp", UniqueName("stamp") + "\n");
  repo.WriteFile(".slipway.yml", "version: 1\nimage: " + image +
                                     "\nstages:\n  app:\n    push: true\n    tags: [main]\n");
  repo.Commit("private registry");
  json pushed = server.WaitForRun(repo.PushForRun("main"));
  INFO(pushed.dump(2));
  REQUIRE(pushed["status"] == "success");
  auto ref = slipway::ParseImageRef(image + ":main");
  REQUIRE(ref.ok());
  auto digest =
      slipway::RegistryImageDigest(*ref, t::AccessFor(pki, registry.host(), t::kPassword));
  INFO(digest.status().ToString());
  REQUIRE(digest.ok());
  CHECK(*digest == pushed["jobs"][0]["image"]["digest"]);

  // The repository's own password wins over the server's: a wrong one fails the job, clearly.
  const std::string wrong = "wrong-" + UniqueName("password");
  PutSecret(server, "/api/v1/repos/" + name, prefix + "_PASSWORD", wrong);
  repo.WriteFile("stamp", UniqueName("stamp") + "\n");
  repo.Commit("wrong password");
  json refused = server.WaitForRun(repo.PushForRun("main"));
  INFO(refused.dump(2));
  CHECK(refused["status"] != "success");
  const std::string error = refused["jobs"][0]["error"].get<std::string>();
  CHECK(error.find("registry " + registry.host() + " refused the login the server gave for it") !=
        std::string::npos);
  CHECK(refused.dump().find(wrong) == std::string::npos);
  CHECK(JobLog(server, refused["jobs"][0]).find(wrong) == std::string::npos);

  // Never a global `docker login`; nothing of the job's config is left behind.
  CHECK((fs::exists(home_config) ? slipway::testing::ReadFile(home_config) : "") == home_before);
  CHECK(FilesHolding(dir.path() + "/agent", t::kPassword).empty());
  CHECK(FilesHolding(dir.path() + "/agent",
                     slipway::Base64Encode(std::string(t::kUser) + ":" + t::kPassword))
            .empty());
}
