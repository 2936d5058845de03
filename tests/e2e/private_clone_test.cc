// Private repositories end to end: real slipwayd and slipway-agent, a git server that demands a
// credential (git http-backend behind basic auth; sshd with a deploy key and git-shell), and the
// Docker engine. The clone URL is registered plain, the credential set as the repository's
// secrets; the server's mirror and the agent's checkout both use it, and no copy of it is left in
// the data folder, the agent's folder, a log or an answer.
#include <catch2/catch.hpp>
#include <filesystem>

#include "common/strings.h"
#include "harness.h"
#include "support/files.h"
#include "support/git_http_server.h"
#include "support/git_ssh_server.h"

using namespace slipway::e2e;
using nlohmann::json;
using slipway::testing::FilesHolding;

namespace {

void SetSecret(const Server& server, const std::string& repo, const std::string& name,
               const std::string& value) {
  auto set = server.Call("PUT", "/api/v1/repos/" + repo + "/secrets/" + name,
                         json{{"value", value}}.dump(), Server::kAdminToken);
  INFO(set.body);
  REQUIRE(set.status == 200);
}

// A one-stage build of busybox with a file of the commit in it.
std::string CommitBuildable(GitRepo& repo, const std::string& note) {
  repo.WriteFile("Dockerfile", "FROM busybox:1.36\nCOPY note /note\n");
  repo.WriteFile("note", note + "\n");
  repo.WriteFile(".slipway.yml", "version: 1\n");
  return repo.Commit(note);
}

// `secret` is in no file under the folders and in none of the texts.
void CheckNowhere(const std::string& secret, const std::vector<std::string>& dirs,
                  const std::vector<std::pair<std::string, std::string>>& texts) {
  for (const auto& dir : dirs) {
    INFO(dir);
    CHECK(FilesHolding(dir, secret).empty());
  }
  for (const auto& [where, text] : texts) {
    INFO(where << ": " << text);
    CHECK(text.find(secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE(
    "a private repository over HTTP is built with its token, and a wrong token is a clear run "
    "error without it") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-private-http", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("private-http");
  GitRepo repo(dir.path() + "/repo", name, server, "hook-secret");
  const std::string token = "tok-" + UniqueName("clone-token");
  slipway::testing::GitHttpServer git(dir.path() + "/repo", "ci", token);
  const std::string url = git.Url("repo.git");

  // The token in the clone URL: refused, pointing at the secret, without echoing it.
  auto with_userinfo =
      server.Post("/api/v1/repos", json{{"name", name},
                                        {"clone_url", "http://ci:" + token + "@127.0.0.1:" +
                                                          std::to_string(git.port()) + "/repo.git"},
                                        {"forge", "github"},
                                        {"secret", "hook-secret"}}
                                       .dump());
  CHECK(with_userinfo.status == 400);
  CHECK(with_userinfo.body.find("set the repository's secret GIT_TOKEN") != std::string::npos);
  CHECK(with_userinfo.body.find(token) == std::string::npos);

  server.AddRepo(name, url, "hook-secret");
  SetSecret(server, name, "GIT_TOKEN", token);
  SetSecret(server, name, "GIT_USERNAME", "ci");
  CommitBuildable(repo, "built from a private repository over HTTP");
  json built = server.WaitForRun(repo.PushForRun());
  INFO(built.dump(2));
  REQUIRE(built["status"] == "success");
  REQUIRE(built["jobs"].size() == 1);
  CHECK(built["jobs"][0]["agent"] == "agent-private-http");
  CHECK(git.refused() > 0);  // git asks without a credential first, as with any forge
  CHECK(git.served() > 0);
  const std::string job_log =
      server.Get("/api/v1/jobs/" + built["jobs"][0]["id"].dump() + "/log").body;
  CHECK(job_log.find("checked out") != std::string::npos);

  const std::string wrong = "tok-" + UniqueName("wrong-token");
  SetSecret(server, name, "GIT_TOKEN", wrong);
  CommitBuildable(repo, "fetched with a wrong token");
  json failed = server.WaitForRun(repo.PushForRun());
  INFO(failed.dump(2));
  CHECK(failed["status"] == "error");
  const std::string error = failed["error"];
  CHECK(error.find("git fetch of " + name + " failed: fatal: Authentication failed for '" + url) ==
        0);
  CHECK(error.find("(fetched with the repository's secret GIT_TOKEN)") != std::string::npos);

  const std::string runs = server.Get("/api/v1/runs?repo=" + name).body;
  const std::string repos = server.Get("/api/v1/repos").body;
  for (const std::string& secret : {token, wrong}) {
    CheckNowhere(secret, {dir.path() + "/data", dir.path() + "/agent"},
                 {{"runs", runs},
                  {"failed run", failed.dump()},
                  {"job log", job_log},
                  {"repos", repos},
                  {"server log", server.process().Output()},
                  {"agent log", agent.process().Output()}});
  }
  // The agent's credential files went with its checkout.
  const std::string auth = dir.path() + "/agent/auth";
  CHECK((!std::filesystem::exists(auth) || std::filesystem::is_empty(auth)));
}

TEST_CASE("a private repository over ssh is built with its deploy key, only from the pinned host") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-private-ssh", dir.path() + "/agent");
  const std::string name = "e2e/" + UniqueName("private-ssh");
  GitRepo repo(dir.path() + "/repo", name, server, "hook-secret");
  std::filesystem::create_directories(dir.path() + "/sshd");
  slipway::testing::GitSshServer sshd(dir.path() + "/sshd");
  const std::string key = sshd.DeployKey();
  // A line of the key's own material (the first line after the armour is a header all share).
  const std::string key_line = slipway::SplitNonEmpty(key, '\n').at(2);

  server.AddRepo(name, sshd.Url(repo.bare()), "hook-secret");
  SetSecret(server, name, "GIT_SSH_KEY", key);
  SetSecret(server, name, "GIT_KNOWN_HOSTS", sshd.KnownHosts());
  CommitBuildable(repo, "built from a private repository over ssh");
  json built = server.WaitForRun(repo.PushForRun());
  INFO(built.dump(2) << "\nsshd: " << sshd.Log());
  REQUIRE(built["status"] == "success");
  REQUIRE(built["jobs"].size() == 1);
  CHECK(built["jobs"][0]["status"] == "success");
  CHECK(sshd.Log().find("Accepted publickey") != std::string::npos);

  // Another host key pinned: ssh refuses the server before any key is offered.
  slipway::testing::MakeSshKey(dir.path() + "/other_host");
  const std::string other = slipway::testing::ReadFile(dir.path() + "/other_host.pub");
  SetSecret(server, name, "GIT_KNOWN_HOSTS",
            "[127.0.0.1]:" + std::to_string(sshd.port()) + " " + other.substr(0, other.rfind(' ')));
  CommitBuildable(repo, "fetched from an unpinned host");
  json failed = server.WaitForRun(repo.PushForRun());
  INFO(failed.dump(2));
  CHECK(failed["status"] == "error");
  const std::string error = failed["error"];
  CHECK(error.find("Host key verification failed") != std::string::npos);
  CHECK(error.find("(fetched with the repository's secrets GIT_SSH_KEY and GIT_KNOWN_HOSTS)") !=
        std::string::npos);

  CheckNowhere(key_line, {dir.path() + "/data", dir.path() + "/agent"},
               {{"runs", server.Get("/api/v1/runs?repo=" + name).body},
                {"server log", server.process().Output()},
                {"agent log", agent.process().Output()}});
}
