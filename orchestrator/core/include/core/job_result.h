// What a finish report becomes in the store, decided without touching it: the job's final status
// and error (a broken budget or a blocking finding turns a success into a failure), the result
// JSON the job keeps, the image record and the bases. And whether a finish that finds its lease
// gone is the same finish retried.
//
// Pure. Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/image_review.h"
#include "protocol/agent_protocol.h"
#include "store/job_finish.h"
#include "store/job_store.h"
#include "store/run_store.h"

namespace slipway::core {

// The write for `report`, sent under `lease_id` for `job` of `run` at `now_ms`. `review` is the
// image's review, when there was one. The image is recorded whenever the agent built one (also
// when the review fails the job); bases only for a job that ends in success.
store::JobFinish JobFinishOf(const protocol::FinishReport& report, const std::optional<ReviewOutcome>& review,
                             const store::Run& run, const store::Job& job, const std::string& lease_id,
                             int64_t now_ms);

// True when `job`, finished under the lease the report names, already ended as the report says
// (or as a failure of its review, when the agent said success): the agent retried a finish whose
// answer it lost.
bool IsRetriedFinish(const store::Job& job, JobStatus reported);

}  // namespace slipway::core
