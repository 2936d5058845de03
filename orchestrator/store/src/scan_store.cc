#include "store/scan_store.h"

#include "rows.h"

namespace slipway::store {

Result<int64_t> ScanStore::Record(const ScanRecord& scan) {
  Connection conn = db_.Lock();
  {
    Result<Statement> stmt = conn.Prepare(
        "INSERT INTO scans (image_digest, scanner, finished_at, summary, findings, data_version)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(1, scan.image_digest)
        .BindText(2, scan.scanner)
        .BindInt(3, scan.finished_at)
        .BindText(4, scan.summary_json)
        .BindText(5, scan.findings_json)
        .BindText(6, scan.data_version);
    Status status = stmt->Run();
    if (!status.ok()) return status.Annotate("scan of " + scan.image_digest);
  }
  return conn.LastInsertRowId();
}

namespace {

constexpr char kSelectScans[] =
    "SELECT id, image_digest, scanner, finished_at, summary, findings, data_version FROM scans ";

ScanRecord ReadScan(const Statement& s) {
  return ScanRecord{s.ColumnInt(0), s.ColumnText(1), s.ColumnText(2), s.ColumnInt(3),
                    s.ColumnText(4), s.ColumnText(5), s.ColumnText(6)};
}

}  // namespace

Result<ScanRecord> ScanStore::Latest(std::string_view image_digest, std::string_view scanner) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kSelectScans) +
                                        "WHERE image_digest = ?1 AND scanner = ?2 ORDER BY finished_at DESC, id DESC LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, image_digest).BindText(2, scanner);
  return ReadOne<ScanRecord>(*stmt, ReadScan, "no " + std::string(scanner) + " scan of " + std::string(image_digest));
}

Result<std::vector<ScanRecord>> ScanStore::LatestEach(std::string_view image_digest) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(std::string(kSelectScans) +
                                        "WHERE id IN (SELECT max(id) FROM scans WHERE image_digest = ?1 GROUP BY scanner)"
                                        " ORDER BY scanner");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, image_digest);
  return ReadAll<ScanRecord>(*stmt, ReadScan);
}

}  // namespace slipway::store
