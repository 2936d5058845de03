#include "store/database.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.h"
#include "store/repo_store.h"
#include "store/run_store.h"
#include "store/transaction.h"
#include "temp_database.h"

namespace slipway::store {
namespace {

using testing::CountRows;
using testing::TempDatabase;
using testing::TempDir;

std::string PragmaText(Database& db, const std::string& pragma) {
  Connection conn = db.Lock();
  auto stmt = conn.Prepare("PRAGMA " + pragma);
  REQUIRE(stmt.ok());
  auto row = stmt->Step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return stmt->ColumnText(0);
}

std::vector<std::pair<int64_t, int64_t>> AppliedVersions(Database& db) {
  Connection conn = db.Lock();
  auto stmt = conn.Prepare("SELECT version, applied_at FROM schema_migrations ORDER BY version");
  REQUIRE(stmt.ok());
  std::vector<std::pair<int64_t, int64_t>> applied;
  while (true) {
    auto row = stmt->Step();
    REQUIRE(row.ok());
    if (!*row) return applied;
    applied.emplace_back(stmt->ColumnInt(0), stmt->ColumnInt(1));
  }
}

bool TableExists(Database& db, const std::string& name) {
  Connection conn = db.Lock();
  auto stmt = conn.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  REQUIRE(stmt.ok());
  stmt->BindText(1, name);
  auto row = stmt->Step();
  REQUIRE(row.ok());
  return *row;
}

TEST_CASE("embedded migrations are numbered from 1 without gaps and hold the SQL files") {
  auto migrations = EmbeddedMigrations();
  REQUIRE(migrations.size() >= 2);
  for (size_t i = 0; i < migrations.size(); ++i) {
    CHECK(migrations[i].version == static_cast<int>(i) + 1);
    CHECK_FALSE(migrations[i].sql.empty());
  }
  CHECK(migrations[0].name == "create_core_tables");
  CHECK(migrations[0].sql.find("CREATE TABLE runs") != std::string_view::npos);
  CHECK(migrations[1].name == "create_image_tables");
}

TEST_CASE("opening an empty file applies every migration and records it") {
  TempDatabase t;
  const size_t count = EmbeddedMigrations().size();
  CHECK(t.db->schema_version() == static_cast<int>(count));
  auto applied = AppliedVersions(*t.db);
  REQUIRE(applied.size() == count);
  for (const char* table : {"repos", "webhook_deliveries", "runs", "jobs", "job_steps",
                            "log_chunks", "agents", "images", "layers", "scans"}) {
    CHECK(TableExists(*t.db, table));
  }
}

TEST_CASE("reopening a migrated database applies nothing again") {
  TempDir dir;
  std::vector<std::pair<int64_t, int64_t>> first;
  {
    auto db = Database::Open(dir.File("s.db"));
    REQUIRE(db.ok());
    first = AppliedVersions(**db);
    RepoStore repos(**db);
    REQUIRE(repos.Upsert({"o/r", "github", "http://x/r.git", "s", std::nullopt}, 1).ok());
  }
  auto db = Database::Open(dir.File("s.db"));
  REQUIRE(db.ok());
  CHECK((*db)->schema_version() == static_cast<int>(EmbeddedMigrations().size()));
  CHECK(AppliedVersions(**db) == first);  // same versions, same applied_at: nothing re-ran
  RepoStore repos(**db);
  CHECK(repos.GetByName("o/r").ok());  // the data survived
}

TEST_CASE("WAL, foreign keys, synchronous=NORMAL and the busy timeout are on") {
  TempDatabase t;
  CHECK(PragmaText(*t.db, "journal_mode") == "wal");
  CHECK(PragmaText(*t.db, "foreign_keys") == "1");
  CHECK(PragmaText(*t.db, "synchronous") == "1");  // NORMAL
  CHECK(PragmaText(*t.db, "busy_timeout") == "5000");
  CHECK(std::filesystem::exists(t.dir.File("slipway.db-wal")));

  // Foreign keys are enforced: a run for a repository that does not exist is refused.
  RunStore runs(*t.db);
  NewRun run;
  run.repo_id = 999;
  run.branch = "main";
  run.sha = "abc";
  run.created_at = 1;
  auto created = runs.CreateRun(run);
  REQUIRE_FALSE(created.ok());
  CHECK(created.status().code() == ErrorCode::kNotFound);
}

TEST_CASE("checkpoints run beside the writers, or inside them when asked") {
  TempDir dir;
  {
    auto db = Database::Open(dir.File("bg.db"));  // background checkpoints (the default)
    REQUIRE(db.ok());
    CHECK(PragmaText(**db, "wal_autocheckpoint") == "0");  // the writers never checkpoint
    RepoStore repos(**db);
    REQUIRE(repos.Upsert({"o/r", "github", "u", "", std::nullopt}, 1).ok());
    auto frames = (*db)->Checkpoint();
    REQUIRE(frames.ok());
    CHECK(*frames > 0);
  }
  DatabaseOptions inline_checkpoints;
  inline_checkpoints.checkpoint_interval_ms = 0;
  auto db = Database::Open(dir.File("fg.db"), inline_checkpoints);
  REQUIRE(db.ok());
  CHECK(PragmaText(**db, "wal_autocheckpoint") == "1000");
  RepoStore repos(**db);
  REQUIRE(repos.Upsert({"o/r", "github", "u", "", std::nullopt}, 1).ok());
  auto frames = (*db)->Checkpoint();
  REQUIRE(frames.ok());
  CHECK(*frames > 0);
}

TEST_CASE("a failing migration leaves the database at the previous version") {
  TempDir dir;
  const Migration good[] = {{1, "create_a", "CREATE TABLE a (x INTEGER);"}};
  const Migration bad[] = {
      {1, "create_a", "CREATE TABLE a (x INTEGER);"},
      {2, "create_b", "CREATE TABLE b (x INTEGER); INSERT INTO missing VALUES (1);"}};
  const Migration fixed[] = {{1, "create_a", "CREATE TABLE a (x INTEGER);"},
                             {2, "create_b", "CREATE TABLE b (x INTEGER);"}};
  {
    auto db = Database::Open(dir.File("m.db"), {}, good);
    REQUIRE(db.ok());
    CHECK((*db)->schema_version() == 1);
  }
  {
    auto db = Database::Open(dir.File("m.db"), {}, bad);
    REQUIRE_FALSE(db.ok());
    CHECK(db.status().message().find("2_create_b") != std::string::npos);
  }
  {
    auto db = Database::Open(dir.File("m.db"), {}, good);
    REQUIRE(db.ok());
    CHECK((*db)->schema_version() == 1);
    CHECK_FALSE(TableExists(**db, "b"));  // the half of migration 2 that ran was rolled back
  }
  auto db = Database::Open(dir.File("m.db"), {}, fixed);
  REQUIRE(db.ok());
  CHECK((*db)->schema_version() == 2);
  CHECK(TableExists(**db, "b"));
}

TEST_CASE("a database migrated by a different migration list is refused") {
  TempDir dir;
  const Migration ours[] = {{1, "create_a", "CREATE TABLE a (x INTEGER);"}};
  const Migration theirs[] = {{1, "create_other", "CREATE TABLE o (x INTEGER);"}};
  const Migration newer[] = {{1, "create_a", "CREATE TABLE a (x INTEGER);"},
                             {2, "create_b", "CREATE TABLE b (x INTEGER);"}};
  REQUIRE(Database::Open(dir.File("d.db"), {}, newer).ok());
  auto older_binary = Database::Open(dir.File("d.db"), {}, ours);
  REQUIRE_FALSE(older_binary.ok());
  CHECK(older_binary.status().code() == ErrorCode::kConflict);
  auto diverged = Database::Open(dir.File("d.db"), {}, theirs);
  REQUIRE_FALSE(diverged.ok());
  CHECK(diverged.status().code() == ErrorCode::kConflict);
}

TEST_CASE("a transaction not committed is rolled back, a committed one stays") {
  TempDatabase t;
  {
    Connection conn = t.db->Lock();
    auto tx = Transaction::Begin(conn);
    REQUIRE(tx.ok());
    REQUIRE(conn.Exec("INSERT INTO repos (name, forge, clone_url, created_at)"
                      " VALUES ('a/b', 'gitea', 'u', 1)")
                .ok());
    CHECK(conn.InTransaction());
  }
  CHECK(CountRows(*t.db, "repos") == 0);
  {
    Connection conn = t.db->Lock();
    auto tx = Transaction::Begin(conn);
    REQUIRE(tx.ok());
    REQUIRE(conn.Exec("INSERT INTO repos (name, forge, clone_url, created_at)"
                      " VALUES ('a/b', 'gitea', 'u', 1)")
                .ok());
    REQUIRE(tx->Commit().ok());
    CHECK_FALSE(conn.InTransaction());
  }
  CHECK(CountRows(*t.db, "repos") == 1);
}

TEST_CASE("statements map SQLite errors to status codes and can be prepared twice at once") {
  TempDatabase t;
  Connection conn = t.db->Lock();
  auto bad = conn.Prepare("SELECT nope FROM nowhere");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == ErrorCode::kInternal);

