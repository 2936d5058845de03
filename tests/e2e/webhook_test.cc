// Webhook intake end to end: a real slipwayd, real signed HTTP requests in the forges' own formats
// (the payloads in tests/data/fixtures/{github,gitlab,gitea}), and real bare repositories whose
// pushes reach the planner. No agent and no engine: every run here ends before a build starts.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "harness.h"
#include "webhooks/signature.h"

using namespace slipway::e2e;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

std::string ReadFixture(const std::string& relative) {
  return ::slipway::testing::ReadFile(std::string(SLIPWAY_TEST_DATA_DIR) + "/fixtures/" + relative);
}

Headers GitHubHeaders(const std::string& secret, const std::string& body, const std::string& delivery,
                      const std::string& event = "push") {
  return {{"X-GitHub-Event", event},
          {"X-GitHub-Delivery", delivery},
          {"X-Hub-Signature-256", "sha256=" + slipway::webhooks::HmacSha256Hex(secret, body)}};
}

HttpResult Hook(const Server& server, const std::string& forge, const std::string& body, const Headers& headers) {
  return server.Post("/hooks/" + forge, body, "", headers);
}

// Runs recorded for a repository (one page is plenty here).
size_t RunCount(const Server& server, const std::string& repo) {
  auto r = server.Get("/api/v1/runs?limit=100&repo=" + repo);
  REQUIRE(r.status == 200);
  return r.json["runs"].size();
}

std::string ErrorCode(const HttpResult& r) {
  INFO(r.body);
  REQUIRE(r.json.is_object());
  REQUIRE(r.json.contains("error"));
  return r.json["error"].value("code", "");
}

std::string ErrorMessage(const HttpResult& r) {
  INFO(r.body);
  REQUIRE(r.json.is_object());
  REQUIRE(r.json.contains("error"));
  return r.json["error"].value("message", "");
}

// Sends a request head declaring `content_length` and only `body_prefix` of the body, then reads
// the answer's status line: a server that caps bodies must answer from the head alone.
int StatusForDeclaredLength(const Server& server, const std::string& path, size_t content_length,
                            const std::string& body_prefix) {
  std::string url = server.url();
  int port = std::stoi(url.substr(url.rfind(':') + 1));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{.tv_sec = 10, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string head = "POST " + path +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "X-GitHub-Event: push\r\nX-GitHub-Delivery: big-1\r\nX-Hub-Signature-256: sha256=00\r\n"
                     "Content-Length: " +
                     std::to_string(content_length) + "\r\n\r\n" + body_prefix;
  REQUIRE(send(fd, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size()));
  std::string answer;
  char buf[4096];
  while (answer.find("\r\n") == std::string::npos) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  INFO("answer: " << answer);
  REQUIRE(answer.rfind("HTTP/1.1 ", 0) == 0);
  return std::stoi(answer.substr(9, 3));
}

// A push payload in GitHub's format (what the post-receive hook sends), for refs the tests choose.
std::string PushBody(const std::string& repo, const std::string& ref, const std::string& before,
                     const std::string& after, bool deleted = false) {
  return json{
      {"ref", ref},
      {"before", before},
      {"after", after},
      {"created", false},
      {"deleted", deleted},
      {"repository", {{"full_name", repo}}},
      {"head_commit", deleted ? json(nullptr) : json{{"id", after}, {"message", "m"}, {"author", {{"name", "a"}}}}},
      {"commits", json::array()}}
      .dump();
}

const std::string kZero(40, '0');
const std::string kShaA(40, 'a');
const std::string kShaB(40, 'b');

}  // namespace

