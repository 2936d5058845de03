#include "store/run_store.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/repo_store.h"
#include "temp_database.h"

namespace slipway::store {
namespace {

using testing::CountRows;
using testing::TempDatabase;

struct Fixture {
  TempDatabase t;
  RepoStore repos{*t.db};
  RunStore runs{*t.db};
  int64_t shop = 0;
  int64_t tools = 0;

  Fixture() {
    auto a = repos.Upsert(
        {"acme/shop", "github", "http://forge/acme/shop.git", "s3cret", std::nullopt}, 10);
    auto b = repos.Upsert({"acme/tools", "gitea", "http://forge/acme/tools.git", "", "trunk"}, 11);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    shop = a->id;
    tools = b->id;
  }

  NewRun Push(int64_t repo, std::string branch, int64_t at) {
    NewRun run;
    run.repo_id = repo;
    run.branch = std::move(branch);
    run.sha = "0123456789abcdef0123456789abcdef01234567";
    run.message = "Add checkout";
    run.author = "dev";
    run.created_at = at;
    return run;
  }
};

TEST_CASE("repositories are upserted by name and keep their id and creation time") {
  Fixture f;
  auto again =
      f.repos.Upsert({"acme/shop", "gitlab", "http://other/shop.git", "new", std::nullopt}, 99);
  REQUIRE(again.ok());
  CHECK(again->id == f.shop);
  CHECK(again->forge == "gitlab");
  CHECK(again->clone_url == "http://other/shop.git");
  CHECK(again->secret == "new");
  CHECK(again->default_branch == "main");
  CHECK(again->created_at == 10);
  CHECK(f.repos.GetById(f.tools)->default_branch == "trunk");
  auto listed = f.repos.List();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].name == "acme/shop");
  CHECK(f.repos.GetByName("acme/none").status().code() == ErrorCode::kNotFound);
  CHECK(f.repos.Upsert({"x/y", "svn", "u", "", std::nullopt}, 1).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("a repository's publish policy is stored, kept when not given, replaced when given") {
  Fixture f;
  CHECK(f.repos.GetById(f.shop)->policy.image_prefixes.empty());  // none set: no rule
  PublishPolicy policy{{"127.0.0.1:5000/shop"}, {"latest", "v*"}, {"release"}, {"pool=build", "arch=*"}};
  auto set = f.repos.Upsert({"acme/shop", "github", "http://forge/acme/shop.git", "s3cret", std::nullopt, policy}, 1);
  REQUIRE(set.ok());
  CHECK(set->policy.image_prefixes == std::vector<std::string>{"127.0.0.1:5000/shop"});
  CHECK(set->policy.protected_tags == std::vector<std::string>{"latest", "v*"});
  CHECK(set->policy.protected_branches == std::vector<std::string>{"release"});
  CHECK(set->policy.agent_labels == std::vector<std::string>{"pool=build", "arch=*"});
  auto kept = f.repos.Upsert({"acme/shop", "github", "http://forge/acme/shop.git", "s3cret", std::nullopt}, 2);
  REQUIRE(kept.ok());
  CHECK(kept->policy.protected_tags == policy.protected_tags);
  CHECK(f.repos.GetByName("acme/shop")->policy.agent_labels == policy.agent_labels);
  auto cleared = f.repos.Upsert({"acme/shop", "github", "u", "s", std::nullopt, PublishPolicy{}}, 3);
  REQUIRE(cleared.ok());
  CHECK(cleared->policy.image_prefixes.empty());
  CHECK(cleared->policy.protected_tags.empty());
}

TEST_CASE("a push body seen before starts no run, under any delivery id, per repository") {
  Fixture f;
  const std::string body = std::string(64, 'a');
  auto first = f.runs.CreateRunForDelivery("github", "d-1", "push", f.Push(f.shop, "main", 100), body);
  REQUIRE(first.ok());
  CHECK_FALSE(first->duplicate);
  auto replay = f.runs.CreateRunForDelivery("github", "d-2", "push", f.Push(f.shop, "main", 200), body);
  REQUIRE(replay.ok());
  CHECK(replay->duplicate);
  CHECK(replay->run_id == first->run_id);
  CHECK(CountRows(*f.t.db, "runs") == 1);
  CHECK(CountRows(*f.t.db, "webhook_deliveries") == 2);  // the replay's delivery is kept, as "replay"
  // Its delivery id is now known too: sent a third time, it names the same run.
  auto again = f.runs.CreateRunForDelivery("github", "d-2", "push", f.Push(f.shop, "main", 300), body);
  REQUIRE(again.ok());
  CHECK(again->run_id == first->run_id);
  // The same body for another repository (another secret signed it) is its own push.
  auto other = f.runs.CreateRunForDelivery("gitea", "d-9", "push", f.Push(f.tools, "main", 400), body);
  REQUIRE(other.ok());
  CHECK_FALSE(other->duplicate);
  CHECK(CountRows(*f.t.db, "runs") == 2);
  // Another body is another push.
  auto next = f.runs.CreateRunForDelivery("github", "d-3", "push", f.Push(f.shop, "main", 500), std::string(64, 'b'));
  REQUIRE(next.ok());
  CHECK_FALSE(next->duplicate);
  CHECK(CountRows(*f.t.db, "runs") == 3);
}

TEST_CASE("a delivery seen twice starts one run") {
  Fixture f;
  auto first = f.runs.CreateRunForDelivery("github", "d-1", "push", f.Push(f.shop, "main", 100));
  REQUIRE(first.ok());
  REQUIRE(first->run_id);
  CHECK_FALSE(first->duplicate);

  auto second = f.runs.CreateRunForDelivery("github", "d-1", "push", f.Push(f.shop, "main", 200));
  REQUIRE(second.ok());
  CHECK(second->duplicate);
  CHECK(second->run_id == first->run_id);
  CHECK(CountRows(*f.t.db, "runs") == 1);
  CHECK(CountRows(*f.t.db, "webhook_deliveries") == 1);

  // The same id from another forge is another delivery.
  auto gitea = f.runs.CreateRunForDelivery("gitea", "d-1", "push", f.Push(f.tools, "main", 300));
  REQUIRE(gitea.ok());
  CHECK_FALSE(gitea->duplicate);
  CHECK(gitea->run_id != first->run_id);

  auto run = f.runs.Get(*first->run_id);
  REQUIRE(run.ok());
  CHECK(run->repo_name == "acme/shop");
  CHECK(run->number == 1);
  CHECK(run->status == RunStatus::kPending);
  CHECK(run->trigger == "push");
  CHECK(run->created_at == 100);
  CHECK(run->diagnostics_json == "[]");
}

TEST_CASE("a delivery that started no run is remembered without a run") {
  Fixture f;
  auto ping = f.runs.RecordDelivery("github", "p-1", "ping", std::nullopt, "ping", 5);
  REQUIRE(ping.ok());
  CHECK_FALSE(ping->duplicate);
  CHECK_FALSE(ping->run_id);
  auto retry = f.runs.CreateRunForDelivery("github", "p-1", "push", f.Push(f.shop, "main", 6));
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK_FALSE(retry->run_id);
  CHECK(CountRows(*f.t.db, "runs") == 0);
  CHECK(f.runs.RecordDelivery("github", "p-1", "ping", std::nullopt, "ping", 7)->duplicate);

  CHECK(f.runs.RecordDelivery("github", "", "ping", std::nullopt, "ping", 5).status().code() ==
        ErrorCode::kInvalidArgument);

  auto pruned = f.runs.PruneDeliveries(6);
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(CountRows(*f.t.db, "webhook_deliveries") == 0);
}

TEST_CASE("a delivery whose run cannot be stored leaves nothing behind") {
  Fixture f;
  NewRun bad = f.Push(f.shop, "main", 1);
  bad.trigger = "cron";  // not an allowed trigger: the run insert fails after the delivery insert
  auto result = f.runs.CreateRunForDelivery("github", "d-9", "push", bad);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == ErrorCode::kInvalidArgument);
  CHECK(CountRows(*f.t.db, "webhook_deliveries") == 0);
  CHECK(CountRows(*f.t.db, "runs") == 0);

  auto unknown_repo = f.runs.CreateRunForDelivery("github", "d-9", "push", f.Push(777, "main", 1));
  REQUIRE_FALSE(unknown_repo.ok());
  CHECK(CountRows(*f.t.db, "webhook_deliveries") == 0);

  // The delivery id is still free: the forge's retry goes through.
  auto retry = f.runs.CreateRunForDelivery("github", "d-9", "push", f.Push(f.shop, "main", 2));
  REQUIRE(retry.ok());
  CHECK_FALSE(retry->duplicate);
}

TEST_CASE("runs are numbered per repository") {
  Fixture f;
  CHECK(f.runs.CreateRun(f.Push(f.shop, "main", 1))->number == 1);
  CHECK(f.runs.CreateRun(f.Push(f.tools, "main", 2))->number == 1);
  NewRun rerun = f.Push(f.shop, "main", 3);
  rerun.trigger = "rerun";
  rerun.parent_run_id = 1;
  auto created = f.runs.CreateRun(rerun);
  REQUIRE(created.ok());
  CHECK(created->number == 2);
  CHECK(created->parent_run_id == 1);
  CHECK(created->trigger == "rerun");
}

TEST_CASE("runs are listed newest first, filtered and paged by id") {
  Fixture f;
  // shop: main, dev, main, dev, ...; tools: main.
  for (int i = 0; i < 10; ++i) {
    REQUIRE(f.runs.CreateRun(f.Push(f.shop, i % 2 == 0 ? "main" : "dev", i)).ok());
  }
  REQUIRE(f.runs.CreateRun(f.Push(f.tools, "main", 50)).ok());
  REQUIRE(f.runs.SetStatus(3, {RunStatus::kFailure, "boom", 5, 6}).ok());

  auto all = f.runs.List({});
  REQUIRE(all.ok());
  REQUIRE(all->size() == 11);
  CHECK(all->front().id == 11);
  CHECK(all->front().repo_name == "acme/tools");
  CHECK(all->back().id == 1);

  RunFilter shop_main;
  shop_main.repo = "acme/shop";
  shop_main.branch = "main";
  auto listed = f.runs.List(shop_main);
  REQUIRE(listed.ok());
  std::vector<int64_t> ids;
  for (const Run& run : *listed) ids.push_back(run.id);
  CHECK(ids == std::vector<int64_t>{9, 7, 5, 3, 1});

  RunFilter failed;
  failed.status = RunStatus::kFailure;
  listed = f.runs.List(failed);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().id == 3);
  CHECK(listed->front().error == "boom");

