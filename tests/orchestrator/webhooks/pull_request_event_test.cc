#include "webhooks/pull_request_event.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fixture_files.h"
#include "support/files.h"
#include "webhooks/hook_decision.h"

namespace slipway::webhooks {
namespace {

using nlohmann::json;
using testing::ReadFixture;

// GitHub's own pull_request examples, from the npm package @octokit/webhooks-examples (installed
// into web/node_modules by scripts/setup).
std::vector<json> GitHubExamples(const std::string& event) {
  std::string path = std::string(SLIPWAY_SOURCE_DIR) +
                     "/web/node_modules/@octokit/webhooks-examples/api.github.com/index.json";
  json all = json::parse(::slipway::testing::ReadFile(path));
  for (const json& e : all) {
    if (e.at("name") == event) return e.at("examples").get<std::vector<json>>();
  }
  return {};
}

TEST_CASE("every GitHub pull_request example parses, and only opened/reopened/synchronize build") {
  std::vector<json> examples = GitHubExamples("pull_request");
  REQUIRE(examples.size() >= 20);
  int built = 0, closed = 0;
  for (const json& example : examples) {
    INFO(example.at("action"));
    Result<PullRequestEvent> ev = ParsePullRequestEvent(Forge::kGitHub, example.dump());
    REQUIRE(ev.ok());
    const json& pr = example.at("pull_request");
    CHECK(ev->repo == example.at("repository").at("full_name"));
    CHECK(ev->number == pr.at("number"));
    CHECK(ev->title == pr.at("title"));
    CHECK(ev->head_sha == pr.at("head").at("sha"));
    CHECK(ev->source_branch == pr.at("head").at("ref"));
    CHECK(ev->target_branch == pr.at("base").at("ref"));
    CHECK(ev->head_ref == "refs/pull/" + std::to_string(ev->number) + "/head");
    CHECK(ev->web_url == example.at("repository").at("html_url"));
    std::string action = example.at("action");
    bool builds = action == "opened" || action == "reopened" || action == "synchronize";
    CHECK((ev->what == PullRequestAction::kBuild) == builds);
    CHECK((ev->what == PullRequestAction::kClose) == (action == "closed"));
    built += builds;
    closed += action == "closed";
  }
  CHECK(built >= 4);
  CHECK(closed >= 1);
}

TEST_CASE("GitHub opened example: same repository, not a fork, edited into a fork") {
  std::vector<json> examples = GitHubExamples("pull_request");
  auto opened = std::find_if(examples.begin(), examples.end(), [](const json& e) { return e.at("action") == "opened"; });
  REQUIRE(opened != examples.end());
  json example = *opened;
  Result<PullRequestEvent> ev = ParsePullRequestEvent(Forge::kGitHub, example.dump());
  REQUIRE(ev.ok());
  CHECK(ev->repo == "Codertocat/Hello-World");
  CHECK(ev->number == 2);
  CHECK(ev->source_branch == "changes");
  CHECK(ev->target_branch == "master");
  CHECK(ev->source_repo == "Codertocat/Hello-World");
  CHECK_FALSE(ev->fork);
  CHECK(ev->author == "Codertocat");

  example["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World";
  ev = ParsePullRequestEvent(Forge::kGitHub, example.dump());
  REQUIRE(ev.ok());
  CHECK(ev->fork);
  CHECK(ev->source_repo == "mallory/Hello-World");

  example["pull_request"]["head"]["repo"] = nullptr;  // the fork was deleted
  ev = ParsePullRequestEvent(Forge::kGitHub, example.dump());
  REQUIRE(ev.ok());
  CHECK(ev->fork);
}

TEST_CASE("hostile pull request fields are refused with the field named") {
  json example = GitHubExamples("pull_request").at(0);
  json bad = example;
  bad["pull_request"]["head"]["ref"] = "--upload-pack=x";
  Result<PullRequestEvent> ev = ParsePullRequestEvent(Forge::kGitHub, bad.dump());
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.status().message().find("source branch") != std::string::npos);

  bad = example;
  bad["pull_request"]["head"]["sha"] = "HEAD";
  CHECK_FALSE(ParsePullRequestEvent(Forge::kGitHub, bad.dump()).ok());

  bad = example;
  bad["pull_request"]["number"] = -3;
  ev = ParsePullRequestEvent(Forge::kGitHub, bad.dump());
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.status().message() == "field pull_request.number is not a positive integer");

  bad = example;
  bad["pull_request"].erase("base");
  ev = ParsePullRequestEvent(Forge::kGitHub, bad.dump());
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.status().message() == "missing field pull_request.base");

  bad = example;
  bad["repository"]["html_url"] = "javascript:alert(1)";
  ev = ParsePullRequestEvent(Forge::kGitHub, bad.dump());
  REQUIRE(ev.ok());
  CHECK(ev->web_url.empty());
}

