#include "store/job_store.h"

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "rows.h"
#include "store/transaction.h"
#include "writes.h"

namespace slipway::store {
namespace {

constexpr char kSelectJobs[] =
    "SELECT id, run_id, name, stage, spec, needs, status, attempt, max_attempts, lease_id,"
    " lease_expires_at, agent, started_at, finished_at, duration_ms, result, error FROM jobs ";

std::vector<std::string> ParseNeeds(const std::string& text) {
  std::vector<std::string> needs;
  // The column is CHECKed to be JSON; an element of another type is skipped, not thrown.
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return needs;
  for (const auto& item : parsed) {
    if (item.is_string()) needs.push_back(item.get<std::string>());
  }
  return needs;
}

Result<Job> ReadJob(const Statement& s) {
  Job j;
  j.id = s.ColumnInt(0);
  j.run_id = s.ColumnInt(1);
  j.name = s.ColumnText(2);
  j.stage = s.ColumnText(3);
  j.spec_json = s.ColumnText(4);
  j.needs = ParseNeeds(s.ColumnText(5));
  auto status = ReadStatusColumn<JobStatus>(s, 6, JobStatusFromName, "job " + std::to_string(j.id));
  if (!status.ok()) return status.status();
  j.status = *status;
  j.attempt = static_cast<int>(s.ColumnInt(7));
  j.max_attempts = static_cast<int>(s.ColumnInt(8));
  j.lease_id = s.ColumnOptionalText(9);
  j.lease_expires_at = s.ColumnOptionalInt(10);
  j.agent = s.ColumnText(11);
  j.started_at = s.ColumnOptionalInt(12);
  j.finished_at = s.ColumnOptionalInt(13);
  j.duration_ms = s.ColumnOptionalInt(14);
  j.result_json = s.ColumnOptionalText(15);
  j.error = s.ColumnText(16);
  return j;
}

bool IsTerminal(std::string_view status) { return status != "pending" && status != "running"; }

// Why an UPDATE guarded by `WHERE id = ? AND lease_id = ? AND status = 'running'` changed nothing.
Status ExplainFenced(Connection& conn, int64_t job_id, std::string_view lease_id) {
  Result<Statement> stmt = conn.Prepare("SELECT status, lease_id FROM jobs WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, job_id);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  std::string job = "job " + std::to_string(job_id);
  if (!*row) return Status::NotFound(job + " does not exist");
  std::string status = stmt->ColumnText(0);
  std::optional<std::string> current = stmt->ColumnOptionalText(1);
  if (current && *current == lease_id && IsTerminal(status)) {
    return Status::AlreadyExists(job + " already finished (" + status + ") under this lease");
  }
  return Status::Conflict(job + " is not running under lease " + std::string(lease_id) + " (" +
                          status + ")");
}

// Why an UPDATE guarded by the job's status changed nothing: NotFound, or Conflict saying
// "job N <refusal> (<status>)".
Status ExplainRefused(Connection& conn, int64_t job_id, std::string_view refusal) {
  Result<Statement> stmt = conn.Prepare("SELECT status FROM jobs WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, job_id);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  std::string job = "job " + std::to_string(job_id);
  if (!*row) return Status::NotFound(job + " does not exist");
  return Status::Conflict(job + " " + std::string(refusal) + " (" + stmt->ColumnText(0) + ")");
}

}  // namespace

Status FinishJobRow(Connection& conn, int64_t job_id, std::string_view lease_id, JobStatus status,
                    std::string_view result_json, std::string_view error, int64_t finished_at,
                    int64_t duration_ms) {
  if (!IsFinal(status) || status == JobStatus::kSkipped) {
    return Status::InvalidArgument("a job finishes as success, failure, canceled or error, not '" +
                                   std::string(JobStatusName(status)) + "'");
  }
  {
    // lease_id stays, so a retried Finish under it is recognised; the status fences every write.
    Result<Statement> stmt = conn.Prepare(
        "UPDATE jobs SET status = ?3, result = ?4, error = ?5, finished_at = ?6, duration_ms = ?7,"
        " lease_expires_at = NULL"
        " WHERE id = ?1 AND lease_id = ?2 AND status = 'running'");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, job_id).BindText(2, lease_id).BindText(3, JobStatusName(status));
    if (result_json.empty()) {
      stmt->BindNull(4);
    } else {
      stmt->BindText(4, result_json);
    }
    stmt->BindText(5, error).BindInt(6, finished_at).BindInt(7, duration_ms);
    Status result = stmt->Run();
    if (!result.ok()) return result.Annotate("finishing job " + std::to_string(job_id));
  }
  if (conn.Changes() > 0) return Status::Ok();
  return ExplainFenced(conn, job_id, lease_id);
}

Result<std::vector<Job>> JobStore::CreateJobs(int64_t run_id, const std::vector<NewJob>& jobs) {
  Connection conn = db_.Lock();
  {
    Result<Transaction> tx = Transaction::Begin(conn);
    if (!tx.ok()) return tx.status();
    for (const NewJob& job : jobs) {
      Result<Statement> stmt = conn.Prepare(
          "INSERT INTO jobs (run_id, name, stage, spec, needs, max_attempts)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      if (!stmt.ok()) return stmt.status();
      stmt->BindInt(1, run_id)
          .BindText(2, job.name)
          .BindText(3, job.stage)
          .BindText(4, job.spec_json)
          .BindText(5, JsonText(nlohmann::json(job.needs)))
          .BindInt(6, int64_t{job.max_attempts});
      Status status = stmt->Run();
      if (!status.ok()) return status.Annotate("creating job " + job.name);
    }
    Status status = tx->Commit();
    if (!status.ok()) return status;
  }
  Result<Statement> stmt = conn.Prepare(std::string(kSelectJobs) + "WHERE run_id = ?1 ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, run_id);
  return ReadAll<Job>(*stmt, ReadJob);
}

Result<Job> JobStore::Get(int64_t id) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kSelectJobs) + "WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id);
  return ReadOne<Job>(*stmt, ReadJob, "job " + std::to_string(id) + " does not exist");
}

Result<Job> JobStore::GetByLease(std::string_view lease_id) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kSelectJobs) + "WHERE lease_id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, lease_id);
  return ReadOne<Job>(*stmt, ReadJob, "no job holds lease " + std::string(lease_id));
}

