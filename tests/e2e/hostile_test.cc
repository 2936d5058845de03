// Hostile pushes end to end: real slipwayd, agent, git and engine. Whatever a push holds (bytes that
// are not UTF-8, symbolic links out of the repository, inputs built to explode), its run ends with
// an error naming the problem, slipwayd keeps answering and stops cleanly (the Server handle checks
// exit code 0 on SIGTERM), and other runs go on building.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "harness.h"
#include "support/loopback.h"

using namespace slipway::e2e;
using nlohmann::json;

namespace {

constexpr const char* kSecret = "hook-secret";

// A registered repository with its hook, in dir/<tag>.
struct Repo {
  Repo(const std::string& dir, const Server& server, const std::string& tag)
      : name("e2e/" + UniqueName(tag)), image("127.0.0.1:5000/" + name), git(dir + "/" + tag, name, server, kSecret) {
    server.AddRepo(name, git.bare(), kSecret);
  }
  std::string name;
  std::string image;
  GitRepo git;
};

// Commits the work tree, pushes it and waits for the run the push started to end.
json PushAndWait(const Server& server, Repo& repo, const std::string& message,
                 std::chrono::seconds timeout = std::chrono::seconds(120)) {
  repo.git.Commit(message);
  int64_t run_id = repo.git.PushForRun();
  REQUIRE(run_id > 0);
  return server.WaitForRun(run_id, timeout);
}

void CheckAlive(const Server& server) {
  auto health = server.Get("/healthz");
  INFO(health.body);
  CHECK(health.status == 200);
}

// The resident memory of a process, in bytes (from /proc).
long long ResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

// A loopback port that takes connections and never answers: a git server that stalls.
class SilentPort {
 public:
  SilentPort() {
    fd_ = slipway::testing::ListenOnLoopback(&port_);
  }
  // Ends the connections it held, so the stalled git gives up and exits.
  ~SilentPort() {
    fcntl(fd_, F_SETFL, O_NONBLOCK);
    for (int c; (c = accept(fd_, nullptr, nullptr)) >= 0;) close(c);
    close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A pipeline that builds one small image from busybox and pushes it.
void WriteGoodPipeline(Repo& repo) {
  repo.git.WriteFile("Dockerfile", "FROM busybox:1.36 AS app\nRUN echo built > /built\n");
  repo.git.WriteFile(".slipway.yml", "image: " + repo.image + "\nstages:\n  app:\n    push: true\n    tags: [latest]\n");
}

}  // namespace

TEST_CASE("a pipeline file that is not UTF-8 fails its run, slipwayd lives, restarts cleanly, keeps building") {
  // (The Latin-1 byte used to end slipwayd on the planning thread, and every restart again.)
  TempDir dir;
  const std::string data = dir.path() + "/data";
  int64_t bad_run = 0;
  {
    Server server(data);
    Repo repo(dir.path(), server, "latin1");
    repo.git.WriteFile("Dockerfile", "FROM busybox:1.36\n");
    repo.git.WriteFile(".slipway.yml", "caf\xe9: 1\n");  // one Latin-1 byte: it used to end slipwayd
    json run = PushAndWait(server, repo, "latin-1 pipeline");
    bad_run = run["id"].get<int64_t>();
    INFO(run.dump(2));
    CHECK(run["status"] == "error");
    CHECK(run["error"].get<std::string>().find(".slipway.yml:1:4: error[not-utf8]") != std::string::npos);
    REQUIRE(run["diagnostics"].is_array());
    REQUIRE(run["diagnostics"].size() == 1);
    CHECK(run["diagnostics"][0]["code"] == "not-utf8");
    CHECK(run["jobs"].empty());
    CheckAlive(server);
  }  // SIGTERM: exit code 0 checked by the handle

  // A server killed while planning (its git fetch stalls) does not plan that run again when it
  // comes back: the planning that may have killed it is not repeated.
  SilentPort stalled_git;
  int64_t cut_short = 0;
  {
    Server server(data);
    const std::string name = "e2e/" + UniqueName("stalled");
    server.AddRepo(name, "http://127.0.0.1:" + std::to_string(stalled_git.port()) + "/x.git", kSecret);
    GitRepo git(dir.path() + "/stalled", name, server, kSecret);
    git.WriteFile(".slipway.yml", "version: 1\n");
    git.Commit("stalls");
    cut_short = git.PushForRun();
    REQUIRE(cut_short > 0);
    json planning = server.WaitForRunState(cut_short, [](const json& r) { return r["started_at"].is_number(); });
    CHECK(planning["status"] == "pending");
    server.process().Signal(SIGKILL);
    server.process().Wait();
  }

  // A restart does not plan the failed run again, and a good push builds.
  Server server(data);
  Agent agent(server, "agent-h1", dir.path() + "/agent");
  CheckAlive(server);
  json again = server.Get("/api/v1/runs/" + std::to_string(bad_run)).json;
  CHECK(again["status"] == "error");
  Repo repo(dir.path(), server, "after");
  WriteGoodPipeline(repo);
  json run = PushAndWait(server, repo, "good", std::chrono::seconds(300));
  INFO(run.dump(2));
  CHECK(run["status"] == "success");
  CHECK(server.Get("/api/v1/runs/" + std::to_string(bad_run)).json["status"] == "error");
  json stopped = server.Get("/api/v1/runs/" + std::to_string(cut_short)).json;
  INFO(stopped.dump(2));
  CHECK(stopped["status"] == "error");
  CHECK(stopped["error"] == "planning was cut short when the server stopped; it is not tried again (push again to retry)");
}

TEST_CASE("a context or Dockerfile that is a symbolic link out of the checkout is refused, mirrors stay private") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Agent agent(server, "agent-h2", dir.path() + "/agent");
  namespace fs = std::filesystem;