TEST_CASE("the forges' real push payloads are accepted, and their runs end in error: the commit cannot be fetched") {
  TempDir dir;
  Server server(dir.path() + "/data");
  // Gitea's repository exists here but lacks the payload's commit; the others cannot be cloned at all.
  Run({"git", "init", "-q", "--bare", dir.path() + "/gitea.git"});
  server.AddRepo("Codertocat/Hello-World", dir.path() + "/absent/github.git", "gh-secret", "github");
  server.AddRepo("gitea/webhooks", dir.path() + "/gitea.git", "gitea-secret", "gitea");
  server.AddRepo("mike/diaspora", dir.path() + "/absent/gitlab.git", "gl-token", "gitlab");

  std::string github = ReadFixture("github/push-new-branch.payload.json");
  std::string gitea = ReadFixture("gitea/push.payload.json");
  std::string gitlab = ReadFixture("gitlab/push-hook.payload.json");

  auto gh = Hook(server, "github", github, GitHubHeaders("gh-secret", github, "f6266f16-1bf3-46a5-9ea4-602e06ead473"));
  auto ge = Hook(server, "gitea", gitea,
                 {{"X-Gitea-Event", "push"},
                  {"X-Gitea-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473"},
                  {"X-Gitea-Signature", slipway::webhooks::HmacSha256Hex("gitea-secret", gitea)}});
  auto gl = Hook(server, "gitlab", gitlab,
                 {{"X-Gitlab-Event", "Push Hook"},
                  {"X-Gitlab-Event-UUID", "9c5a7a4e-1111-4d2b-a8a2-0d6f0f1e2b3c"},
                  {"X-Gitlab-Token", "gl-token"}});
  for (const auto* r : {&gh, &ge, &gl}) {
    INFO(r->body);
    REQUIRE(r->status == 202);
    REQUIRE(r->json["run_id"].is_number_integer());
  }

  struct Expect {
    const HttpResult* answer;
    std::string repo, branch, sha, error_part;
  };
  for (const auto& e : {Expect{&gh, "Codertocat/Hello-World", "master", "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
                               "git fetch of Codertocat/Hello-World failed"},
                        Expect{&ge, "gitea/webhooks", "develop", "bffeb74224043ba2feb48d137756c8a9331c449a",
                               "is not in gitea/webhooks"},
                        Expect{&gl, "mike/diaspora", "master", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
                               "git fetch of mike/diaspora failed"}}) {
    json run = server.WaitForRun(e.answer->json["run_id"].get<int64_t>(), std::chrono::seconds(30));
    INFO(run.dump(2));
    CHECK(run["status"] == "error");
    CHECK(run["repo"] == e.repo);
    CHECK(run["branch"] == e.branch);
    CHECK(run["sha"] == e.sha);
    CHECK(run["trigger"] == "push");
    CHECK(run["error"].get<std::string>().find(e.error_part) != std::string::npos);
    CHECK(run["jobs"].empty());
    CHECK(run["finished_at"].is_number());
  }
  // The server is still up and answering after all three.
  CHECK(server.Get("/healthz").status == 200);

  SECTION("a repeated delivery answers 200 with the first run's id and starts nothing") {
    auto again =
        Hook(server, "github", github, GitHubHeaders("gh-secret", github, "f6266f16-1bf3-46a5-9ea4-602e06ead473"));
    INFO(again.body);
    CHECK(again.status == 200);
    CHECK(again.json["run_id"] == gh.json["run_id"]);
    CHECK(again.json["duplicate"] == true);
    auto gl_again = Hook(server, "gitlab", gitlab,
                         {{"X-Gitlab-Event", "Push Hook"},
                          {"X-Gitlab-Event-UUID", "9c5a7a4e-1111-4d2b-a8a2-0d6f0f1e2b3c"},
                          {"X-Gitlab-Token", "gl-token"}});
    CHECK(gl_again.status == 200);
    CHECK(gl_again.json["run_id"] == gl.json["run_id"]);
    CHECK(RunCount(server, "Codertocat/Hello-World") == 1);
    CHECK(RunCount(server, "mike/diaspora") == 1);
    // The same delivery id for another forge is another delivery (a body not seen before: the very
    // same body would be a replay, whatever its delivery id).
    const std::string gitea_next = gitea + "\n";
    auto gitea_same_id = Hook(server, "gitea", gitea_next,
                              {{"X-Gitea-Event", "push"},
                               {"X-Gitea-Delivery", "9c5a7a4e-1111-4d2b-a8a2-0d6f0f1e2b3c"},
                               {"X-Gitea-Signature", slipway::webhooks::HmacSha256Hex("gitea-secret", gitea_next)}});
    CHECK(gitea_same_id.status == 202);
    CHECK(RunCount(server, "gitea/webhooks") == 2);
  }

  SECTION("a GitLab delivery without an event UUID is deduplicated on its body") {
    Headers headers = {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", "gl-token"}};
    const std::string body = gitlab + "\n";  // not the body delivered above
    auto first = Hook(server, "gitlab", body, headers);
    REQUIRE(first.status == 202);
    auto second = Hook(server, "gitlab", body, headers);
    CHECK(second.status == 200);
    CHECK(second.json["run_id"] == first.json["run_id"]);
    CHECK(RunCount(server, "mike/diaspora") == 2);
  }
}

TEST_CASE("bad, missing or truncated signatures get 401 and store nothing, and unknown forges get 404") {
  TempDir dir;
  Server server(dir.path() + "/data");
  server.AddRepo("Codertocat/Hello-World", dir.path() + "/absent.git", "gh-secret", "github");
  server.AddRepo("gitea/webhooks", dir.path() + "/absent.git", "gitea-secret", "gitea");
  server.AddRepo("mike/diaspora", dir.path() + "/absent.git", "gl-token", "gitlab");
  std::string github = ReadFixture("github/push-new-branch.payload.json");
  std::string gitea = ReadFixture("gitea/push.payload.json");
  std::string gitlab = ReadFixture("gitlab/push-hook.payload.json");
  std::string good = slipway::webhooks::HmacSha256Hex("gh-secret", github);

  std::vector<std::pair<std::string, Headers>> github_cases = {
      {"wrong secret", GitHubHeaders("not-the-secret", github, "d-1")},
      {"missing", {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "d-2"}}},
      {"truncated",
       {{"X-GitHub-Event", "push"},
        {"X-GitHub-Delivery", "d-3"},
        {"X-Hub-Signature-256", "sha256=" + good.substr(0, 63)}}},
      {"no prefix", {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "d-4"}, {"X-Hub-Signature-256", good}}},
      {"sha1 only",
       {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "d-5"}, {"X-Hub-Signature", "sha1=" + good.substr(0, 40)}}},
      {"not hex",
       {{"X-GitHub-Event", "push"},
        {"X-GitHub-Delivery", "d-6"},
        {"X-Hub-Signature-256", "sha256=" + std::string(64, 'G')}}},
  };
  for (const auto& [what, headers] : github_cases) {
    INFO("github signature: " << what);
    auto r = Hook(server, "github", github, headers);
    INFO(r.body);
    CHECK(r.status == 401);
    CHECK(ErrorCode(r) == "unauthenticated");
  }
  // A body changed after signing is refused too.
  std::string tampered = github;
  tampered[tampered.find("Hello-World")] = 'J';
  CHECK(Hook(server, "github", tampered, GitHubHeaders("gh-secret", github, "d-7")).status == 401);

  auto gitea_bad = Hook(server, "gitea", gitea,
                        {{"X-Gitea-Event", "push"},
                         {"X-Gitea-Delivery", "d-8"},
                         {"X-Gitea-Signature", slipway::webhooks::HmacSha256Hex("gitea-secret", gitea).substr(0, 32)}});
  CHECK(gitea_bad.status == 401);
  CHECK(ErrorMessage(gitea_bad).find("X-Gitea-Signature") != std::string::npos);
  auto gitea_github_style =
      Hook(server, "gitea", gitea,
           {{"X-Gitea-Event", "push"},
            {"X-Gitea-Delivery", "d-9"},
            {"X-Hub-Signature-256", "sha256=" + slipway::webhooks::HmacSha256Hex("gitea-secret", gitea)}});
  CHECK(gitea_github_style.status == 401);
  auto gitlab_bad =
      Hook(server, "gitlab", gitlab,
           {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Event-UUID", "d-10"}, {"X-Gitlab-Token", "gl-toke"}});
  CHECK(gitlab_bad.status == 401);
  auto gitlab_missing =
      Hook(server, "gitlab", gitlab, {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Event-UUID", "d-11"}});
  CHECK(gitlab_missing.status == 401);
  CHECK(ErrorMessage(gitlab_missing).find("X-Gitlab-Token") != std::string::npos);
  // A signature made with another repository's secret does not authenticate this payload.
  CHECK(Hook(server, "gitea", gitea,
             {{"X-Gitea-Event", "push"},
              {"X-Gitea-Delivery", "d-12"},
              {"X-Gitea-Signature", slipway::webhooks::HmacSha256Hex("gh-secret", gitea)}})
            .status == 401);

  // Nothing was stored: no runs, and a correctly signed retry of a refused delivery id is new.
  auto all = server.Get("/api/v1/runs");
  REQUIRE(all.status == 200);
  CHECK(all.json["runs"].empty());
  auto retry = Hook(server, "github", github, GitHubHeaders("gh-secret", github, "d-1"));
  INFO(retry.body);
  CHECK(retry.status == 202);

  auto unknown = Hook(server, "bitbucket", github, GitHubHeaders("gh-secret", github, "d-13"));
  CHECK(unknown.status == 404);
  CHECK(ErrorCode(unknown) == "not_found");
  CHECK(ErrorMessage(unknown).find("bitbucket") != std::string::npos);
  CHECK(server.Get("/hooks/github").status == 405);
  CHECK(server.Get("/api/v1/runs").json["runs"].size() == 1);
}

TEST_CASE("malformed, oversized, ping, tag and deletion deliveries are answered without a run") {
  TempDir dir;
  Server server(dir.path() + "/data");
  std::string repo = "acme/" + UniqueName("intake");
  server.AddRepo(repo, dir.path() + "/absent.git", "s3cret", "github");
  auto hook = [&](const std::string& body, const std::string& delivery, const std::string& event = "push") {
    return Hook(server, "github", body, GitHubHeaders("s3cret", body, delivery, event));
  };

  auto broken = hook(R"({"ref": "refs/heads/main", "after": )", "m-1");
  CHECK(broken.status == 400);
  CHECK(ErrorCode(broken) == "invalid_argument");
  CHECK(ErrorMessage(broken).find("JSON") != std::string::npos);
  auto not_object = hook("[1,2,3]", "m-2");
  CHECK(not_object.status == 400);
  auto missing_field = hook(json{{"ref", "refs/heads/main"}, {"repository", {{"full_name", repo}}}}.dump(), "m-3");
  CHECK(missing_field.status == 400);
  CHECK(ErrorMessage(missing_field).find("missing field") != std::string::npos);
  auto hostile_branch = hook(PushBody(repo, "refs/heads/--upload-pack=x", kShaA, kShaB), "m-4");
  CHECK(hostile_branch.status == 400);
  auto no_event =
      Hook(server, "github", PushBody(repo, "refs/heads/main", kShaA, kShaB),
           {{"X-GitHub-Delivery", "m-5"},
            {"X-Hub-Signature-256",
             "sha256=" + slipway::webhooks::HmacSha256Hex("s3cret", PushBody(repo, "refs/heads/main", kShaA, kShaB))}});
  CHECK(no_event.status == 400);
  CHECK(ErrorMessage(no_event).find("X-GitHub-Event") != std::string::npos);

  // The cap is 25 MiB: a larger declared body is refused from the request head, before it is read;
  // a body of exactly 25 MiB is read (and then refused for its signature).
  constexpr size_t kCap = 25 * 1024 * 1024;
  CHECK(StatusForDeclaredLength(server, "/hooks/github", kCap + 1, "{") == 413);
  auto at_cap = Hook(server, "github", std::string(kCap, ' '), GitHubHeaders("wrong", "x", "m-6"));
  CHECK(at_cap.status == 401);

  auto ping = hook(R"({"zen":"Keep it logically awesome.","hook_id":1})", "m-7", "ping");
  INFO(ping.body);
  CHECK(ping.status == 200);
  CHECK(ping.json["status"] == "ignored");
  CHECK(ping.json["reason"] == "ping");
  auto tag = hook(PushBody(repo, "refs/tags/v1.0", kShaA, kZero, true), "m-8");
  INFO(tag.body);
  CHECK(tag.status == 200);
  CHECK(tag.json["reason"] == "tag deleted");
  auto deletion = hook(PushBody(repo, "refs/heads/feature", kShaA, kZero, true), "m-9");
  INFO(deletion.body);
  CHECK(deletion.status == 200);
  CHECK(deletion.json["reason"] == "branch deleted");
  auto other_event = hook(R"({"action":"opened"})", "m-10", "issues");
  CHECK(other_event.status == 200);
  CHECK(other_event.json["reason"].get<std::string>().find("issues") != std::string::npos);
  // A repeated ignored delivery is answered the same way, and still starts nothing.
  CHECK(hook(PushBody(repo, "refs/tags/v1.0", kShaA, kZero, true), "m-8").json["reason"] == "tag deleted");

  CHECK(RunCount(server, repo) == 0);
  // The server still takes a good push afterwards.
  auto push = hook(PushBody(repo, "refs/heads/main", kShaA, kShaB), "m-11");
  INFO(push.body);
  CHECK(push.status == 202);
  CHECK(RunCount(server, repo) == 1);
}

TEST_CASE("pushed pipelines with errors, without a pipeline, or filtered by branch end in error or skipped") {
  TempDir dir;
  Server server(dir.path() + "/data");
  std::string repo_name = "e2e/" + UniqueName("intake");
  server.AddRepo(repo_name, dir.path() + "/repo/repo.git", "s");
  GitRepo repo(dir.path() + "/repo", repo_name, server, "s");
  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS build\nRUN true\n");

  SECTION("a pipeline with errors: the run carries diagnostics with file, line, column and code") {
    repo.WriteFile(".slipway.yml",
                   "version: 1\n"
                   "stages:\n"
                   "  build: {target: build}\n"
                   "  check:\n"
                   "    target: build\n"
                   "    needs: [nonexistent]\n");
    repo.Commit("broken pipeline");
    json run = server.WaitForRun(repo.PushForRun(), std::chrono::seconds(30));
    INFO(run.dump(2));
    CHECK(run["status"] == "error");
    CHECK(run["error"].get<std::string>().find("error(s)") != std::string::npos);
    REQUIRE(!run["diagnostics"].empty());
    bool found = false;
    for (const auto& d : run["diagnostics"]) {
      CHECK(!d["file"].get<std::string>().empty());
      CHECK(d["line"].get<int>() >= 1);
      CHECK(d["column"].get<int>() >= 1);
      CHECK(!d["code"].get<std::string>().empty());
      if (d["severity"] == "error" && d["file"] == ".slipway.yml" && d["line"] == 6 && d["code"] == "unknown-need" &&
          d["column"].get<int>() > 1) {
        found = true;
      }
    }
    CHECK(found);
    CHECK(run["jobs"].empty());
  }

  SECTION("a YAML syntax error is located") {
    repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  build: {target: build\n");
    repo.Commit("unclosed flow map");
    json run = server.WaitForRun(repo.PushForRun(), std::chrono::seconds(30));
    INFO(run.dump(2));
    CHECK(run["status"] == "error");
    REQUIRE(!run["diagnostics"].empty());
    CHECK(run["diagnostics"][0]["code"] == "yaml-syntax");
    CHECK(run["diagnostics"][0]["line"].get<int>() >= 3);
  }

  SECTION("a commit without .slipway.yml: missing-pipeline") {
    repo.Commit("no pipeline");
    json run = server.WaitForRun(repo.PushForRun(), std::chrono::seconds(30));
    INFO(run.dump(2));
    CHECK(run["status"] == "error");
    REQUIRE(run["diagnostics"].size() == 1);
    CHECK(run["diagnostics"][0]["code"] == "missing-pipeline");
    CHECK(run["diagnostics"][0]["file"] == ".slipway.yml");
    CHECK(run["error"].get<std::string>().find("missing-pipeline") != std::string::npos);
  }

  SECTION("a branch the pipeline's on.push.branches excludes: skipped with the reason") {
    repo.WriteFile(".slipway.yml",
                   "version: 1\n"
                   "on:\n"
                   "  push: {branches: [main, \"release/*\"]}\n"
                   "stages:\n"
                   "  build: {target: build}\n");
    repo.Commit("only main and releases");
    json run = server.WaitForRun(repo.PushForRun("feature/x"), std::chrono::seconds(30));
    INFO(run.dump(2));
    CHECK(run["status"] == "skipped");
    CHECK(run["branch"] == "feature/x");
    CHECK(run["error"].get<std::string>().find("feature/x") != std::string::npos);
    CHECK(run["jobs"].empty());
    // The same commit on an included branch is planned into a job (it waits: no agent here).
    int64_t main_run = repo.PushForRun("release/1.x");
    json planned = server.WaitForRunState(
        main_run, [](const json& r) { return !r["jobs"].empty(); }, std::chrono::seconds(30));
    CHECK(planned["status"] == "pending");
    CHECK(planned["jobs"][0]["name"] == "build");
    CHECK(planned["jobs"][0]["status"] == "pending");
  }
}

TEST_CASE("Gitea and GitLab pull requests from forks: held, ignored or run as each repository says") {
  TempDir dir;
  Server server(dir.path() + "/data");
  const std::string gitea = ReadFixture("gitea/pull-request-synchronized.payload.json");
  const std::string gitlab = ReadFixture("gitlab/merge-request-update.payload.json");
  auto post = [&](const json& body) { return server.Post("/api/v1/repos", body.dump()); };
  REQUIRE(post({{"name", "gitea/webhooks"}, {"clone_url", dir.path() + "/absent.git"}, {"forge", "gitea"},
                {"secret", "gitea-secret"}}).status == 201);
  REQUIRE(post({{"name", "gitlabhq/gitlab-test"}, {"clone_url", dir.path() + "/absent.git"}, {"forge", "gitlab"},
                {"secret", "gl-token"}, {"fork_pull_requests", "ignore"}}).status == 201);
  CHECK(post({{"name", "gitea/webhooks"}, {"clone_url", "x"}, {"forge", "gitea"}, {"secret", "gitea-secret"},
              {"fork_pull_requests", "sometimes"}}).json["error"]["message"] ==
        "\"fork_pull_requests\" must be run, approve or ignore");

  auto held = Hook(server, "gitea", gitea,
                   {{"X-Gitea-Event", "pull_request"},
                    {"X-Gitea-Delivery", "pr-1"},
                    {"X-Gitea-Signature", slipway::webhooks::HmacSha256Hex("gitea-secret", gitea)}});
  INFO(held.body);
  REQUIRE(held.status == 202);
  CHECK(held.json["approval"] == "awaiting");
  json run = server.Get("/api/v1/runs/" + held.json["run_id"].dump()).json;
  CHECK(run["trigger"] == "pull_request");
  CHECK(run["branch"] == "pull/7");
  CHECK(run["sha"] == "bffeb74224043ba2feb48d137756c8a9331c449a");
  CHECK(run["links"]["pull_request"] == "http://localhost:3000/gitea/webhooks/pulls/7");

  // slipway approve: the run is released and planned (its commit cannot be fetched here: error).
  std::string out = Run({BinaryDir() + "/cli/slipway", "approve", held.json["run_id"].dump(), "--server", server.url(),
                         "--token", Server::kAdminToken});
  CHECK(out == "run " + held.json["run_id"].dump() + " approved\n");
  json planned = server.WaitForRun(held.json["run_id"].get<int64_t>(), std::chrono::seconds(60));
  CHECK(planned["approval"] == "approved");
  CHECK(planned["status"] == "error");

  auto ignored = Hook(server, "gitlab", gitlab,
                      {{"X-Gitlab-Event", "Merge Request Hook"}, {"X-Gitlab-Event-UUID", "mr-1"}, {"X-Gitlab-Token", "gl-token"}});
  INFO(ignored.body);
  CHECK(ignored.status == 200);
  CHECK(ignored.json["reason"] == "pull requests from forks are ignored (fork_pull_requests: ignore)");
  CHECK(RunCount(server, "gitlabhq/gitlab-test") == 0);
}