Result<std::vector<Job>> JobStore::ListByRun(int64_t run_id) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kSelectJobs) + "WHERE run_id = ?1 ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, run_id);
  return ReadAll<Job>(*stmt, ReadJob);
}

Result<std::vector<Job>> JobStore::ListUnfinished() {
  Connection conn = db_.Lock();
  Result<Statement> stmt =
      conn.Prepare(std::string(kSelectJobs) + "WHERE status IN ('pending', 'running') ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  return ReadAll<Job>(*stmt, ReadJob);
}

Result<std::vector<LeasedJob>> JobStore::ListLeased() {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "SELECT j.id, j.run_id, j.name, p.name, j.agent, j.started_at FROM jobs j"
      " JOIN runs r ON r.id = j.run_id JOIN repos p ON p.id = r.repo_id"
      " WHERE j.status = 'running' ORDER BY j.agent, j.started_at, j.id");
  if (!stmt.ok()) return stmt.status();
  return ReadAll<LeasedJob>(*stmt, [](const Statement& s) {
    return LeasedJob{s.ColumnInt(0), s.ColumnInt(1), s.ColumnText(2),
                     s.ColumnText(3), s.ColumnText(4), s.ColumnInt(5)};
  });
}

Status JobStore::MarkLeased(int64_t job_id, std::string_view lease_id, std::string_view agent,
                            int attempt, int64_t lease_expires_at, int64_t started_at) {
  if (lease_id.empty()) return Status::InvalidArgument("empty lease id");
  Connection conn = db_.Lock();
  {
    Result<Statement> stmt = conn.Prepare(
        "UPDATE jobs SET status = 'running', lease_id = ?2, agent = ?3, attempt = ?4,"
        " lease_expires_at = ?5, started_at = ?6, finished_at = NULL, duration_ms = NULL"
        " WHERE id = ?1 AND status = 'pending'");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, job_id)
        .BindText(2, lease_id)
        .BindText(3, agent)
        .BindInt(4, int64_t{attempt})
        .BindInt(5, lease_expires_at)
        .BindInt(6, started_at);
    Status status = stmt->Run();
    if (!status.ok()) return status.Annotate("leasing job " + std::to_string(job_id));
  }
  if (conn.Changes() > 0) return Status::Ok();
  return ExplainRefused(conn, job_id, "is not pending");
}

Status JobStore::RenewLease(int64_t job_id, std::string_view lease_id, int64_t lease_expires_at) {
  Connection conn = db_.Lock();
  {
    Result<Statement> stmt = conn.Prepare(
        "UPDATE jobs SET lease_expires_at = ?3"
        " WHERE id = ?1 AND lease_id = ?2 AND status = 'running'");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, job_id).BindText(2, lease_id).BindInt(3, lease_expires_at);
    Status status = stmt->Run();
    if (!status.ok()) return status;
  }
  if (conn.Changes() > 0) return Status::Ok();
  Status why = ExplainFenced(conn, job_id, lease_id);
  // A finished job's lease cannot be renewed either: the holder must stop.
  if (why.code() == ErrorCode::kAlreadyExists) return Status::Conflict(why.message());
  return why;
}

Status JobStore::Finish(int64_t job_id, std::string_view lease_id, JobStatus status,
                        std::string_view result_json, std::string_view error, int64_t finished_at,
                        int64_t duration_ms) {
  Connection conn = db_.Lock();
  return FinishJobRow(conn, job_id, lease_id, status, result_json, error, finished_at, duration_ms);
}

Status JobStore::SetStatus(int64_t job_id, JobStatus status, std::optional<int64_t> finished_at) {
  if (status == JobStatus::kRunning) {
    return Status::InvalidArgument("a job becomes running only by a lease (MarkLeased)");
  }
  Connection conn = db_.Lock();
  {
    Result<Statement> stmt = conn.Prepare(
        "UPDATE jobs SET status = ?2, lease_id = NULL, lease_expires_at = NULL,"
        " finished_at = COALESCE(?3, finished_at)"
        " WHERE id = ?1 AND status IN ('pending', 'running')");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, job_id).BindText(2, JobStatusName(status)).BindInt(3, finished_at);
    Status result = stmt->Run();
    if (!result.ok()) return result.Annotate("job " + std::to_string(job_id));
  }
  if (conn.Changes() > 0) return Status::Ok();
  return ExplainRefused(conn, job_id, "has finished");
}

}  // namespace slipway::store
