#include "store/image_store.h"

#include <algorithm>

#include "rows.h"
#include "store/transaction.h"
#include "writes.h"

namespace slipway::store {
namespace {

constexpr char kSelectImages[] =
    "SELECT id, digest, repo_id, job_id, stage, branch, sha, ref, size_bytes,"
    " compressed_size_bytes, created_at FROM images ";

ImageRecord ReadImage(const Statement& s) {
  ImageRecord r;
  r.id = s.ColumnInt(0);
  r.digest = s.ColumnText(1);
  r.repo_id = s.ColumnInt(2);
  r.job_id = s.ColumnOptionalInt(3);
  r.stage = s.ColumnText(4);
  r.branch = s.ColumnText(5);
  r.sha = s.ColumnText(6);
  r.ref = s.ColumnText(7);
  r.size_bytes = s.ColumnInt(8);
  r.compressed_size_bytes = s.ColumnOptionalInt(9);
  r.created_at = s.ColumnInt(10);
  return r;
}

}  // namespace

Result<int64_t> InsertImage(Connection& conn, const ImageRecord& image) {
  if (image.digest.empty()) return Status::InvalidArgument("image digest is empty");
  int64_t id = 0;
  {
    Result<Statement> stmt = conn.Prepare(
        "INSERT INTO images (digest, repo_id, job_id, stage, branch, sha, ref, size_bytes,"
        " compressed_size_bytes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(1, image.digest)
        .BindInt(2, image.repo_id)
        .BindInt(3, image.job_id)
        .BindText(4, image.stage)
        .BindText(5, image.branch)
        .BindText(6, image.sha)
        .BindText(7, image.ref)
        .BindInt(8, image.size_bytes)
        .BindInt(9, image.compressed_size_bytes)
        .BindInt(10, image.created_at);
    Status status = stmt->Run();
    if (!status.ok()) return status.Annotate("image " + image.digest);
    id = conn.LastInsertRowId();
  }
  for (const Layer& layer : image.layers) {
    Result<Statement> stmt = conn.Prepare(
        "INSERT INTO layers (image_digest, idx, digest, size_bytes, compressed_size_bytes,"
        " instruction) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        " ON CONFLICT (image_digest, idx) DO NOTHING");
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(1, image.digest)
        .BindInt(2, int64_t{layer.index})
        .BindText(3, layer.digest)
        .BindInt(4, layer.size_bytes)
        .BindInt(5, layer.compressed_size_bytes)
        .BindText(6, layer.instruction);
    Status status = stmt->Run();
    if (!status.ok()) return status.Annotate("layer " + std::to_string(layer.index));
  }
  return id;
}

Result<int64_t> ImageStore::Record(const ImageRecord& image) {
  Connection conn = db_.Lock();
  Result<Transaction> tx = Transaction::Begin(conn);
  if (!tx.ok()) return tx.status();
  Result<int64_t> id = InsertImage(conn, image);
  if (!id.ok()) return id.status();
  Status status = tx->Commit();
  if (!status.ok()) return status;
  return id;
}

Result<ImageRecord> ImageStore::Get(std::string_view digest) {
  Connection conn = db_.Lock();
  Result<ImageRecord> image = [&]() -> Result<ImageRecord> {
    Result<Statement> stmt =
        conn.Prepare(std::string(kSelectImages) + "WHERE digest = ?1 ORDER BY id DESC LIMIT 1");
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(1, digest);
    return ReadOne<ImageRecord>(*stmt, ReadImage, "image " + std::string(digest) + " unknown");
  }();
  if (!image.ok()) return image;
  Result<Statement> stmt = conn.Prepare(
      "SELECT idx, digest, size_bytes, compressed_size_bytes, instruction FROM layers"
      " WHERE image_digest = ?1 ORDER BY idx");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, digest);
  Result<std::vector<Layer>> layers = ReadAll<Layer>(*stmt, [](const Statement& s) {
    return Layer{static_cast<int>(s.ColumnInt(0)), s.ColumnText(1), s.ColumnInt(2),
                 s.ColumnOptionalInt(3), s.ColumnText(4)};
  });
  if (!layers.ok()) return layers.status();
  image->layers = std::move(*layers);
  return image;
}

Result<ImageRecord> ImageStore::LastGood(int64_t repo_id, std::string_view stage, std::string_view branch) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "SELECT i.id, i.digest, i.repo_id, i.job_id, i.stage, i.branch, i.sha, i.ref, i.size_bytes,"
      " i.compressed_size_bytes, i.created_at FROM images i JOIN jobs j ON j.id = i.job_id"
      " WHERE i.repo_id = ?1 AND i.stage = ?2 AND i.branch = ?3 AND j.status = 'success'"
      " ORDER BY i.id DESC LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, repo_id).BindText(2, stage).BindText(3, branch);
  return ReadOne<ImageRecord>(*stmt, ReadImage,
                              "no successful build of " + std::string(stage) + " on " + std::string(branch));
}

Status ImageStore::SaveReport(std::string_view digest, std::string_view report_json, int64_t now) {
  if (digest.empty()) return Status::InvalidArgument("image digest is empty");
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "INSERT INTO image_reports (digest, report, created_at) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (digest) DO NOTHING");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, digest).BindText(2, report_json).BindInt(3, now);
  return stmt->Run().Annotate("report of " + std::string(digest));
}

Result<std::string> ImageStore::Report(std::string_view digest) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare("SELECT report FROM image_reports WHERE digest = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, digest);
  return ReadOne<std::string>(*stmt, [](const Statement& s) { return s.ColumnText(0); },
                              "no report of image " + std::string(digest));
}

Result<std::vector<std::string>> ImageStore::PushedDigestsWithReport(int limit) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "SELECT i.digest FROM images i JOIN image_reports r ON r.digest = i.digest WHERE i.ref != ''"
      " GROUP BY i.digest ORDER BY max(i.id) DESC LIMIT ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, int64_t{limit});
  return ReadAll<std::string>(*stmt, [](const Statement& s) { return s.ColumnText(0); });
}

Result<std::vector<ImageRecord>> ImageStore::History(int64_t repo_id, std::string_view stage,
                                                     const std::optional<std::string>& branch,
                                                     int limit) {
  limit = std::clamp(limit, 1, kMaxHistoryLimit);
  std::string sql = std::string(kSelectImages) + "WHERE repo_id = ?1 AND stage = ?2";
  if (branch) sql += " AND branch = ?3";
  sql += " ORDER BY id DESC LIMIT ?4";
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, repo_id).BindText(2, stage).BindInt(4, int64_t{limit});
  if (branch) stmt->BindText(3, *branch);
  return ReadAll<ImageRecord>(*stmt, ReadImage);
}

}  // namespace slipway::store
