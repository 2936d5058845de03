#include "store/run_store.h"

#include <algorithm>

#include "rows.h"
#include "store/transaction.h"

namespace slipway::store {
namespace {

constexpr char kSelectRuns[] =
    "SELECT r.id, r.repo_id, p.name, r.number, r.branch, r.sha, r.message, r.author, r.trigger,"
    " r.parent_run_id, r.status, r.error, r.diagnostics, r.created_at, r.started_at, r.finished_at,"
    " r.cancel_reason, r.pr_number, r.pr_title, r.pr_source_branch, r.pr_target_branch,"
    " r.pr_source_repo, r.pr_fork, r.tag, r.web_url, r.before_sha, r.approval, r.approved_at,"
    " p.forge"
    " FROM runs r JOIN repos p ON p.id = r.repo_id ";

Result<Run> ReadRun(const Statement& s) {
  Run r;
  r.id = s.ColumnInt(0);
  r.repo_id = s.ColumnInt(1);
  r.repo_name = s.ColumnText(2);
  r.number = s.ColumnInt(3);
  r.branch = s.ColumnText(4);
  r.sha = s.ColumnText(5);
  r.message = s.ColumnText(6);
  r.author = s.ColumnText(7);
  r.trigger = s.ColumnText(8);
  r.parent_run_id = s.ColumnOptionalInt(9);
  auto status = ReadStatusColumn<RunStatus>(s, 10, RunStatusFromName, "run " + std::to_string(r.id));
  if (!status.ok()) return status.status();
  r.status = *status;
  r.error = s.ColumnText(11);
  r.diagnostics_json = s.ColumnText(12);
  r.created_at = s.ColumnInt(13);
  r.started_at = s.ColumnOptionalInt(14);
  r.finished_at = s.ColumnOptionalInt(15);
  if (!s.ColumnIsNull(16)) r.cancel_reason = s.ColumnText(16);
  r.origin.pr_number = s.ColumnOptionalInt(17);
  r.origin.pr_title = s.ColumnText(18);
  r.origin.pr_source_branch = s.ColumnText(19);
  r.origin.pr_target_branch = s.ColumnText(20);
  r.origin.pr_source_repo = s.ColumnText(21);
  r.origin.pr_fork = s.ColumnInt(22) != 0;
  r.origin.tag = s.ColumnText(23);
  r.origin.web_url = s.ColumnText(24);
  r.origin.before_sha = s.ColumnText(25);
  std::string approval = s.ColumnText(26);
  r.approval = approval == "awaiting" ? Approval::kAwaiting
               : approval == "approved" ? Approval::kApproved
                                        : Approval::kNone;
  r.approved_at = s.ColumnOptionalInt(27);
  r.repo_forge = s.ColumnText(28);
  return r;
}

// Inserts the run with the next number of its repository. REQUIRES: inside a transaction.
Result<int64_t> InsertRun(Connection& conn, const NewRun& run) {
  Result<Statement> stmt = conn.Prepare(
      "INSERT INTO runs (repo_id, number, branch, sha, message, author, trigger, parent_run_id,"
      " created_at, pr_number, pr_title, pr_source_branch, pr_target_branch, pr_source_repo, pr_fork,"
      " tag, web_url, before_sha, approval)"
      " VALUES (?1, (SELECT COALESCE(MAX(number), 0) + 1 FROM runs WHERE repo_id = ?1),"
      " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, run.repo_id)
      .BindText(2, run.branch)
      .BindText(3, run.sha)
      .BindText(4, run.message)
      .BindText(5, run.author)
      .BindText(6, run.trigger)
      .BindInt(7, run.parent_run_id)
      .BindInt(8, run.created_at)
      .BindInt(9, run.origin.pr_number)
      .BindText(10, run.origin.pr_title)
      .BindText(11, run.origin.pr_source_branch)
      .BindText(12, run.origin.pr_target_branch)
      .BindText(13, run.origin.pr_source_repo)
      .BindInt(14, int64_t{run.origin.pr_fork ? 1 : 0})
      .BindText(15, run.origin.tag)
      .BindText(16, run.origin.web_url)
      .BindText(17, run.origin.before_sha)
      .BindText(18, ApprovalName(run.hold ? Approval::kAwaiting : Approval::kNone));
  Status status = stmt->Run();
  if (!status.ok()) return status.Annotate("creating run");
  return conn.LastInsertRowId();
}

// Inserts the delivery unless (forge, delivery_id) is there; on a duplicate, fills `outcome` from
// the first one. Returns whether it was inserted. REQUIRES: inside a transaction.
Result<bool> InsertDelivery(Connection& conn, std::string_view forge, std::string_view delivery_id,
                            std::string_view event, std::optional<int64_t> repo_id,
                            std::string_view outcome_text, int64_t received_at,
                            DeliveryOutcome& outcome) {
  if (forge.empty() || delivery_id.empty()) {
    return Status::InvalidArgument("a delivery needs a forge and a delivery id");
  }
  {
    Result<Statement> insert = conn.Prepare(
        "INSERT INTO webhook_deliveries (forge, delivery_id, repo_id, event, received_at, outcome)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (forge, delivery_id) DO NOTHING");
    if (!insert.ok()) return insert.status();
    insert->BindText(1, forge)
        .BindText(2, delivery_id)
        .BindInt(3, repo_id)
        .BindText(4, event)
        .BindInt(5, received_at)
        .BindText(6, outcome_text);
    Status status = insert->Run();
    if (!status.ok()) return status.Annotate("recording delivery");
  }
  if (conn.Changes() > 0) return true;
  Result<Statement> first =
      conn.Prepare("SELECT run_id FROM webhook_deliveries WHERE forge = ?1 AND delivery_id = ?2");
  if (!first.ok()) return first.status();
  first->BindText(1, forge).BindText(2, delivery_id);
  Result<bool> row = first->Step();
  if (!row.ok()) return row.status();
  outcome.duplicate = true;
  if (*row) outcome.run_id = first->ColumnOptionalInt(0);
  return false;
}

// The run a push body with this hash started for the repository, if one did. REQUIRES: inside a
// transaction.
Result<std::optional<int64_t>> RunOfBody(Connection& conn, int64_t repo_id, std::string_view body_sha256) {
  if (body_sha256.empty()) return std::optional<int64_t>();
  Result<Statement> find = conn.Prepare("SELECT run_id FROM push_bodies WHERE repo_id = ?1 AND body_sha256 = ?2");
  if (!find.ok()) return find.status();
  find->BindInt(1, repo_id).BindText(2, body_sha256);
  Result<bool> row = find->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(find->ColumnInt(0));
}

bool IsTerminal(std::string_view status) { return status != "pending" && status != "running"; }

}  // namespace

std::string_view ApprovalName(Approval approval) {
  switch (approval) {
    case Approval::kAwaiting: return "awaiting";
    case Approval::kApproved: return "approved";
    case Approval::kNone: break;
  }
  return "";
}

Result<DeliveryOutcome> RunStore::CreateRunForDelivery(std::string_view forge,
                                                       std::string_view delivery_id,
                                                       std::string_view event, const NewRun& run,
                                                       std::string_view body_sha256) {
  Connection conn = db_.Lock();
  Result<Transaction> tx = Transaction::Begin(conn);
  if (!tx.ok()) return tx.status();
  DeliveryOutcome outcome;
  Result<bool> inserted =
      InsertDelivery(conn, forge, delivery_id, event, run.repo_id, "run", run.created_at, outcome);
  if (!inserted.ok()) return inserted.status();
  if (!*inserted)
    return outcome;  // a duplicate: the transaction rolls back, having written nothing

  Result<std::optional<int64_t>> replayed = RunOfBody(conn, run.repo_id, body_sha256);
  if (!replayed.ok()) return replayed.status();
  Result<int64_t> run_id = *replayed ? Result<int64_t>(**replayed) : InsertRun(conn, run);
  if (!run_id.ok()) return run_id.status();
  {
    // A replayed body: the delivery is kept, linked to the first run, so its id stays deduplicated.
    Result<Statement> link = conn.Prepare(
        "UPDATE webhook_deliveries SET run_id = ?1, outcome = ?4 WHERE forge = ?2 AND delivery_id = ?3");
    if (!link.ok()) return link.status();
    link->BindInt(1, *run_id).BindText(2, forge).BindText(3, delivery_id).BindText(4, *replayed ? "replay" : "run");
    Status status = link->Run();
    if (!status.ok()) return status;
  }
  if (!*replayed && !body_sha256.empty()) {
    Result<Statement> remember =
        conn.Prepare("INSERT INTO push_bodies (repo_id, body_sha256, run_id) VALUES (?1, ?2, ?3)");
    if (!remember.ok()) return remember.status();
    remember->BindInt(1, run.repo_id).BindText(2, body_sha256).BindInt(3, *run_id);
    if (Status status = remember->Run(); !status.ok()) return status.Annotate("recording the push body");
  }
  outcome.duplicate = replayed->has_value();
  Status status = tx->Commit();
  if (!status.ok()) return status;
  outcome.run_id = *run_id;
  return outcome;
}

Result<DeliveryOutcome> RunStore::RecordDelivery(
    std::string_view forge, std::string_view delivery_id, std::string_view event,
    std::optional<int64_t> repo_id, std::string_view outcome_text, int64_t received_at) {
  Connection conn = db_.Lock();
  Result<Transaction> tx = Transaction::Begin(conn);
  if (!tx.ok()) return tx.status();
  DeliveryOutcome outcome;
  Result<bool> inserted =
      InsertDelivery(conn, forge, delivery_id, event, repo_id, outcome_text, received_at, outcome);
  if (!inserted.ok()) return inserted.status();
  if (!*inserted) return outcome;
  Status status = tx->Commit();
  if (!status.ok()) return status;
  return outcome;
}

Result<int64_t> RunStore::PruneDeliveries(int64_t before_ms) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare("DELETE FROM webhook_deliveries WHERE received_at < ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, before_ms);
  Status status = stmt->Run();
  if (!status.ok()) return status;
  return conn.Changes();
}

Result<Run> RunStore::CreateRun(const NewRun& run) {
  Connection conn = db_.Lock();
  int64_t id = 0;
  {
    Result<Transaction> tx = Transaction::Begin(conn);
    if (!tx.ok()) return tx.status();
    Result<int64_t> run_id = InsertRun(conn, run);
    if (!run_id.ok()) return run_id.status();
    Status status = tx->Commit();
    if (!status.ok()) return status;
    id = *run_id;
  }
  Result<Statement> stmt = conn.Prepare(std::string(kSelectRuns) + "WHERE r.id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id);
  return ReadOne<Run>(*stmt, ReadRun, "run " + std::to_string(id) + " vanished");
}

Result<Run> RunStore::Get(int64_t id) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kSelectRuns) + "WHERE r.id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id);
  return ReadOne<Run>(*stmt, ReadRun, "run " + std::to_string(id) + " does not exist");
}

Result<std::vector<Run>> RunStore::List(const RunFilter& filter, bool* more) {
  // Only the conditions in use go into the SQL, so SQLite can pick the index that fits
  // (a "?1 IS NULL OR ..." form would defeat it). At most 16 texts, each prepared once.
  std::string sql = kSelectRuns;
  sql += "WHERE 1";
  // The repository's id first, so the (repo_id, ...) indexes are used whatever the statistics say.
  if (filter.repo) sql += " AND r.repo_id = (SELECT id FROM repos WHERE name = ?1)";
  if (filter.branch) sql += " AND r.branch = ?2";
  if (filter.status) sql += " AND r.status = ?3";
  if (filter.before) sql += " AND r.id < ?4";
  if (filter.after) sql += " AND r.id > ?6";
  // The page just newer than `after` is the oldest runs above it, listed newest first like the rest.
  sql += filter.after ? " ORDER BY r.id ASC LIMIT ?5" : " ORDER BY r.id DESC LIMIT ?5";
  int limit = filter.limit <= 0 ? kDefaultListLimit : std::min(filter.limit, kMaxListLimit);

  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  if (filter.repo) stmt->BindText(1, *filter.repo);
  if (filter.branch) stmt->BindText(2, *filter.branch);
  if (filter.status) stmt->BindText(3, RunStatusName(*filter.status));
  if (filter.before) stmt->BindInt(4, *filter.before);
  if (filter.after) stmt->BindInt(6, *filter.after);
  stmt->BindInt(5, int64_t{limit} + 1);  // one more than asked: whether the cursor's way goes on
  auto runs = ReadAll<Run>(*stmt, ReadRun);
  if (!runs.ok()) return runs;
  if (more) *more = static_cast<int>(runs->size()) > limit;
  if (static_cast<int>(runs->size()) > limit) runs->pop_back();
  if (filter.after) std::reverse(runs->begin(), runs->end());
  return runs;
}

Result<std::vector<Run>> RunStore::ListUnfinished() {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kSelectRuns) +
                                        "WHERE r.status IN ('pending', 'running') ORDER BY r.id");
  if (!stmt.ok()) return stmt.status();
  return ReadAll<Run>(*stmt, ReadRun);
}