  RunFilter on_main;
  on_main.branch = "main";
  CHECK(f.runs.List(on_main)->size() == 6);

  // Pages of 4 with the cursor walk all 10 shop runs exactly once.
  RunFilter page;
  page.repo = "acme/shop";
  page.limit = 4;
  std::vector<int64_t> walked;
  while (true) {
    auto chunk = f.runs.List(page);
    REQUIRE(chunk.ok());
    if (chunk->empty()) break;
    for (const Run& run : *chunk) walked.push_back(run.id);
    page.before = chunk->back().id;
  }
  CHECK(walked == std::vector<int64_t>{10, 9, 8, 7, 6, 5, 4, 3, 2, 1});

  // And back up with the other cursor: each page newest first, the pages in reverse.
  RunFilter newer;
  newer.repo = "acme/shop";
  newer.limit = 4;
  newer.after = 2;
  auto up = f.runs.List(newer);
  REQUIRE(up.ok());
  std::vector<int64_t> up_ids;
  for (const Run& run : *up) up_ids.push_back(run.id);
  CHECK(up_ids == std::vector<int64_t>{6, 5, 4, 3});
  newer.after = 8;
  CHECK(f.runs.List(newer)->size() == 2);

  RunFilter nobody;
  nobody.repo = "acme/none";
  CHECK(f.runs.List(nobody)->empty());
}

