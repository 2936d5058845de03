#include "webhooks/push_event.h"

#include <catch2/catch.hpp>

#include "fixture_files.h"

namespace slipway::webhooks {
namespace {

using testing::ReadFixture;
using Paths = std::vector<std::string>;

TEST_CASE("GitHub new-branch push payload parses field by field") {
  Result<PushEvent> ev = ParsePushEvent(Forge::kGitHub, ReadFixture("github/push-new-branch.payload.json"));
  REQUIRE(ev.ok());
  CHECK(ev->forge == Forge::kGitHub);
  CHECK(ev->repo == "Codertocat/Hello-World");
  CHECK(ev->ref == "refs/heads/master");
  CHECK(ev->branch == "master");
  CHECK(ev->tag.empty());
  CHECK_FALSE(ev->is_tag);
  CHECK(ev->created);
  CHECK_FALSE(ev->deleted);
  CHECK(ev->before == "0000000000000000000000000000000000000000");
  CHECK(ev->after == "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
  CHECK(ev->head_message == "Initial commit");
  CHECK(ev->head_author == "Codertocat");
  CHECK(ev->changed_paths == Paths{"README.md"});
  CHECK(ev->paths_complete);
}

TEST_CASE("GitLab push hook payload parses, head commit found by id") {
  Result<PushEvent> ev = ParsePushEvent(Forge::kGitLab, ReadFixture("gitlab/push-hook.payload.json"));
  REQUIRE(ev.ok());
  CHECK(ev->repo == "mike/diaspora");
  CHECK(ev->ref == "refs/heads/master");
  CHECK(ev->branch == "master");
  CHECK_FALSE(ev->created);
  CHECK_FALSE(ev->deleted);
  CHECK(ev->before == "95790bf891e76fee5e1747ab589903a6a1f80f22");
  CHECK(ev->after == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
  CHECK(ev->head_message == "fixed readme");
  CHECK(ev->head_author == "GitLab dev user");
  CHECK(ev->changed_paths == Paths{"CHANGELOG", "app/controller/application.rb"});
  // total_commits_count is 4 while only 2 commits are listed.
  CHECK_FALSE(ev->paths_complete);
}

TEST_CASE("Gitea push payload parses, the body's secret field is ignored") {
  Result<PushEvent> ev = ParsePushEvent(Forge::kGitea, ReadFixture("gitea/push.payload.json"));
  REQUIRE(ev.ok());
  CHECK(ev->repo == "gitea/webhooks");
  CHECK(ev->branch == "develop");
  CHECK(ev->before == "28e1879d029cb852e4844d9c718537df08844e03");
  CHECK(ev->after == "bffeb74224043ba2feb48d137756c8a9331c449a");
  CHECK(ev->head_message == "Webhooks Yay!");
  CHECK(ev->head_author == "Gitea");
  CHECK(ev->changed_paths.empty());
  CHECK_FALSE(ev->paths_complete);  // this Gitea version sends no file lists
}

std::string Push(const std::string& ref, const std::string& after, const std::string& extra = "") {
  return R"({"ref":")" + ref + R"(","before":"95790bf891e76fee5e1747ab589903a6a1f80f22","after":")" +
         after + R"(","repository":{"full_name":"acme/shop"})" + extra + "}";
}
const std::string kSha = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";

TEST_CASE("Tag pushes and deletions are recognised") {
  Result<PushEvent> tag = ParsePushEvent(Forge::kGitHub, Push("refs/tags/v1.2.0", kSha));
  REQUIRE(tag.ok());
  CHECK(tag->is_tag);
  CHECK(tag->tag == "v1.2.0");
  CHECK(tag->branch.empty());

  Result<PushEvent> gone =
      ParsePushEvent(Forge::kGitHub, Push("refs/heads/old", std::string(40, '0'), R"(,"deleted":true)"));
  REQUIRE(gone.ok());
  CHECK(gone->deleted);
  CHECK(gone->branch == "old");

  Result<PushEvent> zero_after = ParsePushEvent(Forge::kGitea, Push("refs/heads/old", std::string(40, '0')));
  REQUIRE(zero_after.ok());
  CHECK(zero_after->deleted);
}

TEST_CASE("Changed paths are the sorted union over commits") {
  std::string extra = R"(,"commits":[{"id":"a","added":["b.txt","src/x.cc"],"modified":[],"removed":["old"]},
                                     {"id":")" + kSha + R"(","message":"two","author":{"name":"Ann"},
                                      "added":[],"modified":["src/x.cc","Dockerfile"],"removed":[]}])";
  Result<PushEvent> ev = ParsePushEvent(Forge::kGitea, Push("refs/heads/main", kSha, extra));
  REQUIRE(ev.ok());
  CHECK(ev->changed_paths == Paths{"Dockerfile", "b.txt", "old", "src/x.cc"});
  CHECK(ev->head_message == "two");
  CHECK(ev->head_author == "Ann");
  CHECK(ev->paths_complete);
}

