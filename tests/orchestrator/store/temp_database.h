// A fresh directory under the system temp dir for one test's database file, removed afterwards.
//
// Thread-safety: one per test; not shared.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "store/database.h"

namespace slipway::store::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("slipway-store-test-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

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
