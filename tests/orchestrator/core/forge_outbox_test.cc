// ForgeOutbox against a fake forge (the hosted APIs cannot run here): statuses arrive once and in
// order through outages, rate limits and time-outs, and after the sender is made anew on the same
// database (a restart); the pull request comment is written once and then updated in place.
#include "core/forge_outbox.h"

#include <catch2/catch.hpp>

#include "../store/temp_database.h"
#include "core/forge_feedback.h"
#include "core/forge_messages.h"
#include "store/secret_store.h"
#include "support/fake_forge.h"
#include "webhooks/signature.h"

namespace slipway::core {
namespace {

using nlohmann::json;
using store::testing::TempDatabase;
using testing::FakeForge;

const std::string kSha = std::string(40, 'c');

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Fixture {
  TempDatabase temp;
  FakeForge forge;
  SecretBox box{SecretBox::Key{}};
  store::OutboxStore outbox{*temp.db};
  int64_t repo_id = 0;
  ForgeOutboxOptions options;

  explicit Fixture(const std::string& forge_name = "github") {
    store::RepoSpec spec{"acme/shop", forge_name, "http://127.0.0.1:9/shop.git", "s", std::nullopt};
    spec.links = store::ForgeLinks{forge.url() + "/api", forge.url() + "/notify", {}};
    auto repo = store::RepoStore(*temp.db).Upsert(spec, 1);
    REQUIRE(repo.ok());
    repo_id = repo->id;
    store::SecretStore secrets(*temp.db, box);
    REQUIRE(secrets.Put(repo_id, "forge_token", "ghp-fake-token", false, 1).ok());
    REQUIRE(secrets.Put(repo_id, "notify_secret", "notify-key", false, 1).ok());
    options.retry = {.first_backoff_ms = 50,
                     .max_backoff_ms = 200,
                     .rate_limit_wait_ms = 300,
                     .max_attempts = 30};
    options.request_timeout = std::chrono::milliseconds(300);
    options.idle_wait = std::chrono::milliseconds(50);
  }

  void AddStatus(const std::string& context, JobStatus status, const std::string& description) {
    CommitStatus s{kSha, context, status, context == "slipway", description, ""};
    auto id = outbox.Enqueue({.repo_id = repo_id,
                              .kind = "status",
                              .topic = StatusTopic(s),
                              .payload = ToJson(s).dump(),
                              .supersede = true,
                              .skip_repeat = true},
                             WallMs());
    REQUIRE(id.ok());
  }

  std::unique_ptr<ForgeOutbox> Sender() {
    auto sender = std::make_unique<ForgeOutbox>(*temp.db, &box, WallMs, options);
    sender->Start();
    return sender;
  }

  // The (context, state) pairs the forge took, in arrival order.
  std::vector<std::pair<std::string, std::string>> DeliveredStatuses() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : forge.Delivered()) {
      if (r.target.find("/statuses/") == std::string::npos) continue;
      out.emplace_back(r.Json().value("context", ""), r.Json().value("state", ""));
    }
    return out;
  }
};

TEST_CASE("statuses go out in order, with the token, and each once") {
  Fixture f;
  f.AddStatus("slipway", JobStatus::kPending, "run 1 queued");
  f.AddStatus("slipway/test", JobStatus::kPending, "queued");
  auto sender = f.Sender();
  REQUIRE(f.forge.WaitForDelivered(2, std::chrono::seconds(10)));
  f.AddStatus("slipway/test", JobStatus::kSuccess, "test success");
  REQUIRE(f.forge.WaitForDelivered(3, std::chrono::seconds(10)));
  sender->Stop();
  auto delivered = f.DeliveredStatuses();
  REQUIRE(delivered.size() == 3);
  CHECK(delivered[2] == std::pair<std::string, std::string>{"slipway/test", "success"});
  CHECK(f.forge.All().front().Header("Authorization") == "Bearer ghp-fake-token");
  CHECK(f.forge.All().front().target == "/api/repos/acme/shop/statuses/" + kSha);
  CHECK(f.forge.All().size() == 3);  // nothing sent twice
}

