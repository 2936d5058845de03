#include "store/outbox_store.h"

#include "rows.h"
#include "store/transaction.h"

namespace slipway::store {
namespace {

constexpr char kFields[] =
    "id, repo_id, kind, topic, seq, payload, state, attempts, next_attempt_at, last_error, "
    "created_at, finished_at";

OutboxMessage ReadMessage(const Statement& s) {
  return OutboxMessage{.id = s.ColumnInt(0),
                       .repo_id = s.ColumnInt(1),
                       .kind = s.ColumnText(2),
                       .topic = s.ColumnText(3),
                       .seq = s.ColumnInt(4),
                       .payload = s.ColumnText(5),
                       .state = s.ColumnText(6),
                       .attempts = static_cast<int>(s.ColumnInt(7)),
                       .next_attempt_at = s.ColumnInt(8),
                       .last_error = s.ColumnText(9),
                       .created_at = s.ColumnInt(10),
                       .finished_at = s.ColumnOptionalInt(11)};
}

// Runs one UPDATE or DELETE of a single row; kNotFound when it changed none.
Status UpdateOne(Connection& conn, Statement& stmt, int64_t id) {
  if (Status s = stmt.Run(); !s.ok()) return s;
  if (conn.Changes() == 0)
    return Status::NotFound("outbox message " + std::to_string(id) + " is not pending");
  return Status::Ok();
}

}  // namespace

Result<int64_t> OutboxStore::Enqueue(const NewOutboxMessage& message, int64_t now_ms) {
  Connection conn = db_.Lock();
  Result<Transaction> tx = Transaction::Begin(conn);
  if (!tx.ok()) return tx.status();
  if (message.skip_repeat) {
    auto last = conn.Prepare(
        "SELECT id, payload, state FROM forge_outbox WHERE repo_id = ?1 AND topic = ?2 ORDER BY "
        "seq DESC LIMIT 1");
    if (!last.ok()) return last.status();
    last->BindInt(1, message.repo_id).BindText(2, message.topic);
    Result<bool> row = last->Step();
    if (!row.ok()) return row.status();
    if (*row && last->ColumnText(1) == message.payload && last->ColumnText(2) != "failed")
      return last->ColumnInt(0);
  }
  if (message.supersede) {
    auto drop = conn.Prepare(
        "UPDATE forge_outbox SET state = 'superseded', finished_at = ?3"
        " WHERE repo_id = ?1 AND topic = ?2 AND state = 'pending'");
    if (!drop.ok()) return drop.status();
    drop->BindInt(1, message.repo_id).BindText(2, message.topic).BindInt(3, now_ms);
    if (Status s = drop->Run(); !s.ok()) return s;
  }
  auto insert = conn.Prepare(
      "INSERT INTO forge_outbox (repo_id, kind, topic, seq, payload, next_attempt_at, created_at)"
      " VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM forge_outbox WHERE repo_id = ?1 "
      "AND topic = ?3),"
      " ?4, ?5, ?5)");
  if (!insert.ok()) return insert.status();
  insert->BindInt(1, message.repo_id).BindText(2, message.kind).BindText(3, message.topic);
  insert->BindText(4, message.payload).BindInt(5, now_ms);
  if (Status s = insert->Run(); !s.ok())
    return s.Annotate("storing a " + message.kind + " message");
  int64_t id = conn.LastInsertRowId();
  if (Status s = tx->Commit(); !s.ok()) return s;
  return id;
}

Result<std::vector<OutboxMessage>> OutboxStore::Due(int64_t now_ms, int limit) {
  Connection conn = db_.Lock();
  auto stmt =
      conn.Prepare(std::string("SELECT ") + kFields +
                   " FROM forge_outbox o WHERE state = 'pending' AND next_attempt_at <= ?1"
                   " AND NOT EXISTS (SELECT 1 FROM forge_outbox p WHERE p.repo_id = o.repo_id"
                   " AND p.topic = o.topic AND p.state = 'pending' AND p.seq < o.seq)"
                   " ORDER BY id LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, now_ms).BindInt(2, limit);
  return ReadAll<OutboxMessage>(*stmt, ReadMessage);
}

Result<std::optional<int64_t>> OutboxStore::NextDueAt() {
  Connection conn = db_.Lock();
  auto stmt = conn.Prepare("SELECT MIN(next_attempt_at) FROM forge_outbox WHERE state = 'pending'");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  return stmt->ColumnOptionalInt(0);
}

Result<std::vector<OutboxMessage>> OutboxStore::ListByRepo(int64_t repo_id, int limit) {
  Connection conn = db_.Lock();
  auto stmt = conn.Prepare(std::string("SELECT ") + kFields +
                           " FROM forge_outbox WHERE repo_id = ?1 ORDER BY id DESC LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, repo_id).BindInt(2, limit);
  return ReadAll<OutboxMessage>(*stmt, ReadMessage);
}

Status OutboxStore::MarkSent(int64_t id, int64_t now_ms) {
  Connection conn = db_.Lock();
  auto stmt = conn.Prepare(
      "UPDATE forge_outbox SET state = 'sent', attempts = attempts + 1, last_error = '', "
      "finished_at = ?2"
      " WHERE id = ?1 AND state IN ('pending', 'superseded')");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id).BindInt(2, now_ms);
  return UpdateOne(conn, *stmt, id);
}

Status OutboxStore::MarkRetry(int64_t id, int64_t next_attempt_at, std::string_view error) {
  Connection conn = db_.Lock();
  auto stmt = conn.Prepare(
      "UPDATE forge_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3"
      " WHERE id = ?1 AND state = 'pending'");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id).BindInt(2, next_attempt_at).BindText(3, error);
  if (Status s = stmt->Run(); !s.ok()) return s;
  return Status::Ok();  // superseded meanwhile: nothing to retry
}

Status OutboxStore::MarkFailed(int64_t id, std::string_view error, int64_t now_ms) {
  Connection conn = db_.Lock();
  auto stmt = conn.Prepare(
      "UPDATE forge_outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2, "
      "finished_at = ?3"
      " WHERE id = ?1 AND state = 'pending'");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id).BindText(2, error).BindInt(3, now_ms);
  if (Status s = stmt->Run(); !s.ok()) return s;
  return Status::Ok();
}

