#include "common/build_status.h"

namespace slipway {
namespace {

constexpr std::string_view kNames[] = {"pending", "running", "success", "failure",
                                       "canceled", "error", "skipped"};

// Both enums list the names in the order of kNames.
template <typename Status>
std::optional<Status> FromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == name) return static_cast<Status>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view JobStatusName(JobStatus status) { return kNames[static_cast<size_t>(status)]; }
std::string_view RunStatusName(RunStatus status) { return kNames[static_cast<size_t>(status)]; }

std::optional<JobStatus> JobStatusFromName(std::string_view name) { return FromName<JobStatus>(name); }
std::optional<RunStatus> RunStatusFromName(std::string_view name) { return FromName<RunStatus>(name); }

bool IsFinal(JobStatus status) { return status != JobStatus::kPending && status != JobStatus::kRunning; }
bool IsFinal(RunStatus status) { return status != RunStatus::kPending && status != RunStatus::kRunning; }

}  // namespace slipway