TEST_CASE("an outage of 500s, dropped connections and time-outs loses no status and keeps order") {
  Fixture f;
  f.forge.FailNext(2, FakeForge::Answer(500));
  f.forge.FailNext(2, FakeForge::Drop());
  f.forge.FailNext(1, FakeForge::Hang(std::chrono::milliseconds(600)));  // past the 300 ms time-out
  f.AddStatus("slipway/test", JobStatus::kPending, "queued");
  auto sender = f.Sender();
  // While the first is being retried, the stage moves on: its newer states queue behind it.
  f.AddStatus("slipway/test", JobStatus::kRunning, "building");
  f.AddStatus("slipway", JobStatus::kRunning, "run 1 building");
  REQUIRE(f.forge.WaitForDelivered(2, std::chrono::seconds(20)));
  f.AddStatus("slipway/test", JobStatus::kSuccess, "test success");
  f.AddStatus("slipway", JobStatus::kSuccess, "run 1: 1 stage built");
  REQUIRE(f.forge.WaitForDelivered(4, std::chrono::seconds(20)));
  sender->Stop();
  auto delivered = f.DeliveredStatuses();
  // Per context, the states arrive in the order they happened, never an older after a newer.
  std::map<std::string, std::vector<std::string>> by_context;
  for (const auto& [context, state] : delivered) by_context[context].push_back(state);
  CHECK(by_context["slipway"].back() == "success");
  CHECK(by_context["slipway/test"].back() == "success");
  for (auto& [context, states] : by_context) {
    auto success = std::find(states.begin(), states.end(), "success");
    CHECK(success == states.end() - 1);
  }
  CHECK(f.forge.All().size() >= delivered.size() + 5);  // the five failures were tried and retried
  auto stored = f.outbox.ListByRepo(f.repo_id, 50);
  REQUIRE(stored.ok());
  for (const auto& m : *stored) CHECK((m.state == "sent" || m.state == "superseded"));
}

