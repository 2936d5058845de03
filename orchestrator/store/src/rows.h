// Reading result rows into plain structs: every row, or exactly one (kNotFound when none). A row
// reader returns T, or Result<T> when a row can be unreadable (an unknown status): its error is
// the call's.
//
// Thread-safety: used inside one held Connection.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/build_status.h"
#include "store/statement.h"

namespace slipway::store {

template <typename T, typename ReadRow>
Result<std::vector<T>> ReadAll(Statement& stmt, ReadRow read_row) {
  std::vector<T> rows;
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    Result<T> item = read_row(stmt);
    if (!item.ok()) return item.status();
    rows.push_back(std::move(*item));
  }
}

template <typename T, typename ReadRow>
Result<T> ReadOne(Statement& stmt, ReadRow read_row, std::string not_found) {
  Result<bool> row = stmt.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(std::move(not_found));
  return Result<T>(read_row(stmt));
}

// A status column's value; an unknown word is an error (kInternal), never a default.
template <typename Status, typename FromName>
Result<Status> ReadStatusColumn(const Statement& stmt, int column, FromName from_name, const std::string& row) {
  std::string text = stmt.ColumnText(column);
  std::optional<Status> status = from_name(text);
  if (!status) return slipway::Status::Internal(row + " has an unknown status '" + text + "' in the database");
  return *status;
}

}  // namespace slipway::store
