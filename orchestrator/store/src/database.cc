#include "store/database.h"

#include <sqlite3.h>

#include <chrono>
#include <string>
#include <utility>

#include "common/log.h"
#include "store/transaction.h"

namespace slipway::store {
namespace {

constexpr std::string_view kCreateSchemaMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL)";

int64_t NowMs() {
  // The wall clock is right here: applied_at is a record for people, not an input to logic.
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A migration leaves no row pointing at a missing one (they run with foreign keys off).
Status CheckForeignKeys(Connection& conn) {
  Result<Statement> check = conn.Prepare("PRAGMA foreign_key_check");
  if (!check.ok()) return check.status();
  Result<bool> row = check->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Ok();
  return Status::Internal("a row of table " + check->ColumnText(0) + " references a missing row of " +
                          check->ColumnText(2));
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, DatabaseOptions options) {
  return Open(path, options, EmbeddedMigrations());
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, DatabaseOptions options,
                                                 std::span<const Migration> migrations) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteStatus(raw, rc, "opening database " + path);
    sqlite3_close_v2(raw);
    return Status(ErrorCode::kUnavailable, status.message());
  }
  std::unique_ptr<Database> db(new Database(raw));
  Status status = db->Configure(options);
  if (!status.ok()) return status.Annotate("configuring database " + path);
  status = db->Migrate(migrations);
  if (!status.ok()) return status.Annotate("migrating database " + path);
  status = db->StartCheckpointer(path, options.checkpoint_interval_ms);
  if (!status.ok()) return status.Annotate("checkpointing database " + path);
  return db;
}