  REQUIRE(conn.Exec("INSERT INTO repos (name, forge, clone_url, created_at)"
                    " VALUES ('a/b', 'gitea', 'u', 1), ('c/d', 'github', 'u', 2)")
              .ok());
  const std::string sql =
      "INSERT INTO repos (name, forge, clone_url, created_at) VALUES (?1, ?2, 'u', 3)";
  auto dup = conn.Prepare(sql);
  REQUIRE(dup.ok());
  dup->BindText(1, "a/b").BindText(2, "gitea");
  CHECK(dup->Run().code() == ErrorCode::kAlreadyExists);
  auto check = conn.Prepare(sql);  // the cached one is in use: a private copy
  REQUIRE(check.ok());
  check->BindText(1, "e/f").BindText(2, "svn");
  CHECK(check->Run().code() == ErrorCode::kInvalidArgument);

  const std::string select = "SELECT name FROM repos ORDER BY name";
  auto outer = conn.Prepare(select);
  REQUIRE(outer.ok());
  auto inner = conn.Prepare(select);
  REQUIRE(inner.ok());
  REQUIRE(*outer->Step());
  REQUIRE(*inner->Step());
  REQUIRE(*inner->Step());
  CHECK(outer->ColumnText(0) == "a/b");
  CHECK(inner->ColumnText(0) == "c/d");
}

TEST_CASE("runs created from many threads get distinct consecutive numbers") {
  TempDatabase t;
  RepoStore repos(*t.db);
  auto repo = repos.Upsert({"o/r", "github", "u", "", std::nullopt}, 1);
  REQUIRE(repo.ok());
  RunStore runs(*t.db);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kPerThread; ++j) {
        NewRun run;
        run.repo_id = repo->id;
        run.branch = "main";
        run.sha = "s";
        run.trigger = "manual";
        run.created_at = j;
        if (!runs.CreateRun(run).ok()) ++failures[i];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int f : failures) CHECK(f == 0);
  RunFilter all;
  all.limit = 500;
  auto listed = runs.List(all);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == kThreads * kPerThread);
  std::set<int64_t> numbers;
  for (const Run& run : *listed) numbers.insert(run.number);
  CHECK(numbers.size() == kThreads * kPerThread);
  CHECK(*numbers.begin() == 1);
  CHECK(*numbers.rbegin() == kThreads * kPerThread);
}

}  // namespace
}  // namespace slipway::store
