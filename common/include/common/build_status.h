// Job and run statuses: the one vocabulary of the store, the scheduler, the agent protocol, the
// REST API and its SSE events, and the CLI.
//
// A job moves pending → running → success | failure | canceled | error, or from pending straight
// to canceled or skipped (a job it needs did not succeed). A run's status is derived from its jobs
// (see DeriveRunStatus in scheduler/scheduler.h); a run whose pipeline filters leave it out ends
// skipped without jobs.
//
// Thread-safety: plain values and pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace slipway {

enum class JobStatus { kPending, kRunning, kSuccess, kFailure, kCanceled, kError, kSkipped };
enum class RunStatus { kPending, kRunning, kSuccess, kFailure, kCanceled, kError, kSkipped };

// Wire names: "pending", "running", "success", "failure", "canceled", "error", "skipped".
std::string_view JobStatusName(JobStatus status);
std::string_view RunStatusName(RunStatus status);
// std::nullopt for any other text: an unknown status is an error for the caller, never a default.
std::optional<JobStatus> JobStatusFromName(std::string_view name);
std::optional<RunStatus> RunStatusFromName(std::string_view name);

// Everything but pending and running is final.
bool IsFinal(JobStatus status);
bool IsFinal(RunStatus status);

}  // namespace slipway
