// The forge outbox: per-topic order, superseding, retries and give-ups, pruning, comment ids.
#include "store/outbox_store.h"

#include <catch2/catch.hpp>

#include "store/repo_store.h"
#include "temp_database.h"

namespace slipway::store {
namespace {

using testing::TempDatabase;

struct Fixture {
  TempDatabase t;
  OutboxStore outbox{*t.db};
  int64_t repo_id = 0;

  Fixture() {
    auto repo = RepoStore(*t.db).Upsert(
        {"acme/shop", "github", "http://forge/shop.git", "s", std::nullopt}, 1);
    REQUIRE(repo.ok());
    repo_id = repo->id;
  }

  int64_t Add(const std::string& topic, const std::string& payload, bool supersede,
              int64_t now = 100) {
    auto id = outbox.Enqueue({.repo_id = repo_id,
                              .kind = "status",
                              .topic = topic,
                              .payload = payload,
                              .supersede = supersede},
                             now);
    REQUIRE(id.ok());
    return *id;
  }

  std::vector<std::string> DuePayloads(int64_t now = 1000) {
    auto due = outbox.Due(now, 10);
    REQUIRE(due.ok());
    std::vector<std::string> out;
    for (const auto& m : *due) out.push_back(m.payload);
    return out;
  }
};

TEST_CASE("a newer status supersedes the unsent one of its topic, not other topics") {
  Fixture f;
  f.Add("status:abc:slipway", R"({"state":"pending"})", true);
  f.Add("status:abc:slipway/test", R"({"state":"pending"})", true);
  f.Add("status:abc:slipway", R"({"state":"success"})", true);
  CHECK(f.DuePayloads() ==
        std::vector<std::string>{R"({"state":"pending"})", R"({"state":"success"})"});
  auto all = f.outbox.ListByRepo(f.repo_id, 10);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK(all->back().state == "superseded");
  CHECK(all->front().seq == 2);  // the second message of its topic
}

TEST_CASE("messages of one topic go one at a time, in order, even while the first is retried") {
  Fixture f;
  int64_t first = f.Add("notify", R"({"n":1})", false);
  f.Add("notify", R"({"n":2})", false);
  CHECK(f.DuePayloads() == std::vector<std::string>{R"({"n":1})"});
  REQUIRE(f.outbox.MarkRetry(first, 5000, "503 from the receiver").ok());
  CHECK(f.DuePayloads(1000).empty());  // the second waits behind the first
  auto next = f.outbox.NextDueAt();
  REQUIRE(next.ok());
  CHECK(*next == std::optional<int64_t>(100));  // the second's own time; it still waits its turn
  CHECK(f.DuePayloads(5000) == std::vector<std::string>{R"({"n":1})"});
  REQUIRE(f.outbox.MarkSent(first, 5000).ok());
  CHECK(f.DuePayloads(5000) == std::vector<std::string>{R"({"n":2})"});
}

TEST_CASE("a message superseded while on its way is still recorded as sent, its retry is not") {
  Fixture f;
  int64_t first = f.Add("status:abc:slipway", R"({"state":"pending"})", true);
  f.Add("status:abc:slipway", R"({"state":"running"})", true);
  REQUIRE(f.outbox.MarkRetry(first, 9000, "timeout").ok());  // no effect: superseded
  auto all = f.outbox.ListByRepo(f.repo_id, 10);
  REQUIRE(all.ok());
  CHECK(all->back().state == "superseded");
  CHECK(all->back().attempts == 0);
  REQUIRE(f.outbox.MarkSent(first, 200).ok());
  all = f.outbox.ListByRepo(f.repo_id, 10);
  CHECK(all->back().state == "sent");
  CHECK(f.outbox.MarkSent(first, 300).code() == ErrorCode::kNotFound);  // once
}

TEST_CASE("a state reported again is not stored twice, unless the first was given up") {
  Fixture f;
  auto add = [&](const std::string& payload) {
    auto id = f.outbox.Enqueue({.repo_id = f.repo_id,
                                .kind = "status",
                                .topic = "status:abc:slipway",
                                .payload = payload,
                                .supersede = true,
                                .skip_repeat = true},
                               100);
    REQUIRE(id.ok());
    return *id;
  };
  int64_t first = add(R"({"state":"running"})");
  CHECK(add(R"({"state":"running"})") == first);
  REQUIRE(f.outbox.MarkSent(first, 150).ok());
  CHECK(add(R"({"state":"running"})") == first);  // sent already: not again
  int64_t success = add(R"({"state":"success"})");
  CHECK(success != first);
  REQUIRE(f.outbox.MarkFailed(success, "422", 160).ok());
  CHECK(add(R"({"state":"success"})") != success);  // given up: stored anew
}

TEST_CASE("a failed message lets the next of its topic go, and finished ones are pruned") {
  Fixture f;
  int64_t first = f.Add("notify", R"({"n":1})", false, 100);
  f.Add("notify", R"({"n":2})", false, 100);
  REQUIRE(f.outbox.MarkFailed(first, "410 Gone", 150).ok());
  CHECK(f.DuePayloads() == std::vector<std::string>{R"({"n":2})"});
  auto pruned = f.outbox.PruneFinished(200);
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(testing::CountRows(*f.t.db, "forge_outbox") == 1);
}

TEST_CASE("a payload that is not JSON is refused") {
  Fixture f;
  auto id = f.outbox.Enqueue(
      {.repo_id = f.repo_id, .kind = "status", .topic = "t", .payload = "{", .supersede = false},
      1);
  CHECK(id.status().code() == ErrorCode::kInvalidArgument);
  auto kind = f.outbox.Enqueue(
      {.repo_id = f.repo_id, .kind = "fax", .topic = "t", .payload = "{}", .supersede = false}, 1);
  CHECK(kind.status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("the pull request comment id is kept per repository and number") {
  Fixture f;
  auto none = f.outbox.CommentId(f.repo_id, 7);
  REQUIRE(none.ok());
  CHECK_FALSE(*none);
  REQUIRE(f.outbox.SetCommentId(f.repo_id, 7, "1001").ok());
  REQUIRE(f.outbox.SetCommentId(f.repo_id, 7, "1002").ok());
  CHECK(*f.outbox.CommentId(f.repo_id, 7) == std::optional<std::string>("1002"));
  REQUIRE(f.outbox.ForgetCommentId(f.repo_id, 7).ok());
  CHECK_FALSE(*f.outbox.CommentId(f.repo_id, 7));
}

TEST_CASE("a repository's forge links are stored, kept when not given, and replaced when given") {
  Fixture f;
  RepoStore repos(*f.t.db);
  RepoSpec spec{"acme/shop", "github", "http://forge/shop.git", "s", std::nullopt};
  spec.links =
      ForgeLinks{"https://api.github.com", "https://hooks.example/slipway", {"run.failed"}};
  REQUIRE(repos.Upsert(spec, 2).ok());
  spec.links.reset();
  auto kept = repos.Upsert(spec, 3);
  REQUIRE(kept.ok());
  CHECK(kept->links.api_url == "https://api.github.com");
  CHECK(kept->links.notify_events == std::vector<std::string>{"run.failed"});
  spec.links = ForgeLinks{};
  auto cleared = repos.Upsert(spec, 4);
  REQUIRE(cleared.ok());
  CHECK(cleared->links.api_url.empty());
  CHECK(cleared->links.notify_url.empty());
}

}  // namespace
}  // namespace slipway::store
