// What Slipway tells a forge and notification receivers, as plain values stored in the outbox
// (store/outbox_store.h) and turned into requests when sent (core/forge_requests.h):
//   - a commit status: per stage (context "slipway/<stage>") and for the run ("slipway"), with a
//     one-line description of at most 140 characters and a link to the job's or run's page;
//   - the pull request comment (core/pr_comment.h), one per pull request, updated in place;
//   - a notification: an event about a run, as a JSON body.
//
// Pure. Thread-safety: plain values and functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/build_status.h"
#include "common/status.h"
#include "store/job_store.h"
#include "store/run_store.h"

namespace slipway::core {

// The longest description a forge keeps (GitHub refuses more).
inline constexpr size_t kMaxStatusDescription = 140;

struct CommitStatus {
  std::string sha;
  std::string context;                     // "slipway" or "slipway/<stage>"
  JobStatus status = JobStatus::kPending;  // a run's status by the same words
  bool whole_run = false;                  // the run's context: a skipped run is not a failure
  std::string description;
  std::string target_url;  // "" when the server has no public URL
};
nlohmann::json ToJson(const CommitStatus& status);
Result<CommitStatus> CommitStatusFromJson(const nlohmann::json& json);

struct PrComment {
  int64_t pr_number = 0;
  std::string body;  // Markdown, with kPrCommentMarker first
};
nlohmann::json ToJson(const PrComment& comment);
Result<PrComment> PrCommentFromJson(const nlohmann::json& json);

// The hidden first line of Slipway's comment, by which it is found again on the pull request.
inline constexpr std::string_view kPrCommentMarker = "<!-- slipway:pr-comment -->";

// Notification events, as named in a repository's notify_events and the X-Slipway-Event header.
// One event per finished run: run.failed for failure and error, run.finished for the others.
inline constexpr std::string_view kRunFinished = "run.finished";
inline constexpr std::string_view kRunFailed = "run.failed";
inline constexpr std::string_view kBaseUpdateStarted = "base_update.started";
bool IsNotifyEvent(std::string_view name);

struct Notification {
  std::string event;
  std::string body;  // the JSON text sent, byte for byte (it is signed)
};
nlohmann::json ToJson(const Notification& notification);
Result<Notification> NotificationFromJson(const nlohmann::json& json);

// Outbox topics: messages of one topic are sent in order, the newest status superseding.
std::string StatusTopic(const CommitStatus& status);
std::string CommentTopic(int64_t pr_number);
inline constexpr std::string_view kNotifyTopic = "notify";

// `text` on one line (control characters become spaces), cut to at most `max_chars` characters
// (UTF-8 code points; invalid bytes count as one each) with "…" where it was cut.
std::string OneLine(std::string_view text, size_t max_chars);

// The pages a status links to; "" when public_url is "".
std::string RunPageUrl(std::string_view public_url, int64_t run_id);
std::string JobPageUrl(std::string_view public_url, int64_t job_id);

// The stage's status as the run reaches it. `default_branch`: what its size is compared with.
CommitStatus StageStatus(const store::Run& run, const store::Job& job, std::string_view public_url);
// The run's status. `jobs`: its jobs as recorded (for a finished run's summary; may be empty).
CommitStatus RunCommitStatus(const store::Run& run, const std::vector<store::Job>& jobs,
                             std::string_view public_url);
// The stage's verdict in one line: "runtime 86.4 MB (+2.1% vs main), 0 high"; for a job without
// an image review its duration and cache use; the error for a job that failed.
std::string StageVerdict(const store::Job& job);

// A job's stored result ({} when none); its review summary (the result's "insight", {} when none);
// the review's comparison with the base branch's last good build, else with the branch's own ({}).
nlohmann::json ResultOf(const store::Job& job);
nlohmann::json ReviewOf(const store::Job& job);
nlohmann::json BaseComparison(const nlohmann::json& review);
std::string SignedPercent(double percent);  // "+2.1%"

// The notification body for `event` about `run`: {event, repo, run: {id, number, branch, sha,
// trigger, status, error, url}, jobs: [{name, status, error}]}.
std::string NotificationBody(std::string_view event, const store::Run& run,
                             const std::vector<store::Job>& jobs, std::string_view public_url);

}  // namespace slipway::core