Status RunStore::SetStatus(int64_t id, const RunStatusUpdate& update) {
  Connection conn = db_.Lock();
  {
    Result<Statement> stmt = conn.Prepare(
        "UPDATE runs SET status = ?2, error = ?3, started_at = COALESCE(?4, started_at),"
        " finished_at = COALESCE(?5, finished_at)"
        " WHERE id = ?1 AND status IN ('pending', 'running')");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, id)
        .BindText(2, RunStatusName(update.status))
        .BindText(3, update.error)
        .BindInt(4, update.started_at)
        .BindInt(5, update.finished_at);
    Status status = stmt->Run();
    if (!status.ok()) return status.Annotate("run " + std::to_string(id));
  }
  if (conn.Changes() > 0) return Status::Ok();
  Result<Statement> current = conn.Prepare("SELECT status FROM runs WHERE id = ?1");
  if (!current.ok()) return current.status();
  current->BindInt(1, id);
  Result<bool> row = current->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("run " + std::to_string(id) + " does not exist");
  std::string status = current->ColumnText(0);
  if (IsTerminal(status)) {
    return Status::Conflict("run " + std::to_string(id) + " has finished (" + status + ")");
  }
  return Status::Internal("run " + std::to_string(id) + " was not updated");
}

Status RunStore::SetDiagnostics(int64_t id, std::string_view diagnostics_json) {
  return SetText(id, "diagnostics", diagnostics_json);
}