  // First a good build, so the agent holds a mirror worth stealing.
  Repo victim(dir.path(), server, "victim");
  WriteGoodPipeline(victim);
  victim.git.WriteFile("secret.txt", "victim-private-content\n");
  json ok = PushAndWait(server, victim, "victim", std::chrono::seconds(300));
  REQUIRE(ok["status"] == "success");

  Repo thief(dir.path(), server, "thief");
  thief.git.WriteFile("Dockerfile", "FROM busybox:1.36\nCOPY . /m\nRUN find /m\n");
  fs::create_directory_symlink("../../mirrors", thief.git.worktree() + "/ctx");
  thief.git.WriteFile(".slipway.yml", "context: ctx\n");
  json run = PushAndWait(server, thief, "context through a link");
  INFO(run.dump(2));
  CHECK(run["status"] == "error");
  CHECK(run["error"].get<std::string>().find(
            ".slipway.yml:1:10: error[path-escapes-repo]: ctx goes through the symbolic link ctx -> ../../mirrors, "
            "which leads out of the repository") != std::string::npos);
  CHECK(run["jobs"].empty());  // no job, so no log listing the mirrors

  // The same through a parent directory, and a Dockerfile linked to a file of the host.
  fs::remove(thief.git.worktree() + "/ctx");
  fs::create_directory_symlink("../..", thief.git.worktree() + "/up");
  thief.git.WriteFile(".slipway.yml", "context: up/mirrors\n");
  run = PushAndWait(server, thief, "context under a link");
  CHECK(run["status"] == "error");
  CHECK(run["error"].get<std::string>().find("path-escapes-repo") != std::string::npos);

  fs::remove(thief.git.worktree() + "/Dockerfile");
  fs::create_symlink("/etc/passwd", thief.git.worktree() + "/Dockerfile");
  thief.git.WriteFile(".slipway.yml", "context: .\n");
  run = PushAndWait(server, thief, "dockerfile linked out");
  INFO(run.dump(2));
  CHECK(run["status"] == "error");
  CHECK(run["error"].get<std::string>().find("Dockerfile goes through the symbolic link Dockerfile -> /etc/passwd") !=
        std::string::npos);
  CheckAlive(server);

  // Nothing lost: the victim builds again.
  victim.git.WriteFile("more.txt", "x\n");
  ok = PushAndWait(server, victim, "victim again", std::chrono::seconds(300));
  CHECK(ok["status"] == "success");
}

TEST_CASE("inputs built to explode end at their limits in seconds, and slipwayd's memory stays small") {
  TempDir dir;
  Server server(dir.path() + "/data");
  Repo repo(dir.path(), server, "bombs");
  const pid_t pid = server.process().pid();

  // Chained ARGs, each four times the one before: the 506-byte Dockerfile that grew slipwayd past 4 GB.
  std::string dockerfile = "ARG A0=xxxxxxxxxxxxxxxx\n";
  for (int i = 1; i <= 30; ++i) {
    std::string prev = "${A" + std::to_string(i - 1) + "}";
    dockerfile += "ARG A" + std::to_string(i) + "=" + prev + prev + prev + prev + "\n";
  }
  dockerfile += "FROM busybox:${A30}\n";
  repo.git.WriteFile("Dockerfile", dockerfile);
  repo.git.WriteFile(".slipway.yml", "version: 1\n");
  auto start = std::chrono::steady_clock::now();
  json run = PushAndWait(server, repo, "arg bomb", std::chrono::seconds(60));
  INFO(run.dump(2));
  CHECK(run["status"] == "error");
  CHECK(run["error"].get<std::string>().find("Dockerfile:7:1: error[arg-too-long]") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  CHECK(ResidentBytes(pid) < 400LL * 1024 * 1024);

  // A billion laughs of YAML aliases.
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 9; ++k) yaml += ", " + prev;
    yaml += "]\n";
  }
  repo.git.WriteFile("Dockerfile", "FROM busybox:1.36\n");
  repo.git.WriteFile(".slipway.yml", yaml);
  run = PushAndWait(server, repo, "billion laughs", std::chrono::seconds(60));
  CHECK(run["status"] == "error");
  CHECK(run["error"].get<std::string>().find("error[yaml-too-large]") != std::string::npos);

  // A pipeline file of 8 MiB is read no further than the limit.
  repo.git.WriteFile(".slipway.yml", "# " + std::string(8 << 20, 'x') + "\n");
  run = PushAndWait(server, repo, "huge pipeline", std::chrono::seconds(120));
  CHECK(run["status"] == "error");
  CHECK(run["error"].get<std::string>().find(".slipway.yml:1:1: error[file-too-large]") != std::string::npos);
  CHECK(ResidentBytes(pid) < 400LL * 1024 * 1024);
  CheckAlive(server);
}
