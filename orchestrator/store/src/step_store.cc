#include "store/step_store.h"

#include "rows.h"
#include "store/transaction.h"

namespace slipway::store {

Status StepStore::ReplaceSteps(int64_t job_id, const std::vector<Step>& steps) {
  Connection conn = db_.Lock();
  Result<Transaction> tx = Transaction::Begin(conn);
  if (!tx.ok()) return tx.status();
  {
    Result<Statement> clear = conn.Prepare("DELETE FROM job_steps WHERE job_id = ?1");
    if (!clear.ok()) return clear.status();
    clear->BindInt(1, job_id);
    Status status = clear->Run();
    if (!status.ok()) return status;
  }
  for (const Step& step : steps) {
    Result<Statement> insert = conn.Prepare(
        "INSERT INTO job_steps (job_id, idx, digest, name, cached, started_at, completed_at,"
        " duration_ms, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!insert.ok()) return insert.status();
    insert->BindInt(1, job_id)
        .BindInt(2, int64_t{step.index})
        .BindText(3, step.digest)
        .BindText(4, step.name)
        .BindInt(5, int64_t{step.cached ? 1 : 0})
        .BindInt(6, step.started_at)
        .BindInt(7, step.completed_at)
        .BindInt(8, step.duration_ms)
        .BindText(9, step.error);
    Status status = insert->Run();
    if (!status.ok()) return status.Annotate("step " + std::to_string(step.index));
  }
  return tx->Commit();
}

Result<std::vector<Step>> StepStore::List(int64_t job_id) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "SELECT idx, digest, name, cached, started_at, completed_at, duration_ms, error"
      " FROM job_steps WHERE job_id = ?1 ORDER BY idx");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, job_id);
  return ReadAll<Step>(*stmt, [](const Statement& s) {
    return Step{static_cast<int>(s.ColumnInt(0)),
                s.ColumnText(1),
                s.ColumnText(2),
                s.ColumnInt(3) != 0,
                s.ColumnOptionalInt(4),
                s.ColumnOptionalInt(5),
                s.ColumnOptionalInt(6),
                s.ColumnText(7)};
  });
}

}  // namespace slipway::store
