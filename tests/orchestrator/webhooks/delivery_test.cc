#include "webhooks/delivery.h"

#include <catch2/catch.hpp>

#include "fixture_files.h"
#include "webhooks/hook_decision.h"
#include "webhooks/signature.h"

namespace slipway::webhooks {
namespace {

using testing::ReadFixture;
using testing::ReadHeaderFixture;

TEST_CASE("Gitea documented headers give the delivery id and event") {
  HeaderList headers = ReadHeaderFixture("gitea/push.headers.txt");
  REQUIRE(headers.size() == 6);
  Result<DeliveryInfo> info = ReadDelivery(Forge::kGitea, headers, "{}");
  REQUIRE(info.ok());
  CHECK(info->id == "f6266f16-1bf3-46a5-9ea4-602e06ead473");
  CHECK_FALSE(info->id_from_body);
  CHECK(info->event == "push");
}

TEST_CASE("GitLab without X-Gitlab-Event-UUID falls back to the body's SHA-256") {
  HeaderList headers = ReadHeaderFixture("gitlab/push-hook.headers.txt");
  std::string body = ReadFixture("gitlab/push-hook.payload.json");
  Result<DeliveryInfo> info = ReadDelivery(Forge::kGitLab, headers, body);
  REQUIRE(info.ok());
  CHECK(info->event == "Push Hook");
  CHECK(info->id_from_body);
  CHECK(info->id == "body-sha256:" + Sha256Hex(body));
  // The same body redelivered gives the same id; another body another.
  CHECK(ReadDelivery(Forge::kGitLab, headers, body)->id == info->id);
  CHECK(ReadDelivery(Forge::kGitLab, headers, body + "\n")->id != info->id);

  headers.emplace_back("X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e");
  Result<DeliveryInfo> with_uuid = ReadDelivery(Forge::kGitLab, headers, body);
  REQUIRE(with_uuid.ok());
  CHECK(with_uuid->id == "13792a34-cac6-4fda-95a8-c58e00a3954e");
}

TEST_CASE("GitHub delivery headers, hostile values refused") {
  HeaderList headers = {{"x-github-event", "push"}, {"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"}};
  Result<DeliveryInfo> info = ReadDelivery(Forge::kGitHub, headers, "{}");
  REQUIRE(info.ok());
  CHECK(info->id == "72d3162e-cc78-11e3-81ab-4c9367dc0958");

  CHECK(ReadDelivery(Forge::kGitHub, {{"X-GitHub-Delivery", "x"}}, "{}").status().message() ==
        "missing X-GitHub-Event header");
  HeaderList newline = {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "abc\ndef"}};
  CHECK(ReadDelivery(Forge::kGitHub, newline, "{}").status().message() ==
        "X-GitHub-Delivery holds a non-printable character");
  HeaderList huge = {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", std::string(129, 'a')}};
  CHECK(ReadDelivery(Forge::kGitHub, huge, "{}").status().code() == ErrorCode::kInvalidArgument);
  HeaderList empty = {{"X-GitHub-Event", ""}};
  CHECK(ReadDelivery(Forge::kGitHub, empty, "{}").status().message() == "X-GitHub-Event is empty");
}

TEST_CASE("Decisions: push starts a run, ping, tags, deletions and other events do not") {
  Result<HookDecision> push =
      DecideHook(Forge::kGitHub, "push", ReadFixture("github/push-new-branch.payload.json"));
  REQUIRE(push.ok());
  CHECK(push->start_run);
  REQUIRE(push->push.has_value());
  CHECK(push->push->branch == "master");

  Result<HookDecision> gitlab =
      DecideHook(Forge::kGitLab, "Push Hook", ReadFixture("gitlab/push-hook.payload.json"));
  REQUIRE(gitlab.ok());
  CHECK(gitlab->start_run);

  Result<HookDecision> ping = DecideHook(Forge::kGitHub, "ping", "not even json");
  REQUIRE(ping.ok());
  CHECK_FALSE(ping->start_run);
  CHECK(ping->reason == "ping");

  Result<HookDecision> issues = DecideHook(Forge::kGitHub, "issues", "{}");
  REQUIRE(issues.ok());
  CHECK_FALSE(issues->start_run);
  CHECK(issues->reason == "event \"issues\" does not start runs");

  const std::string sha = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
  std::string tag_body = R"({"ref":"refs/tags/v2","before":")" + std::string(40, '0') +
                         R"(","after":")" + sha + R"(","project":{"path_with_namespace":"a/b"}})";
  Result<HookDecision> tag = DecideHook(Forge::kGitLab, "Tag Push Hook", tag_body);
  REQUIRE(tag.ok());
  CHECK(tag->start_run);  // a new tag builds (trigger tag)
  CHECK(tag->push->tag == "v2");

  std::string deleted = R"({"ref":"refs/heads/x","before":")" + sha + R"(","after":")" +
                        std::string(40, '0') + R"(","repository":{"full_name":"a/b"},"deleted":true})";
  Result<HookDecision> del = DecideHook(Forge::kGitHub, "push", deleted);
  REQUIRE(del.ok());
  CHECK_FALSE(del->start_run);
  CHECK(del->reason == "branch deleted");

  CHECK(DecideHook(Forge::kGitHub, "push", "{").status().code() == ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::webhooks
