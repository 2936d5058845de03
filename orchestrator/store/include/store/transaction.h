// Transaction: BEGIN IMMEDIATE on construction, COMMIT on Commit(), ROLLBACK when destroyed without
// a successful Commit (early return, error). IMMEDIATE takes the write lock at once, so a
// transaction never fails half-way for lack of it.
//
//   Connection conn = db.Lock();
//   Result<Transaction> tx = Transaction::Begin(conn);
//   if (!tx.ok()) return tx.status();
//   ... statements through conn ...
//   return tx->Commit();
//
// Thread-safety: lives inside one held Connection. REQUIRES: destroyed before that Connection.
// Transactions do not nest.
#pragma once

#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}

  Connection* conn_;
  bool open_ = true;
};

}  // namespace slipway::store
