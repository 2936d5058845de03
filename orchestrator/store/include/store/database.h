// Database: the orchestrator's SQLite file. Open() creates it if needed, sets WAL journaling,
// foreign keys, a busy timeout and synchronous=NORMAL, then applies the embedded migrations it
// lacks (each in one transaction, recorded in `schema_migrations`, never applied twice).
//
// Thread-safety: there is one SQLite connection, guarded by a mutex. Lock() waits for it and
// returns a Connection, which holds the mutex until it is destroyed; all statements run through a
// Connection. Keep a Connection for the span of one store call, never across a wait: every store
// method takes and releases it itself. Prepared statements are cached per SQL text for the
// connection's life.
//
// Checkpoints (copying the WAL back into the database file, which syncs it) would otherwise fall on
// whichever write crosses SQLite's threshold and stall it for milliseconds. With
// checkpoint_interval_ms > 0 a background thread checkpoints on a second connection instead, beside
// the writers (PASSIVE mode never blocks them).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/status.h"
#include "store/migrations.h"
#include "store/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace slipway::store {

struct DatabaseOptions {
  int busy_timeout_ms = 5000;
  // Background checkpoint period; 0 leaves checkpoints to SQLite, inside the writing call.
  int checkpoint_interval_ms = 1000;
};

class Connection;

class Database {
 public:
  // Opens (or creates) the database at `path` and brings its schema up to date.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                DatabaseOptions options = {});
  // As above, with a given migration list (sorted by version); for tests of the migrator.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, DatabaseOptions options,
                                                std::span<const Migration> migrations);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Waits for the connection and holds it until the returned Connection is destroyed.
  Connection Lock();

  // Checkpoints the WAL now (PASSIVE) on the checkpoint connection; returns the number of WAL
  // frames that are in the database file afterwards. Safe from any thread.
  Result<int64_t> Checkpoint();

  // The highest migration version applied, as of Open().
  int schema_version() const { return schema_version_; }

 private:
  friend class Connection;
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  explicit Database(sqlite3* db) : db_(db) {}
  Status Configure(const DatabaseOptions& options);
  Status Migrate(std::span<const Migration> migrations);
  // Applies migrations[*applied..] one transaction each, advancing *applied. REQUIRES: foreign
  // keys off (Migrate).
  Status ApplyMigrations(Connection& conn, std::span<const Migration> migrations, int* applied);
  Status StartCheckpointer(const std::string& path, int interval_ms);

  std::mutex mutex_;
  sqlite3* db_;                                                  // GUARDED_BY(mutex_)
  std::unordered_map<std::string, CachedStatement> statements_;  // GUARDED_BY(mutex_)
  int schema_version_ = 0;

  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  sqlite3* checkpoint_db_ = nullptr;  // GUARDED_BY(checkpoint_mutex_)
  bool stopping_ = false;             // GUARDED_BY(checkpoint_mutex_)
  std::thread checkpointer_;
};

// Exclusive use of the Database's connection, for as long as this object lives.
class Connection {
 public:
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  // A statement for one SQL statement; reused from the cache when the same text is not in use.
  Result<Statement> Prepare(std::string_view sql);
  // Runs one or more statements that return no rows (schema, pragmas, BEGIN/COMMIT).
  Status Exec(std::string_view sql);

  int64_t LastInsertRowId() const;
  int64_t Changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
  bool InTransaction() const;

 private:
  friend class Database;
  Connection(Database* db, std::unique_lock<std::mutex> lock) : db_(db), lock_(std::move(lock)) {}

  Database* db_;
  std::unique_lock<std::mutex> lock_;
};

}  // namespace slipway::store
