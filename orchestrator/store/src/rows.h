// Reading result rows into plain structs: every row, or exactly one (kNotFound when none).
//
// Thread-safety: used inside one held Connection.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/statement.h"

namespace slipway::store {

template <typename T, typename ReadRow>
Result<std::vector<T>> ReadAll(Statement& stmt, ReadRow read_row) {
  std::vector<T> rows;
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    rows.push_back(read_row(stmt));
  }
}

template <typename T, typename ReadRow>
Result<T> ReadOne(Statement& stmt, ReadRow read_row, std::string not_found) {
  Result<bool> row = stmt.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(std::move(not_found));
  return read_row(stmt);
}

}  // namespace slipway::store