TEST_CASE("the list limit defaults to 50 and is capped at 500") {
  Fixture f;
  for (int i = 0; i < 60; ++i) REQUIRE(f.runs.CreateRun(f.Push(f.shop, "main", i)).ok());
  RunFilter filter;
  filter.limit = 0;
  CHECK(f.runs.List(filter)->size() == 50);
  filter.limit = 55;
  CHECK(f.runs.List(filter)->size() == 55);
  filter.limit = 100000;
  CHECK(f.runs.List(filter)->size() == 60);
}

TEST_CASE("run status moves forward and stops at a terminal status") {
  Fixture f;
  auto run = f.runs.CreateRun(f.Push(f.shop, "main", 1));
  REQUIRE(run.ok());
  REQUIRE(f.runs.SetStatus(run->id, {RunStatus::kRunning, "", 10, std::nullopt}).ok());
  auto unfinished = f.runs.ListUnfinished();
  REQUIRE(unfinished.ok());
  REQUIRE(unfinished->size() == 1);

  REQUIRE(f.runs.SetStatus(run->id, {RunStatus::kSuccess, "", std::nullopt, 20}).ok());
  auto got = f.runs.Get(run->id);
  REQUIRE(got.ok());
  CHECK(got->status == RunStatus::kSuccess);
  CHECK(got->started_at == 10);  // kept
  CHECK(got->finished_at == 20);
  CHECK(f.runs.ListUnfinished()->empty());

  CHECK(f.runs.SetStatus(run->id, {RunStatus::kCanceled, "", std::nullopt, 30}).code() ==
        ErrorCode::kConflict);
  CHECK(f.runs.Get(run->id)->status == RunStatus::kSuccess);
  CHECK(f.runs.SetStatus(4242, {RunStatus::kCanceled, "", std::nullopt, 30}).code() == ErrorCode::kNotFound);
}

