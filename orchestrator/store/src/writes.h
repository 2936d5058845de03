// Writes that run inside a connection the caller holds (and usually a transaction it opened), so
// that a store call may combine them: JobStore::Finish and RecordJobFinish share the job's write,
// ImageStore::Record and RecordJobFinish the image's.
//
// Thread-safety: used inside one held Connection.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/build_status.h"
#include "common/status.h"
#include "store/base_image_store.h"
#include "store/database.h"
#include "store/image_store.h"

namespace slipway::store {

// JobStore::Finish's write (see there), without taking the connection.
Status FinishJobRow(Connection& conn, int64_t job_id, std::string_view lease_id, JobStatus status,
                    std::string_view result_json, std::string_view error, int64_t finished_at,
                    int64_t duration_ms);
// ImageStore::Record's writes; returns the image row id.
Result<int64_t> InsertImage(Connection& conn, const ImageRecord& image);
// BaseImageStore::Record's writes.
Status InsertBases(Connection& conn, int64_t job_id, const std::vector<BaseDigest>& bases, int64_t now_ms);

}  // namespace slipway::store