Database::~Database() {
  {
    std::lock_guard<std::mutex> lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_wake_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  sqlite3_close_v2(checkpoint_db_);
  for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Connection Database::Lock() { return Connection(this, std::unique_lock<std::mutex>(mutex_)); }

Status Database::Configure(const DatabaseOptions& options) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  Connection conn = Lock();
  {
    Result<Statement> wal = conn.Prepare("PRAGMA journal_mode=WAL");
    if (!wal.ok()) return wal.status();
    Result<bool> row = wal->Step();
    if (!row.ok()) return row.status();
    std::string mode = *row ? wal->ColumnText(0) : "";
    if (mode != "wal")
      return Status::Unavailable("journal_mode=WAL refused (mode is '" + mode + "')");
  }
  return conn.Exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
}

Status Database::StartCheckpointer(const std::string& path, int interval_ms) {
  if (interval_ms <= 0) return Status::Ok();
  {
    Connection conn = Lock();
    Status status = conn.Exec("PRAGMA wal_autocheckpoint=0");
    if (!status.ok()) return status;
  }
  int rc = sqlite3_open_v2(path.c_str(), &checkpoint_db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(checkpoint_db_, rc, "opening checkpoint connection");
  sqlite3_extended_result_codes(checkpoint_db_, 1);
  // A connection learns the file is in WAL mode on its first read; until then it cannot checkpoint.
  rc =
      sqlite3_exec(checkpoint_db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    return SqliteStatus(checkpoint_db_, rc, "reading from checkpoint connection");
  checkpointer_ = std::thread([this, interval = std::chrono::milliseconds(interval_ms)] {
    std::unique_lock<std::mutex> lock(checkpoint_mutex_);
    while (!checkpoint_wake_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      Result<int64_t> done = Checkpoint();
      if (!done.ok()) LogWarn("checkpoint failed", {{"error", done.status().ToString()}});
      lock.lock();
    }
  });
  return Status::Ok();
}

Result<int64_t> Database::Checkpoint() {
  std::lock_guard<std::mutex> lock(checkpoint_mutex_);
  sqlite3* db = checkpoint_db_;
  std::unique_lock<std::mutex> main_lock;
  if (db == nullptr) {  // no checkpoint connection: use the main one
    main_lock = std::unique_lock<std::mutex>(mutex_);
    db = db_;
  }
  int wal_frames = 0;
  int checkpointed = 0;
  int rc =
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &checkpointed);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc, "checkpoint");
  return int64_t{checkpointed};
}

Status Database::Migrate(std::span<const Migration> migrations) {
  Connection conn = Lock();
  Status status = conn.Exec(kCreateSchemaMigrations);
  if (!status.ok()) return status;

  // What is applied already, checked against what this binary knows.
  int applied = 0;
  {
    Result<Statement> stmt =
        conn.Prepare("SELECT version, name FROM schema_migrations ORDER BY version");
    if (!stmt.ok()) return stmt.status();
    while (true) {
      Result<bool> row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      int version = static_cast<int>(stmt->ColumnInt(0));
      std::string name = stmt->ColumnText(1);
      if (version != applied + 1 || static_cast<size_t>(applied) >= migrations.size() ||
          migrations[applied].version != version || migrations[applied].name != name) {
        return Status::Conflict("applied migration " + std::to_string(version) + " (" + name +
                                ") is not this build's; the database is newer or diverged");
      }
      applied = version;
    }
  }

  // Foreign keys are off while migrating, so a migration may rebuild a table that others
  // reference (SQLite's way to change a CHECK), and checked before each commit instead.
  if (applied < static_cast<int>(migrations.size())) {
    if (Status s = conn.Exec("PRAGMA foreign_keys=OFF"); !s.ok()) return s;
  }
  status = ApplyMigrations(conn, migrations, &applied);
  if (Status s = conn.Exec("PRAGMA foreign_keys=ON"); !s.ok() && status.ok()) status = s;
  if (!status.ok()) return status;
  schema_version_ = applied;
  return Status::Ok();
}

Status Database::ApplyMigrations(Connection& conn, std::span<const Migration> migrations, int* applied_io) {
  int applied = *applied_io;
  Status status = Status::Ok();
  for (size_t i = applied; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (m.version != static_cast<int>(i) + 1) {
      return Status::Internal("migration list out of order at version " +
                              std::to_string(m.version));
    }
    std::string label = std::to_string(m.version) + "_" + std::string(m.name);
    Result<Transaction> tx = Transaction::Begin(conn);
    if (!tx.ok()) return tx.status();
    status = conn.Exec(m.sql);
    if (!status.ok()) return status.Annotate("migration " + label);
    if (Status s = CheckForeignKeys(conn); !s.ok()) return s.Annotate("migration " + label);
    {
      Result<Statement> record = conn.Prepare(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)");
      if (!record.ok()) return record.status();
      record->BindInt(1, int64_t{m.version}).BindText(2, m.name).BindInt(3, NowMs());
      status = record->Run();
      if (!status.ok()) return status.Annotate("recording migration " + label);
    }
    status = tx->Commit();
    if (!status.ok()) return status.Annotate("migration " + label);
    LogInfo("applied migration",
            {{"version", std::to_string(m.version)}, {"name", std::string(m.name)}});
    applied = m.version;
    *applied_io = applied;
  }
  return Status::Ok();
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto it = db_->statements_.find(std::string(sql));
  if (it != db_->statements_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(it->second.stmt, &it->second.in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  const bool cache = it == db_->statements_.end();
  int rc = sqlite3_prepare_v3(db_->db_, sql.data(), static_cast<int>(sql.size()),
                              cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db_->db_, rc, "preparing: " + std::string(sql));
  if (stmt == nullptr) return Status::InvalidArgument("empty statement");
  if (!cache) return Statement(stmt, nullptr);  // the cached one is busy: a private copy
  auto [slot, inserted] =
      db_->statements_.emplace(std::string(sql), Database::CachedStatement{stmt, true});
  return Statement(stmt, &slot->second.in_use);
}

Status Connection::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_->db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  Status status = SqliteStatus(nullptr, rc, "exec");
  return Status(status.code(), message);
}

int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_->db_); }

int64_t Connection::Changes() const { return sqlite3_changes64(db_->db_); }

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_->db_) == 0; }

}  // namespace slipway::store
