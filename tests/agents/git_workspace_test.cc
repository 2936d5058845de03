#include "agent/git_workspace.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "common/subprocess.h"
#include "support/files.h"
#include "support/git_http_server.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

std::string Run(std::vector<std::string> argv, const std::string& cwd = "") {
  ProcessOptions o;
  o.cwd = cwd;
  o.extra_env = {"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
                 "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null"};
  auto r = RunProcess(argv, o);
  REQUIRE(r.ok());
  INFO(r->err);
  REQUIRE(r->ok());
  std::string out = r->out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string Commit(const std::string& work, const std::string& content) {
  std::ofstream(work + "/file.txt") << content;
  Run({"git", "add", "file.txt"}, work);
  Run({"git", "commit", "-q", "-m", content}, work);
  Run({"git", "push", "-q", "origin", "HEAD:main"}, work);
  return Run({"git", "rev-parse", "HEAD"}, work);
}

using ::slipway::testing::ReadFile;

struct Repo {
  ::slipway::testing::TempDir dir;
  std::string root = dir.path();
  std::string bare = root + "/origin.git";
  std::string work = root + "/work";
  Repo() {
    Run({"git", "init", "-q", "--bare", "-b", "main", bare});
    Run({"git", "clone", "-q", bare, work});
  }
};

TEST_CASE("checks out exact commits from a mirror, fetching when a commit is new") {
  Repo repo;
  std::string first = Commit(repo.work, "one");
  GitWorkspace ws(repo.root + "/agent");

  auto dir = ws.Checkout(repo.bare, first, "w0");
  REQUIRE(dir.ok());
  CHECK(ReadFile(*dir + "/file.txt") == "one");
  CHECK(fs::exists(ws.MirrorPath(repo.bare) + "/HEAD"));

  std::string second = Commit(repo.work, "two");
  auto dir2 = ws.Checkout(repo.bare, second, "w1");
  REQUIRE(dir2.ok());
  CHECK(ReadFile(*dir2 + "/file.txt") == "two");
  CHECK(Run({"git", "rev-parse", "HEAD"}, *dir2) == second);

  // The same slot again: a fresh directory at the older commit, no leftovers.
  std::ofstream(*dir + "/stray.txt") << "x";
  auto again = ws.Checkout(repo.bare, first, "w0");
  REQUIRE(again.ok());
  CHECK(ReadFile(*again + "/file.txt") == "one");
  CHECK(!fs::exists(*again + "/stray.txt"));

  ws.Remove(repo.bare, *again);
  ws.Remove(repo.bare, *dir2);
  CHECK(!fs::exists(*again));
  CHECK(!fs::exists(*dir2));
}

TEST_CASE("shas, URLs and names are validated before git sees them") {
  Repo repo;
  std::string sha = Commit(repo.work, "x");
  GitWorkspace ws(repo.root + "/agent");
  CHECK(ws.Checkout(repo.bare, "--upload-pack=touch /tmp/pwned", "w0").status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(!ws.Checkout(repo.bare, sha.substr(0, 39), "w0").ok());
  CHECK(!ws.Checkout(repo.bare, "HEAD", "w0").ok());
  CHECK(!ws.Checkout("--upload-pack=touch /tmp/x", sha, "w0").ok());
  CHECK(!ws.Checkout("ext::sh -c touch% /tmp/x", sha, "w0").ok());
  CHECK(!ws.Checkout(repo.bare, sha, "../escape").ok());
  CHECK(ws.Checkout(repo.bare, std::string(40, 'a'), "w0").status().code() == ErrorCode::kNotFound);
  CHECK(IsCommitSha(sha));
  CHECK(IsCommitSha(std::string(64, 'f')));
  CHECK(!IsCommitSha(std::string(40, 'F')));
}

TEST_CASE("a job's paths resolve inside its checkout only: links to mirrors or other jobs are refused") {
  Repo repo;
  fs::create_directories(repo.work + "/docker");
  std::ofstream(repo.work + "/docker/Dockerfile") << "FROM busybox:1.36\n";
  fs::create_symlink("docker/Dockerfile", repo.work + "/Dockerfile");
  fs::create_directory_symlink("../../mirrors", repo.work + "/ctx");   // the agent's mirrors
  fs::create_directory_symlink("../w1", repo.work + "/other");          // another job's checkout
  fs::create_directory_symlink("..", repo.work + "/up");
  fs::create_symlink("/etc/passwd", repo.work + "/passwd");
  Run({"git", "add", "-A"}, repo.work);
  std::string sha = Commit(repo.work, "links");
  GitWorkspace ws(repo.root + "/agent");
  auto dir = ws.Checkout(repo.bare, sha, "w0");
  REQUIRE(dir.ok());
  REQUIRE(ws.Checkout(repo.bare, sha, "w1").ok());
  REQUIRE(fs::exists(ws.MirrorPath(repo.bare) + "/HEAD"));

  CHECK(*ResolveInCheckout(*dir, ".") == ".");
  CHECK(*ResolveInCheckout(*dir, "Dockerfile") == "docker/Dockerfile");
  CHECK(*ResolveInCheckout(*dir, "docker") == "docker");
  for (const char* hostile : {"ctx", "ctx/", "other", "up", "passwd", "docker/../..", "../w1"}) {
    INFO(hostile);
    CHECK(ResolveInCheckout(*dir, hostile).status().code() == ErrorCode::kInvalidArgument);
  }
  CHECK(ResolveInCheckout(*dir, "missing").status().code() == ErrorCode::kNotFound);
  CHECK(ResolveInCheckout(*dir, "/etc").status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("a private repository is checked out with the lease's credential, whose files are gone after") {
  Repo repo;
  std::string sha = Commit(repo.work, "private");
  const std::string token = "tok-agent-" + std::to_string(getpid()) + "-0123456789";
  ::slipway::testing::GitHttpServer server(repo.root, "ci", token);
  const std::string url = server.Url("origin.git");
  GitWorkspace ws(repo.root + "/agent");

  auto refused = ws.Checkout(url, sha, "w0", {.username = "ci", .token = token + "-wrong"});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("Authentication failed") != std::string::npos);
  CHECK(refused.status().message().find(token) == std::string::npos);
  CHECK(server.served() == 0);

  auto dir = ws.Checkout(url, sha, "w0", {.username = "ci", .token = token});
  REQUIRE(dir.ok());
  CHECK(ReadFile(*dir + "/file.txt") == "private");
  CHECK(server.served() > 0);
  CHECK_FALSE(fs::exists(repo.root + "/agent/auth/w0"));
  CHECK(::slipway::testing::FilesHolding(repo.root + "/agent", token).empty());
  ws.Remove(url, *dir);

  // What an agent stopped mid-checkout left behind goes when the next one starts.
  fs::create_directories(repo.root + "/agent/auth/w3");
  std::ofstream(repo.root + "/agent/auth/w3/token") << token;
  GitWorkspace restarted(repo.root + "/agent");
  CHECK_FALSE(fs::exists(repo.root + "/agent/auth"));
}

}  // namespace
}  // namespace slipway::agent
