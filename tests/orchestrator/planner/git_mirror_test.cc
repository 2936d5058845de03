// The server's mirror of a private repository: fetched with its token (HTTP, basic auth) or its
// deploy key (sshd), from real git servers on loopback; the credential never stays on disk.
#include "planner/git_mirror.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/strings.h"
#include "common/subprocess.h"
#include "support/files.h"
#include "support/git_http_server.h"
#include "support/git_ssh_server.h"

namespace slipway::planner {
namespace {

namespace fs = std::filesystem;
using ::slipway::testing::FilesHolding;
using ::slipway::testing::ReadFile;
using ::slipway::testing::TempDir;

std::string Git(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunProcess(
      argv,
      {.extra_env = {"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
                     "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null"}});
  REQUIRE(r.ok());
  INFO(r->err);
  REQUIRE(r->ok());
  return std::string(TrimAsciiSpace(r->out));
}

// A bare repository and a work tree that pushes to it.
struct Origin {
  std::string bare, work;
  Origin(const std::string& bare_dir, const std::string& work_dir)
      : bare(bare_dir), work(work_dir) {
    Git({"init", "-q", "--bare", "-b", "main", bare});
    Git({"init", "-q", "-b", "main", work});
  }
  std::string Commit(const std::string& text) {
    std::ofstream(work + "/.slipway.yml") << text;
    Git({"-C", work, "add", "."});
    Git({"-C", work, "commit", "-q", "-m", text});
    Git({"-C", work, "push", "-q", bare, "HEAD:main"});
    return Git({"-C", work, "rev-parse", "HEAD"});
  }
};

TEST_CASE(
    "a private repository over HTTP is mirrored with its token, and a wrong one is a clear error "
    "without it") {
  TempDir dir;
  Origin origin(dir.File("srv/app.git"), dir.File("work"));
  const std::string first = origin.Commit("version: 1\n");
  const std::string token = "tok-mirror-" + std::to_string(getpid()) + "-0123456789";
  testing::GitHttpServer server(dir.File("srv"), "ci", token);
  const std::string url = server.Url("app.git");
  GitMirror mirror(dir.File("mirrors"));

  Status refused = mirror.Fetch("acme/app", url, {.username = "ci", .token = token + "x"});
  INFO(refused.ToString());
  CHECK(refused.code() == ErrorCode::kUnavailable);
  CHECK(refused.message().find("git fetch of acme/app failed: fatal: Authentication failed for '" +
                               url) == 0);
  CHECK(refused.message().find(token) == std::string::npos);
  Status anonymous = mirror.Fetch("acme/app", url);
  CHECK_FALSE(anonymous.ok());
  CHECK(server.served() == 0);

  REQUIRE(mirror.Fetch("acme/app", url, {.username = "ci", .token = token}).ok());
  CHECK(mirror.ReadFile("acme/app", first, ".slipway.yml", 100)->value() == "version: 1\n");
  const std::string second = origin.Commit("version: 1 # two\n");
  REQUIRE(
      mirror.Fetch("acme/app", url, {.username = "ci", .token = token}).ok());  // a fetch this time
  CHECK(mirror.Commit("acme/app", second).ok());

  // Nothing of the token stays: no credential files, nothing in the mirror's config.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.File("mirrors")))
    names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"acme_app.git"});
  CHECK(FilesHolding(dir.File("mirrors"), token).empty());
}

TEST_CASE(
    "a private repository over ssh is mirrored with its deploy key and only from the pinned host") {
  TempDir dir;
  Origin origin(dir.File("app.git"), dir.File("work"));
  const std::string sha = origin.Commit("version: 1\n");
  fs::create_directories(dir.File("sshd"));
  testing::GitSshServer server(dir.File("sshd"));
  const std::string url = server.Url(dir.File("app.git"));
  GitMirror mirror(dir.File("mirrors"));
  const GitCredential credential{.ssh_key = server.DeployKey(), .known_hosts = server.KnownHosts()};

  GitCredential unpinned = credential;
  unpinned.known_hosts =
      "[127.0.0.1]:1 " + server.KnownHosts().substr(server.KnownHosts().find(' ') + 1);
  Status refused = mirror.Fetch("acme/app", url, unpinned);
  CHECK(refused.message().find("Host key verification failed") != std::string::npos);

  Status fetched = mirror.Fetch("acme/app", url, credential);
  INFO(fetched.ToString() << server.Log());
  REQUIRE(fetched.ok());
  CHECK(mirror.Commit("acme/app", sha).ok());
  CHECK(FilesHolding(dir.File("mirrors"), "PRIVATE KEY").empty());
}

TEST_CASE("credential files a stopped server left beside the mirrors are removed when it starts") {
  TempDir dir;
  fs::create_directories(dir.File("mirrors/acme_app.git.auth"));
  std::ofstream(dir.File("mirrors/acme_app.git.auth/token")) << "left behind";
  fs::create_directories(dir.File("mirrors/acme_app.git"));
  GitMirror mirror(dir.File("mirrors"));
  CHECK_FALSE(fs::exists(dir.File("mirrors/acme_app.git.auth")));
  CHECK(fs::exists(dir.File("mirrors/acme_app.git")));
}

}  // namespace
}  // namespace slipway::planner