Status RunStore::SetCancelReason(int64_t id, std::string_view reason) {
  return SetText(id, "cancel_reason", reason);
}

Status RunStore::Approve(int64_t id, int64_t now_ms) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "UPDATE runs SET approval = 'approved', approved_at = ?2"
      " WHERE id = ?1 AND approval = 'awaiting' AND status = 'pending'");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id).BindInt(2, now_ms);
  if (Status status = stmt->Run(); !status.ok()) return status.Annotate("approving run " + std::to_string(id));
  if (conn.Changes() > 0) return Status::Ok();
  Result<Statement> current = conn.Prepare("SELECT approval, status FROM runs WHERE id = ?1");
  if (!current.ok()) return current.status();
  current->BindInt(1, id);
  Result<bool> row = current->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("run " + std::to_string(id) + " does not exist");
  std::string approval = current->ColumnText(0);
  if (approval == "approved") return Status::Conflict("run " + std::to_string(id) + " is approved already");
  if (approval == "awaiting") {
    return Status::Conflict("run " + std::to_string(id) + " has finished (" + current->ColumnText(1) + ")");
  }
  return Status::Conflict("run " + std::to_string(id) + " does not await approval");
}

Result<std::vector<Run>> RunStore::ListUnfinishedForPullRequest(int64_t repo_id, int64_t pr_number) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kSelectRuns) +
                                        "WHERE r.repo_id = ?1 AND r.pr_number = ?2"
                                        " AND r.status IN ('pending', 'running') ORDER BY r.id");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, repo_id).BindInt(2, pr_number);
  return ReadAll<Run>(*stmt, ReadRun);
}

Status RunStore::SetText(int64_t id, const char* column, std::string_view value) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string("UPDATE runs SET ") + column + " = ?2 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, id).BindText(2, value);
  Status status = stmt->Run();
  if (!status.ok()) return status.Annotate(std::string(column) + " of run " + std::to_string(id));
  if (conn.Changes() == 0) return Status::NotFound("run " + std::to_string(id) + " does not exist");
  return Status::Ok();
}

}  // namespace slipway::store
