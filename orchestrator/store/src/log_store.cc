#include "store/log_store.h"

#include <algorithm>

#include "rows.h"

namespace slipway::store {

Result<bool> LogStore::Append(int64_t job_id, int attempt, int64_t seq, std::string_view data,
                              int64_t now_ms) {
  if (seq < 0) return Status::InvalidArgument("log seq must be 0 or more");
  Connection conn = db_.Lock();
  {
    Result<Statement> stmt = conn.Prepare(
        "INSERT INTO log_chunks (job_id, attempt, seq, data, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (job_id, attempt, seq) DO NOTHING");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, job_id)
        .BindInt(2, int64_t{attempt})
        .BindInt(3, seq)
        .BindBlob(4, data)
        .BindInt(5, now_ms);
    Status status = stmt->Run();
    if (!status.ok()) return status.Annotate("log of job " + std::to_string(job_id));
  }
  return conn.Changes() > 0;
}

Result<std::vector<LogChunk>> LogStore::ReadFrom(int64_t job_id, int attempt, int64_t after_seq,
                                                 int limit) {
  limit = std::clamp(limit, 1, kMaxReadLimit);
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "SELECT seq, data, created_at FROM log_chunks"
      " WHERE job_id = ?1 AND attempt = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, job_id)
      .BindInt(2, int64_t{attempt})
      .BindInt(3, after_seq)
      .BindInt(4, int64_t{limit});
  return ReadAll<LogChunk>(*stmt, [](const Statement& s) {
    return LogChunk{s.ColumnInt(0), s.ColumnText(1), s.ColumnInt(2)};
  });
}

}  // namespace slipway::store