TEST_CASE("a rate limit with Retry-After holds every status for that forge until it passes") {
  Fixture f;
  f.forge.FailNext(1,
                   FakeForge::Answer(403, {{"Retry-After", "1"}},
                                     R"({"message":"You have exceeded a secondary rate limit"})"));
  f.AddStatus("slipway", JobStatus::kPending, "queued");
  auto start = std::chrono::steady_clock::now();
  auto sender = f.Sender();
  while (f.forge.All().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  f.AddStatus("slipway/a", JobStatus::kPending, "queued");  // another topic, same forge: waits too
  REQUIRE(f.forge.WaitForDelivered(2, std::chrono::seconds(10)));
  auto waited = std::chrono::steady_clock::now() - start;
  sender->Stop();
  CHECK(waited >= std::chrono::milliseconds(950));
  auto all = f.forge.All();
  REQUIRE(all.size() == 3);  // the refused one, then both: none sent inside the window
  CHECK(all[0].delivered == false);
}

TEST_CASE("unsent statuses survive a restart of the sender and go out after it, once") {
  Fixture f;
  f.forge.SetDown(true);
  f.AddStatus("slipway", JobStatus::kPending, "queued");
  {
    auto sender = f.Sender();
    while (f.forge.All().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    f.AddStatus("slipway", JobStatus::kSuccess, "run 1: 1 stage built");
  }  // stopped while the forge is down: the process ends with messages unsent
  f.forge.SetDown(false);
  auto sender = f.Sender();  // as after a restart: the same database
  REQUIRE(f.forge.WaitForDelivered(1, std::chrono::seconds(10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  sender->Stop();
  // The newer state superseded the unsent pending one: the forge sees the result, once.
  CHECK(f.DeliveredStatuses() ==
        std::vector<std::pair<std::string, std::string>>{{"slipway", "success"}});
}

TEST_CASE(
    "a refused status is given up and the next one goes, a missing token waits for the token") {
  Fixture f;
  f.forge.FailNext(1, FakeForge::Answer(422, {}, R"({"message":"Validation Failed"})"));
  f.AddStatus("slipway", JobStatus::kPending, "queued");
  auto sender = f.Sender();
  while (f.forge.All().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  f.AddStatus("slipway", JobStatus::kSuccess, "done");
  REQUIRE(f.forge.WaitForDelivered(1, std::chrono::seconds(10)));
  sender->Stop();
  auto stored = f.outbox.ListByRepo(f.repo_id, 10);
  REQUIRE(stored.ok());
  CHECK(stored->back().state == "failed");
  CHECK(stored->back().last_error.find("422") != std::string::npos);

  REQUIRE(store::SecretStore(*f.temp.db, f.box).Delete(f.repo_id, "forge_token").ok());
  f.AddStatus("slipway/x", JobStatus::kPending, "queued");
  ForgeOutbox again(*f.temp.db, &f.box, WallMs, f.options);
  again.SendDue();
  auto waiting = f.outbox.ListByRepo(f.repo_id, 1);
  CHECK(waiting->front().state == "pending");
  CHECK(waiting->front().last_error.find("has no secret forge_token") != std::string::npos);
  CHECK(waiting->front().last_error.find("ghp-") == std::string::npos);
}

TEST_CASE("the pull request comment is created once, then updated in place, found by its marker") {
  for (std::string forge_name : {"github", "gitea", "gitlab"}) {
    DYNAMIC_SECTION(forge_name) {
      Fixture f(forge_name);
      int64_t other = f.forge.AddComment(5, "LGTM");
      auto send = [&](const std::string& text) {
        PrComment c{5, std::string(kPrCommentMarker) + "\n" + text};
        REQUIRE(f.outbox
                    .Enqueue({.repo_id = f.repo_id,
                              .kind = "comment",
                              .topic = CommentTopic(5),
                              .payload = ToJson(c).dump(),
                              .supersede = true},
                             WallMs())
                    .ok());
        ForgeOutbox sender(*f.temp.db, &f.box, WallMs, f.options);
        CHECK(sender.SendDue() == 1);
      };
      send("first run");
      send("second run");
      REQUIRE(store::OutboxStore(*f.temp.db)
                  .ForgetCommentId(f.repo_id, 5)
                  .ok());  // as if lost in a crash
      send("third run");
      auto comments = f.forge.Comments()[5];
      REQUIRE(comments.size() == 2);
      CHECK(comments[0] == "LGTM");
      CHECK(comments[1].ends_with("third run"));
      CHECK(other > 0);
    }
  }
}

TEST_CASE("notifications are signed, and each is delivered, in order") {
  Fixture f;
  ForgeFeedback feedback(*f.temp.db, "https://ci.example", WallMs, nullptr);
  auto run = store::RunStore(*f.temp.db)
                 .CreateRun({.repo_id = f.repo_id,
                             .branch = "main",
                             .sha = kSha,
                             .trigger = "manual",
                             .created_at = 1});
  REQUIRE(run.ok());
  REQUIRE(store::RunStore(*f.temp.db)
              .SetStatus(run->id, {.status = RunStatus::kFailure, .error = "", .finished_at = 9})
              .ok());
  f.forge.FailNext(1, FakeForge::Answer(503));
  feedback.OnRunFinished(*store::RunStore(*f.temp.db).Get(run->id), std::nullopt);
  feedback.OnBaseUpdateStarted(*run);
  auto sender = f.Sender();
  REQUIRE(f.forge.WaitForDelivered(2, std::chrono::seconds(10)));
  sender->Stop();
  auto got = f.forge.Delivered();
  REQUIRE(got.size() == 2);
  CHECK(got[0].Header("X-Slipway-Event") == "run.failed");
  CHECK(got[1].Header("X-Slipway-Event") == "base_update.started");
  CHECK(got[0].Header("X-Slipway-Signature-256") ==
        "sha256=" + webhooks::HmacSha256Hex("notify-key", got[0].body));
  CHECK(got[0].Json()["run"]["url"] == "https://ci.example/#/runs/" + std::to_string(run->id));
  CHECK(got[0].target == "/notify");
}

TEST_CASE("a finished run with a pull request number gets its comment, one without, none") {
  Fixture f;
  ForgeFeedback feedback(*f.temp.db, "https://ci.example", WallMs, nullptr);
  auto run = store::RunStore(*f.temp.db)
                 .CreateRun({.repo_id = f.repo_id,
                             .branch = "pull/5",
                             .sha = kSha,
                             .trigger = "manual",
                             .created_at = 1});
  REQUIRE(run.ok());
  auto jobs =
      store::JobStore(*f.temp.db).CreateJobs(run->id, {{"runtime", "runtime", "{}", {}, 1}});
  REQUIRE(jobs.ok());
  REQUIRE(store::JobStore(*f.temp.db).SetStatus(jobs->front().id, JobStatus::kCanceled, 5).ok());
  REQUIRE(store::RunStore(*f.temp.db)
              .SetStatus(run->id, {.status = RunStatus::kCanceled,
                                   .error = "canceled by request",
                                   .finished_at = 9})
              .ok());
  auto finished = *store::RunStore(*f.temp.db).Get(run->id);
  feedback.OnRunFinished(finished, std::nullopt);
  auto stored = f.outbox.ListByRepo(f.repo_id, 10);
  REQUIRE(stored->size() == 1);
  CHECK(stored->front().kind == "notify");
  ForgeOutbox sender(*f.temp.db, &f.box, WallMs, f.options);
  CHECK(sender.SendDue() == 1);
  feedback.OnRunFinished(finished, 5);
  CHECK(sender.SendDue() == 2);  // the notification again, and the comment
  auto comments = f.forge.Comments();
  REQUIRE(comments[5].size() == 1);
  CHECK(comments[5][0].starts_with(kPrCommentMarker));
  CHECK(comments[5][0].find("| runtime | ⚪ canceled |") != std::string::npos);
  CHECK(comments[5][0].find("[details](https://ci.example/#/runs/" + std::to_string(run->id) +
                            ")") != std::string::npos);
}

}  // namespace
}  // namespace slipway::core
