// Statement: one prepared SQLite statement, with binding, stepping and column access.
//
//   auto stmt = conn.Prepare("SELECT name FROM repos WHERE id = ?1");
//   if (!stmt.ok()) return stmt.status();
//   stmt->BindInt(1, id);
//   Result<bool> row = stmt->Step();   // true: a row is ready; false: done
//
// Bind indexes are 1-based (as in SQL's ?1), column indexes 0-based (as in the SELECT list). A bind
// error is kept and returned by the next Step or Run. Errors are Status values: a UNIQUE or PRIMARY
// KEY violation is kAlreadyExists, a FOREIGN KEY violation kNotFound, a CHECK or NOT NULL violation
// kInvalidArgument, a busy database kUnavailable, anything else kInternal.
//
// Thread-safety: a Statement belongs to the Connection that prepared it and is used only while that
// Connection is held. REQUIRES: a Statement is destroyed before its Connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace slipway::store {

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& BindInt(int index, int64_t value);
  Statement& BindInt(int index, std::optional<int64_t> value);  // nullopt binds NULL
  Statement& BindText(int index, std::string_view value);
  Statement& BindText(int index, const std::optional<std::string>& value);
  Statement& BindText(int index, const std::string& value) {
    return BindText(index, std::string_view(value));
  }
  Statement& BindText(int index, const char* value) {
    return BindText(index, std::string_view(value));
  }
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);

  // Advances to the next row: true when a row is ready, false when the statement is done.
  Result<bool> Step();
  // Steps until done (for INSERT/UPDATE/DELETE); rows, if any, are skipped.
  Status Run();

  bool ColumnIsNull(int column) const;
  int64_t ColumnInt(int column) const;  // NULL reads as 0
  std::optional<int64_t> ColumnOptionalInt(int column) const;
  std::string ColumnText(int column) const;  // NULL reads as ""; also reads BLOBs
  std::optional<std::string> ColumnOptionalText(int column) const;

 private:
  friend class Connection;
  // `in_use` is the cache slot's flag (cleared on destruction, statement kept); nullptr: owned.
  Statement(sqlite3_stmt* stmt, bool* in_use);
  void Release();
  void NoteBind(int rc, int index);

  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;
  Status bind_status_;
};

// The Status for SQLite result code `rc` (extended codes understood), with `db`'s message.
Status SqliteStatus(sqlite3* db, int rc, std::string_view context);

}  // namespace slipway::store
