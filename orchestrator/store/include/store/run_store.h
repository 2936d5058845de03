// RunStore: runs (one pipeline execution for a commit) and the webhook deliveries that start them.
//
// A delivery and the run it starts are stored in one transaction, and a delivery id seen before
// (per forge) returns the first run instead of starting another: webhook intake is durable and
// deduplicated before it answers. Run numbers count from 1 per repository.
// Terminal statuses (success failure canceled error skipped) are final: SetStatus on a finished run
// is kConflict. A row whose status is not one of common/build_status.h's words is an error
// (kInternal) wherever it is read.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/build_status.h"
#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

// What a run builds beyond its commit, from the forge's payload: the pull (merge) request or the
// tag, and the repository's web page for links. Empty for runs of a plain push or by hand.
struct RunOrigin {
  std::optional<int64_t> pr_number;  // set for trigger pull_request
  std::string pr_title;
  std::string pr_source_branch;
  std::string pr_target_branch;
  std::string pr_source_repo;        // "owner/name" of the head; another repository for a fork
  bool pr_fork = false;              // from a fork: never gets secrets, never pushes
  std::string tag;                   // set for trigger tag ("v1.2.3")
  std::string web_url;               // "https://github.com/acme/shop"; "" unknown
  std::string before_sha;            // the commit a push moved from (compare view); "" unknown
};

// A run held before planning until an admin approves it (a fork's pull request).
enum class Approval { kNone, kAwaiting, kApproved };
std::string_view ApprovalName(Approval approval);  // "", "awaiting", "approved"

struct NewRun {
  int64_t repo_id = 0;
  std::string branch;
  std::string sha;
  std::string message;
  std::string author;
  // push | manual | rerun | base-update | schedule | pull_request | tag
  std::string trigger = "push";
  std::optional<int64_t> parent_run_id;  // the run a rerun repeats
  int64_t created_at = 0;                // ms since the epoch; also the delivery's received_at
  RunOrigin origin;
  bool hold = false;  // created awaiting approval
};

struct Run {
  int64_t id = 0;
  int64_t repo_id = 0;
  std::string repo_name;
  std::string repo_forge;  // github | gitlab | gitea
  int64_t number = 0;
  std::string branch;
  std::string sha;
  std::string message;
  std::string author;
  std::string trigger;
  std::optional<int64_t> parent_run_id;
  RunStatus status = RunStatus::kPending;
  std::string error;
  std::string diagnostics_json;  // a JSON array
  int64_t created_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
  std::optional<std::string> cancel_reason;  // a cancel was asked ("canceled by request")
  RunOrigin origin;
  Approval approval = Approval::kNone;
  std::optional<int64_t> approved_at;
};

struct DeliveryOutcome {
  std::optional<int64_t> run_id;  // the run this delivery started (the first time it came)
  bool duplicate = false;         // the delivery id was seen before; nothing was stored now
};

struct RunFilter {
  std::optional<std::string> repo;  // "owner/repo"
  std::optional<std::string> branch;
  std::optional<RunStatus> status;
  int limit = 50;                 // clamped to [1, 500]; 0 or less means 50
  std::optional<int64_t> before;  // cursor: only runs with a smaller id
  std::optional<int64_t> after;   // cursor: only runs with a larger id (the page just newer)
};

struct RunStatusUpdate {
  RunStatus status = RunStatus::kPending;
  std::string error;
  std::optional<int64_t> started_at;   // nullopt: unchanged
  std::optional<int64_t> finished_at;  // nullopt: unchanged
};

class RunStore {
 public:
  static constexpr int kDefaultListLimit = 50;
  static constexpr int kMaxListLimit = 500;

  explicit RunStore(Database& db) : db_(db) {}

  // Stores the delivery and a new run for it, together; outcome "run". A delivery (forge, id) seen
  // before stores nothing and returns the first delivery's run id, with duplicate = true. A body
  // (its SHA-256 hex, when given) that already started a run of the repository, under any delivery
  // id, starts none: the delivery is stored as "replay" and that run returned, duplicate = true.
  Result<DeliveryOutcome> CreateRunForDelivery(std::string_view forge, std::string_view delivery_id,
                                               std::string_view event, const NewRun& run,
                                               std::string_view body_sha256 = {});
  // Stores a delivery that starts no run (ping, filtered branch, unknown repository), with why.
  Result<DeliveryOutcome> RecordDelivery(std::string_view forge, std::string_view delivery_id,
                                         std::string_view event, std::optional<int64_t> repo_id,
                                         std::string_view outcome, int64_t received_at);
  // Deletes deliveries received before `before_ms` (keep them 72 h at least); returns how many.
  Result<int64_t> PruneDeliveries(int64_t before_ms);

  // A run not started by a delivery (manual, rerun, schedule), numbered next for its repository.
  Result<Run> CreateRun(const NewRun& run);
  Result<Run> Get(int64_t id);
  // Newest first, with the repository's name. *more (when given): whether more runs match past
  // this page, the way the cursor reads (older; newer with `after`).
  Result<std::vector<Run>> List(const RunFilter& filter, bool* more = nullptr);
  // Pending and running runs, oldest first: what a restarted orchestrator picks up again.
  Result<std::vector<Run>> ListUnfinished();

  // Moves an unfinished run to `update.status` (kConflict when it has finished already).
  Status SetStatus(int64_t id, const RunStatusUpdate& update);
  // Replaces the pipeline diagnostics (a JSON array as text; kInvalidArgument when not JSON).
  Status SetDiagnostics(int64_t id, std::string_view diagnostics_json);
  // Records that a cancel was asked, so it survives a restart.
  Status SetCancelReason(int64_t id, std::string_view reason);
  // Releases a run awaiting approval: kConflict when it is not awaiting (any more), kNotFound
  // when there is no such run.
  Status Approve(int64_t id, int64_t now_ms);
  // The unfinished runs of a repository's pull request, oldest first.
  Result<std::vector<Run>> ListUnfinishedForPullRequest(int64_t repo_id, int64_t pr_number);

 private:
  // UPDATE runs SET <column> = value for one run. REQUIRES: column is one of this file's names.
  Status SetText(int64_t id, const char* column, std::string_view value);

  Database& db_;
};

}  // namespace slipway::store
