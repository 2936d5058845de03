#include "store/base_image_store.h"

#include "rows.h"
#include "store/transaction.h"
#include "writes.h"

namespace slipway::store {
namespace {

constexpr char kSelectBases[] =
    "SELECT b.id, b.job_id, b.run_id, b.repo_id, b.branch, b.stage, b.ref, b.digest, b.source,"
    " b.created_at, r.sha FROM base_images b JOIN runs r ON r.id = b.run_id ";

BaseImageRecord ReadBase(const Statement& s) {
  BaseImageRecord r;
  r.id = s.ColumnInt(0);
  r.job_id = s.ColumnInt(1);
  r.run_id = s.ColumnInt(2);
  r.repo_id = s.ColumnInt(3);
  r.branch = s.ColumnText(4);
  r.stage = s.ColumnText(5);
  r.base = {s.ColumnText(6), s.ColumnText(7), s.ColumnText(8)};
  r.created_at = s.ColumnInt(9);
  return r;
}

}  // namespace

Status InsertBases(Connection& conn, int64_t job_id, const std::vector<BaseDigest>& bases, int64_t now_ms) {
  for (const BaseDigest& b : bases) {
    // The job's run, repository, branch and name come from the job itself, so they cannot disagree.
    Result<Statement> stmt = conn.Prepare(
        "INSERT INTO base_images (job_id, run_id, repo_id, branch, stage, ref, digest, source, created_at)"
        " SELECT j.id, r.id, r.repo_id, r.branch, j.name, ?2, ?3, ?4, ?5"
        " FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.id = ?1"
        " ON CONFLICT (job_id, ref, digest) DO NOTHING");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, job_id).BindText(2, b.ref).BindText(3, b.digest).BindText(4, b.source).BindInt(5, now_ms);
    Status status = stmt->Run();
    if (!status.ok()) return status.Annotate("base " + b.ref);
  }
  if (!bases.empty()) {
    Result<Statement> known = conn.Prepare("SELECT 1 FROM jobs WHERE id = ?1");
    if (!known.ok()) return known.status();
    known->BindInt(1, job_id);
    Result<bool> row = known->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("job " + std::to_string(job_id) + " does not exist");
  }
  return Status::Ok();
}

Status BaseImageStore::Record(int64_t job_id, const std::vector<BaseDigest>& bases, int64_t now_ms) {
  Connection conn = db_.Lock();
  Result<Transaction> tx = Transaction::Begin(conn);
  if (!tx.ok()) return tx.status();
  if (Status status = InsertBases(conn, job_id, bases, now_ms); !status.ok()) return status;
  return tx->Commit();
}

Result<std::vector<BuiltBranch>> BaseImageStore::LatestBuilt(int64_t repo_id) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      std::string(kSelectBases) +
      "WHERE b.repo_id = ?1 AND b.run_id = ("
      "  SELECT MAX(b2.run_id) FROM base_images b2 JOIN runs r2 ON r2.id = b2.run_id"
      "  WHERE b2.repo_id = ?1 AND b2.branch = b.branch AND r2.status = 'success'"
      // A pull request's or a tag's commit is not its branch's head: no base-update run rebuilds it.
      "  AND r2.trigger NOT IN ('pull_request', 'tag'))"
      " ORDER BY b.branch, b.id");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, repo_id);
  std::vector<BuiltBranch> out;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    BaseImageRecord record = ReadBase(*stmt);
    if (out.empty() || out.back().branch != record.branch) {
      out.push_back({record.branch, record.run_id, stmt->ColumnText(10), {}});
    }
    out.back().bases.push_back(std::move(record));
  }
}

}  // namespace slipway::store