TEST_CASE("Malformed JSON reports the byte offset") {
  Result<PushEvent> ev = ParsePushEvent(Forge::kGitHub, R"({"ref": "refs/heads/main",, })");
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.status().code() == ErrorCode::kInvalidArgument);
  CHECK(ev.status().message() == "body is not valid JSON (byte 27)");

  CHECK(ParsePushEvent(Forge::kGitHub, "").status().code() == ErrorCode::kInvalidArgument);
  CHECK(ParsePushEvent(Forge::kGitHub, "[1,2]").status().message() == "body is not a JSON object");
}

TEST_CASE("Bodies over 25 MiB are refused as too large") {
  std::string padded = Push("refs/heads/main", kSha, R"(,"pad":")" + std::string(kMaxBodyBytes, 'x') + "\"");
  CHECK(ParsePushEvent(Forge::kGitHub, padded).status().code() == ErrorCode::kTooLarge);
  std::string fits = Push("refs/heads/main", kSha, R"(,"pad":")" + std::string(1 << 20, 'x') + "\"");
  CHECK(ParsePushEvent(Forge::kGitHub, fits).ok());
}

TEST_CASE("Deeply nested bodies are refused before parsing") {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  Result<PushEvent> ev = ParsePushEvent(Forge::kGitHub, deep);
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.status().message() == "body nests deeper than 64 levels at byte 64");
  // Brackets inside strings do not count.
  std::string in_string = Push("refs/heads/main", kSha, R"(,"x":")" + std::string(200, '[') + "\"");
  CHECK(ParsePushEvent(Forge::kGitHub, in_string).ok());
}

TEST_CASE("Missing or mistyped fields are named") {
  auto message = [](Forge f, const std::string& body) {
    return ParsePushEvent(f, body).status().message();
  };
  CHECK(message(Forge::kGitHub, R"({"ref":"refs/heads/main"})") == "missing field repository");
  CHECK(message(Forge::kGitHub, R"({"repository":{}})") == "missing field repository.full_name");
  CHECK(message(Forge::kGitHub, R"({"repository":{"full_name":"a/b"}})") == "missing field ref");
  CHECK(message(Forge::kGitHub, R"({"repository":{"full_name":"a/b"},"ref":7})") ==
        "field ref is not a string");
  CHECK(message(Forge::kGitHub, R"({"repository":{"full_name":"a/b"},"ref":"refs/heads/m"})") ==
        "missing field before");
  CHECK(message(Forge::kGitLab, Push("refs/heads/main", kSha)) == "missing field project");
  CHECK(message(Forge::kGitLab, R"({"project":{"name":"x"}})") ==
        "missing field project.path_with_namespace");
  CHECK(message(Forge::kGitHub, Push("refs/heads/main", kSha, R"(,"commits":{})")) ==
        "field commits is not an array");
  CHECK(message(Forge::kGitHub, Push("refs/heads/main", kSha, R"(,"commits":[{"added":"x"}])")) ==
        "field commits[0].added is not an array");
}

TEST_CASE("Hostile refs, shas and repository names are refused") {
  for (std::string ref : {"refs/heads/--upload-pack=evil", "refs/heads/a..b", "refs/heads/x@{1}",
                          "refs/heads/bad\\nname", "refs/heads/sp ace", "refs/heads/.hidden",
                          "refs/heads/x.lock", "refs/heads/", "refs/notes/x", "main"}) {
    Result<PushEvent> ev = ParsePushEvent(Forge::kGitHub, Push(ref, kSha));
    INFO(ref);
    CHECK(ev.status().code() == ErrorCode::kInvalidArgument);
  }
  CHECK(ParsePushEvent(Forge::kGitHub, Push("refs/heads/main", "DA1560886D4F094C3E6C9EF40349F7D38B5D27D7"))
            .status().message() == "after: sha \"DA1560886D4F094C3E6C9EF40349F7D38B5D27D7\" is not lowercase hex");
  CHECK(ParsePushEvent(Forge::kGitHub, Push("refs/heads/main", "abc123")).status().code() ==
        ErrorCode::kInvalidArgument);
  std::string bad_repo = R"({"ref":"refs/heads/main","before":")" + kSha + R"(","after":")" + kSha +
                         R"(","repository":{"full_name":"../etc/passwd"}})";
  CHECK(ParsePushEvent(Forge::kGitHub, bad_repo).status().message() ==
        "repository \"../etc/passwd\" has a '.' segment");
}

}  // namespace
}  // namespace slipway::webhooks