TEST_CASE("Gitea synchronized pull request from a fork") {
  Result<PullRequestEvent> ev =
      ParsePullRequestEvent(Forge::kGitea, ReadFixture("gitea/pull-request-synchronized.payload.json"));
  REQUIRE(ev.ok());
  CHECK(ev->what == PullRequestAction::kBuild);
  CHECK(ev->repo == "gitea/webhooks");
  CHECK(ev->number == 7);
  CHECK(ev->title == "Slim the runtime image");
  CHECK(ev->source_branch == "slim");
  CHECK(ev->target_branch == "main");
  CHECK(ev->source_repo == "alice/webhooks");
  CHECK(ev->fork);
  CHECK(ev->head_sha == "bffeb74224043ba2feb48d137756c8a9331c449a");
  CHECK(ev->head_ref == "refs/pull/7/head");
  CHECK(ev->web_url == "http://localhost:3000/gitea/webhooks");
}

TEST_CASE("GitLab merge request update: builds with new commits only, closes on close and merge") {
  std::string body = ReadFixture("gitlab/merge-request-update.payload.json");
  Result<PullRequestEvent> ev = ParsePullRequestEvent(Forge::kGitLab, body);
  REQUIRE(ev.ok());
  CHECK(ev->what == PullRequestAction::kBuild);
  CHECK(ev->repo == "gitlabhq/gitlab-test");
  CHECK(ev->number == 1);
  CHECK(ev->source_branch == "ms-viewport");
  CHECK(ev->target_branch == "master");
  CHECK(ev->source_repo == "awesome_space/awesome_project");
  CHECK(ev->fork);
  CHECK(ev->head_sha == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
  CHECK(ev->head_ref == "refs/merge-requests/1/head");
  CHECK(ev->author == "root");

  json edited = json::parse(body);
  edited["object_attributes"].erase("oldrev");  // a title edit: no new commits
  CHECK(ParsePullRequestEvent(Forge::kGitLab, edited.dump())->what == PullRequestAction::kOther);
  edited["object_attributes"]["action"] = "merge";
  CHECK(ParsePullRequestEvent(Forge::kGitLab, edited.dump())->what == PullRequestAction::kClose);
  edited["object_attributes"]["action"] = "open";
  edited["object_attributes"]["source_project_id"] = 1;
  ev = ParsePullRequestEvent(Forge::kGitLab, edited.dump());
  CHECK(ev->what == PullRequestAction::kBuild);
  CHECK_FALSE(ev->fork);
}

TEST_CASE("hook decisions for pull requests and tags") {
  auto examples = GitHubExamples("pull_request");
  auto labeled = std::find_if(examples.begin(), examples.end(), [](const json& e) { return e.at("action") == "labeled"; });
  REQUIRE(labeled != examples.end());
  Result<HookDecision> d = DecideHook(Forge::kGitHub, "pull_request", labeled->dump());
  REQUIRE(d.ok());
  CHECK_FALSE(d->start_run);
  CHECK(d->reason == "pull request action \"labeled\" does not start runs");

  auto closed = std::find_if(examples.begin(), examples.end(), [](const json& e) { return e.at("action") == "closed"; });
  d = DecideHook(Forge::kGitHub, "pull_request", closed->dump());
  REQUIRE(d.ok());
  CHECK(d->close_pull_request);
  CHECK_FALSE(d->start_run);

  // GitHub's push examples: a tag created starts a run, a tag deleted does not.
  int tag_runs = 0, tag_deletions = 0;
  for (const json& push : GitHubExamples("push")) {
    d = DecideHook(Forge::kGitHub, "push", push.dump());
    REQUIRE(d.ok());
    if (!d->push->is_tag) continue;
    CHECK(d->push->tag == "simple-tag");
    if (d->push->deleted) {
      CHECK_FALSE(d->start_run);
      CHECK(d->reason == "tag deleted");
      ++tag_deletions;
    } else {
      CHECK(d->start_run);
      ++tag_runs;
    }
  }
  CHECK(tag_runs >= 1);
  CHECK(tag_deletions >= 1);
}

TEST_CASE("CleanWebUrl keeps plain http(s) addresses only") {
  CHECK(CleanWebUrl("https://github.com/acme/shop/") == "https://github.com/acme/shop");
  CHECK(CleanWebUrl("http://127.0.0.1:3000/a/b") == "http://127.0.0.1:3000/a/b");
  CHECK(CleanWebUrl("ftp://x/y").empty());
  CHECK(CleanWebUrl("https://x/\"onmouseover=").empty());
  CHECK(CleanWebUrl("https://x/ y").empty());
  CHECK(CleanWebUrl("https://x/\xc3\xa9").empty());
  CHECK(CleanWebUrl("https://x/" + std::string(600, 'a')).empty());
}

}  // namespace
}  // namespace slipway::webhooks