TEST_CASE("a run whose stored status is not a status word cannot be read") {
  Fixture f;
  auto run = f.runs.CreateRun(f.Push(f.shop, "main", 1));
  REQUIRE(run.ok());
  {
    Connection conn = f.t.db->Lock();
    REQUIRE(conn.Exec("PRAGMA ignore_check_constraints = ON").ok());
    REQUIRE(conn.Exec("UPDATE runs SET status = 'Pending' WHERE id = " + std::to_string(run->id)).ok());
    REQUIRE(conn.Exec("PRAGMA ignore_check_constraints = OFF").ok());
  }
  auto got = f.runs.Get(run->id);
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == ErrorCode::kInternal);
  CHECK(got.status().message() == "run " + std::to_string(run->id) + " has an unknown status 'Pending' in the database");
  CHECK(f.runs.List({}).status().code() == ErrorCode::kInternal);
}

TEST_CASE("diagnostics are stored as JSON") {
  Fixture f;
  auto run = f.runs.CreateRun(f.Push(f.shop, "main", 1));
  REQUIRE(run.ok());
  const std::string diagnostics =
      R"([{"code":"unknown-stage","message":"no stage 'tset'","line":4,"column":9}])";
  REQUIRE(f.runs.SetDiagnostics(run->id, diagnostics).ok());
  CHECK(f.runs.Get(run->id)->diagnostics_json == diagnostics);
  CHECK(f.runs.SetDiagnostics(run->id, "[{").code() == ErrorCode::kInvalidArgument);
  CHECK(f.runs.Get(run->id)->diagnostics_json == diagnostics);
  CHECK(f.runs.SetDiagnostics(999, "[]").code() == ErrorCode::kNotFound);
}

}  // namespace
}  // namespace slipway::store
