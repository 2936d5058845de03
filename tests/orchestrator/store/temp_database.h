// A migrated database in a temp dir of its own, for the store tests.
//
// Thread-safety: one per test; not shared.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "store/database.h"
#include "support/files.h"

namespace slipway::store::testing {

using ::slipway::testing::TempDir;

// A migrated database in its own temp dir.
struct TempDatabase {
  TempDir dir;
  std::unique_ptr<Database> db;

  TempDatabase() {
    auto opened = Database::Open(dir.File("slipway.db"));
    REQUIRE(opened.ok());
    db = std::move(*opened);
  }
};

// Counts rows of `table` (a fixed name from the test) through the store's own connection.
inline int64_t CountRows(Database& db, const std::string& table) {
  Connection conn = db.Lock();
  auto stmt = conn.Prepare("SELECT COUNT(*) FROM " + table);
  REQUIRE(stmt.ok());
  auto row = stmt->Step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return stmt->ColumnInt(0);
}

}  // namespace slipway::store::testing
