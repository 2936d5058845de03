// A job's end as its agent reported it: the job's result, the image it built and the bases it was
// built from, written in one transaction, so a failure leaves none of them behind.
//
// Thread-safety: safe from any thread (holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/build_status.h"
#include "common/status.h"
#include "store/base_image_store.h"
#include "store/database.h"
#include "store/image_store.h"

namespace slipway::store {

struct JobFinish {
  int64_t job_id = 0;
  std::string lease_id;
  JobStatus status = JobStatus::kError;  // success failure canceled error
  std::string result_json;               // "" stores NULL
  std::string error;
  int64_t finished_at = 0;
  int64_t duration_ms = 0;
  std::optional<ImageRecord> image;  // the image the job built, when it built one
  std::vector<BaseDigest> bases;     // what it was built from
};

// JobStore::Finish (the same fencing: kConflict for a lease that is not the job's,
// kAlreadyExists when this lease already finished it), then ImageStore::Record and
// BaseImageStore::Record, committed together; kInternal when the image or the bases are refused.
Status RecordJobFinish(Database& db, const JobFinish& finish);

}  // namespace slipway::store