Result<int64_t> OutboxStore::PruneFinished(int64_t before_ms) {
  Connection conn = db_.Lock();
  auto stmt =
      conn.Prepare("DELETE FROM forge_outbox WHERE state <> 'pending' AND finished_at < ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, before_ms);
  if (Status s = stmt->Run(); !s.ok()) return s;
  return conn.Changes();
}

Result<std::optional<std::string>> OutboxStore::CommentId(int64_t repo_id, int64_t pr_number) {
  Connection conn = db_.Lock();
  auto stmt =
      conn.Prepare("SELECT comment_id FROM forge_comments WHERE repo_id = ?1 AND pr_number = ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, repo_id).BindInt(2, pr_number);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->ColumnText(0));
}

Status OutboxStore::SetCommentId(int64_t repo_id, int64_t pr_number, std::string_view comment_id) {
  Connection conn = db_.Lock();
  auto stmt = conn.Prepare(
      "INSERT INTO forge_comments (repo_id, pr_number, comment_id) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (repo_id, pr_number) DO UPDATE SET comment_id = excluded.comment_id");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, repo_id).BindInt(2, pr_number).BindText(3, comment_id);
  return stmt->Run();
}

Status OutboxStore::ForgetCommentId(int64_t repo_id, int64_t pr_number) {
  Connection conn = db_.Lock();
  auto stmt = conn.Prepare("DELETE FROM forge_comments WHERE repo_id = ?1 AND pr_number = ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, repo_id).BindInt(2, pr_number);
  return stmt->Run();
}

}  // namespace slipway::store
