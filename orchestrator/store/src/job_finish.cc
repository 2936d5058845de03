#include "store/job_finish.h"

#include "store/transaction.h"
#include "writes.h"

namespace slipway::store {

Status RecordJobFinish(Database& db, const JobFinish& f) {
  Connection conn = db.Lock();
  Result<Transaction> tx = Transaction::Begin(conn);
  if (!tx.ok()) return tx.status();
  Status finished = FinishJobRow(conn, f.job_id, f.lease_id, f.status, f.result_json, f.error,
                                 f.finished_at, f.duration_ms);
  if (!finished.ok()) return finished;
  // Past the job's fence, a refused write is the server's problem, never "finished already" (which
  // would answer a retried finish as done): it rolls everything back as internal.
  std::string job = " of job " + std::to_string(f.job_id) + ": ";
  if (f.image) {
    Result<int64_t> image = InsertImage(conn, *f.image);
    if (!image.ok()) return Status::Internal("recording the image" + job + image.status().message());
  }
  Status bases = InsertBases(conn, f.job_id, f.bases, f.finished_at);
  if (!bases.ok()) return Status::Internal("recording the bases" + job + bases.message());
  return tx->Commit();
}

}  // namespace slipway::store
