#include "store/transaction.h"

#include <utility>

#include "common/log.h"

namespace slipway::store {

Result<Transaction> Transaction::Begin(Connection& conn) {
  Status status = conn.Exec("BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  return Transaction(&conn);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(other.conn_), open_(std::exchange(other.open_, false)) {}

Transaction::~Transaction() {
  if (!open_ || !conn_->InTransaction()) return;
  Status status = conn_->Exec("ROLLBACK");
  if (!status.ok()) LogError("rollback failed", {{"error", status.ToString()}});
}

Status Transaction::Commit() {
  if (!open_) return Status::Internal("commit of a transaction that is not open");
  Status status = conn_->Exec("COMMIT");
  // On failure the transaction may still be open; the destructor rolls it back.
  if (status.ok()) open_ = false;
  return status;
}

}  // namespace slipway::store
