#include "scheduler/job_status.h"

namespace slipway::scheduler {

std::string_view JobStatusName(JobStatus status) {
  switch (status) {
    case JobStatus::kPending: return "pending";
    case JobStatus::kRunning: return "running";
    case JobStatus::kSuccess: return "success";
    case JobStatus::kFailure: return "failure";
    case JobStatus::kCanceled: return "canceled";
    case JobStatus::kError: return "error";
    case JobStatus::kSkipped: return "skipped";
  }
  return "error";
}

std::string_view RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kPending: return "pending";
    case RunStatus::kRunning: return "running";
    case RunStatus::kSuccess: return "success";
    case RunStatus::kFailure: return "failure";
    case RunStatus::kCanceled: return "canceled";
    case RunStatus::kError: return "error";
  }
  return "error";
}

std::optional<JobStatus> JobStatusFromName(std::string_view name) {
  for (JobStatus s : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSuccess,
                      JobStatus::kFailure, JobStatus::kCanceled, JobStatus::kError,
                      JobStatus::kSkipped}) {
    if (JobStatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<RunStatus> RunStatusFromName(std::string_view name) {
  for (RunStatus s : {RunStatus::kPending, RunStatus::kRunning, RunStatus::kSuccess,
                      RunStatus::kFailure, RunStatus::kCanceled, RunStatus::kError}) {
    if (RunStatusName(s) == name) return s;
  }
  return std::nullopt;
}

bool IsFinal(JobStatus status) {
  return status != JobStatus::kPending && status != JobStatus::kRunning;
}

bool IsFinal(RunStatus status) {
  return status != RunStatus::kPending && status != RunStatus::kRunning;
}

}  // namespace slipway::scheduler
