// Job and run statuses, as stored and as shown in the REST API and SSE events.
//
// A job moves pending → running → success | failure | canceled | error, or from pending straight
// to canceled or skipped (a job it needs did not succeed). A run's status is derived from its jobs
// (see DeriveRunStatus in scheduler.h).
//
// Thread-safety: plain values and pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace slipway::scheduler {

enum class JobStatus { kPending, kRunning, kSuccess, kFailure, kCanceled, kError, kSkipped };
enum class RunStatus { kPending, kRunning, kSuccess, kFailure, kCanceled, kError };

// Wire names: "pending", "running", "success", "failure", "canceled", "error", "skipped".
std::string_view JobStatusName(JobStatus status);
std::string_view RunStatusName(RunStatus status);
std::optional<JobStatus> JobStatusFromName(std::string_view name);
std::optional<RunStatus> RunStatusFromName(std::string_view name);

// success, failure, canceled, error and skipped are final.
bool IsFinal(JobStatus status);
bool IsFinal(RunStatus status);

}  // namespace slipway::scheduler
