// Coordinator intake: pushes, manual triggers and reruns become runs; planning turns a run's
// commit into jobs on the worker thread.
#include <algorithm>
#include <set>

#include "common/json_text.h"
#include "common/log.h"
#include "core/build_secrets.h"
#include "core/coordinator.h"
#include "core/publish_policy.h"
#include "core/work_queue.h"
#include "pipelines/diagnostic.h"
#include "pipelines/job_spec.h"
#include "pipelines/pipeline_parser.h"
#include "pipelines/limits.h"
#include "pipelines/planner.h"

namespace slipway::core {
namespace {

constexpr char kCanceledByRequest[] = "canceled by request";

// An entry of the repository's tree at a commit, for the planner to follow symbolic links: a
// context or Dockerfile reached through a link is checked where the link leads.
Result<pipelines::RepoEntry> TreeEntryAt(planner::GitMirror& mirror, const std::string& repo, const std::string& sha,
                                         const std::string& path) {
  auto entry = mirror.Entry(repo, sha, path);
  if (!entry.ok()) return entry.status();
  if (!*entry) return pipelines::RepoEntry{};
  using Kind = pipelines::RepoEntry::Kind;
  const std::string& mode = (*entry)->mode;
  Kind kind = mode == "120000" ? Kind::kSymlink : mode == "040000" ? Kind::kDirectory : Kind::kFile;
  return pipelines::RepoEntry{kind, (*entry)->link_target};
}

}  // namespace

Result<IntakeAnswer> Coordinator::AcceptPush(const PushIntake& push, bool hold) {
  store::NewRun run{.repo_id = push.repo_id,
                    .branch = push.branch,
                    .sha = push.sha,
                    .message = push.message,
                    .author = push.author,
                    .trigger = push.trigger,
                    .parent_run_id = std::nullopt,
                    .created_at = clock_(),
                    .origin = push.origin,
                    .hold = hold};
  auto outcome = runs_.CreateRunForDelivery(push.forge, push.delivery_id, push.event, run, push.body_sha256);
  if (!outcome.ok()) return outcome.status();
  IntakeAnswer answer{.run_id = outcome->run_id.value_or(0), .duplicate = outcome->duplicate, .held = hold};
  if (answer.duplicate) return answer;
  {
    std::lock_guard lock(mu_);
    counters_["slipway_runs_created_total"]++;
  }
  hub_.Publish("events", "run", {{"run_id", answer.run_id}, {"status", "pending"}, {"reason", push.trigger}});
  if (hold) return answer;  // planned when approved (ApproveRun)
  int64_t id = answer.run_id;
  QueuePlanning(id, [this, id, paths = push.changed_paths] { PlanRun(id, paths); });
  return answer;
}

Status Coordinator::RecordIgnoredDelivery(const std::string& forge, const std::string& delivery_id,
                                          const std::string& event, int64_t repo_id, const std::string& reason) {
  return runs_.RecordDelivery(forge, delivery_id, event, repo_id, reason, clock_()).status();
}

Result<store::Repo> Coordinator::SaveRepo(const store::RepoSpec& spec) { return repos_.Upsert(spec, clock_()); }

Result<store::Run> Coordinator::TriggerManual(const std::string& repo_name, const std::string& branch,
                                              const std::string& sha_or_empty) {
  auto repo = repos_.GetByName(repo_name);
  if (!repo.ok()) return repo.status();
  std::string sha = sha_or_empty;
  if (sha.empty()) {
    if (Status s = FetchMirror(*repo); !s.ok()) return s;
    auto resolved = mirror_.ResolveBranch(repo->name, branch);
    if (!resolved.ok()) return resolved.status();
    sha = *resolved;
  }
  auto run = runs_.CreateRun({.repo_id = repo->id,
                              .branch = branch,
                              .sha = sha,
                              .message = "",
                              .author = "",
                              .trigger = "manual",
                              .parent_run_id = std::nullopt,
                              .created_at = clock_()});
  if (!run.ok()) return run.status();
  hub_.Publish("events", "run", {{"run_id", run->id}, {"status", "pending"}, {"reason", "manual"}});
  int64_t id = run->id;
  QueuePlanning(id, [this, id] { PlanRun(id, std::nullopt); });
  return run;
}

Result<store::Run> Coordinator::Rerun(int64_t run_id, const RerunSelection& selection) {
  auto parent = runs_.Get(run_id);
  if (!parent.ok()) return parent.status();
  auto jobs = jobs_.ListByRun(run_id);
  if (!jobs.ok()) return jobs.status();
  if (Status s = CheckRerun(run_id, *jobs, selection); !s.ok()) return s;
  auto run = runs_.CreateRun({.repo_id = parent->repo_id,
                              .branch = parent->branch,
                              .sha = parent->sha,
                              .message = parent->message,
                              .author = parent->author,
                              .trigger = "rerun",
                              .parent_run_id = run_id,
                              .created_at = clock_(),
                              .origin = parent->origin});  // a fork's rerun stays a fork's
  if (!run.ok()) return run.status();
  hub_.Publish("events", "run", {{"run_id", run->id}, {"status", "pending"}, {"reason", "rerun"}});
  int64_t id = run->id;
  QueuePlanning(id, [this, id, run_id, selection] { PlanRerun(id, run_id, selection); });
  return run;
}

Status Coordinator::CancelRun(int64_t run_id) { return CancelRunFor(run_id, kCanceledByRequest); }

Status Coordinator::CancelRunFor(int64_t run_id, const std::string& reason) {
  auto run = runs_.Get(run_id);
  if (!run.ok()) return run.status();
  std::lock_guard lock(mu_);
  auto changes = scheduler_.CancelRun(run_id, reason);
  if (changes.ok()) {
    // Kept until the run ends, so a restart asks the agents still building to stop again.
    if (Status s = runs_.SetCancelReason(run_id, reason); !s.ok()) return s;
    PersistLocked(*changes, clock_());
    NotifyCancelsLocked();
    return Status::Ok();
  }
  // Not held by the scheduler: still being planned (cancel it here; planning then stops), or done.
  if (run->status == RunStatus::kPending) {
    const std::string why = reason == kCanceledByRequest ? "canceled" : reason;  // "pull request #3 closed"
    const bool held = run->approval == store::Approval::kAwaiting;
    Status s = runs_.SetStatus(run_id, {.status = RunStatus::kCanceled,
                                        .error = why + (held ? " before approval" : " before planning finished"),
                                        .finished_at = clock_()});
    if (s.ok()) {
      feedback_.OnRunStatus(run_id);
      ReportRunFinished(run_id);
    }
    return s;
  }
  return Status::Conflict("run " + std::to_string(run_id) + " has already finished (" +
                          std::string(RunStatusName(run->status)) + ")");
}

void Coordinator::QueuePlanning(int64_t run_id, std::function<void()> plan) {
  work_->Post(std::move(plan), [this, run_id](const std::string& what) { FailRun(run_id, "planning failed: " + what); });
}

// A pending run's started_at records that planning began. Planning ends with jobs or a final
// status, and a clean stop finishes it; so a restart that finds a pending run with no jobs but a
// start knows planning was cut short (the process was killed while planning it) and does not
// plan it again, which could end the process again.
void Coordinator::MarkPlanningStarted(int64_t run_id) {
  Status s = runs_.SetStatus(run_id, {.status = RunStatus::kPending, .error = "", .started_at = clock_()});
  if (!s.ok()) LogWarn("run planning start not stored", {{"run", std::to_string(run_id)}, {"error", s.ToString()}});
  feedback_.OnRunStatus(run_id);  // pending: on the planning thread, off the webhook's answer
}

void Coordinator::FailRun(int64_t run_id, const std::string& raw_error) {
  const std::string error = RedactSecrets(raw_error);
  LogWarn("run failed to plan", {{"run", std::to_string(run_id)}, {"error", error}});
  Status s = runs_.SetStatus(run_id, {.status = RunStatus::kError, .error = error, .finished_at = clock_()});
  if (!s.ok()) return LogError("run status not stored", {{"run", std::to_string(run_id)}, {"error", s.ToString()}});
  hub_.Publish("events", "run", {{"run_id", run_id}, {"status", "error"}, {"reason", error}});
  feedback_.OnRunStatus(run_id);
  ReportRunFinished(run_id);
}

void Coordinator::SkipRun(int64_t run_id, const std::string& reason) {
  Status s = runs_.SetStatus(run_id, {.status = RunStatus::kSkipped, .error = reason, .finished_at = clock_()});
  if (!s.ok()) return LogWarn("run status not stored", {{"run", std::to_string(run_id)}, {"error", s.ToString()}});
  hub_.Publish("events", "run", {{"run_id", run_id}, {"status", "skipped"}, {"reason", reason}});
  feedback_.OnRunStatus(run_id);
  ReportRunFinished(run_id);
}

std::vector<pipelines::Diagnostic> Coordinator::PolicyViolations(const store::Repo& repo, const std::string& branch,
                                                                 const std::vector<pipelines::JobSpec>& jobs,
                                                                 const pipelines::Pipeline* pipeline) {
  auto all = repos_.List();
  auto out = CheckPublishPolicy(repo, all.ok() ? *all : std::vector<store::Repo>{repo}, branch,
                                jobs, pipeline);
  if (secret_box_ != nullptr) {  // the secrets the jobs name, set and given to this branch
    store::SecretStore secrets(db_, *secret_box_);
    auto missing = CheckBuildSecrets(repo, branch, jobs, pipeline, secrets);
    out.insert(out.end(), missing.begin(), missing.end());
  }
  return out;
}

// A push whose commit is an ancestor of the commit last built on its branch (an old push replayed,
// or delivered late) would move the branch's tags back.
std::optional<std::string> Coordinator::OlderThanBuilt(const store::Run& run, const std::string& repo) {
  auto recent = runs_.List({.repo = repo, .branch = run.branch, .limit = 50});
  if (!recent.ok()) return std::nullopt;
  for (const auto& built : *recent) {
    if (built.id >= run.id) continue;
    if (built.status != RunStatus::kRunning && built.status != RunStatus::kSuccess && built.status != RunStatus::kFailure) continue;
    if (built.sha == run.sha) return std::nullopt;  // the same commit again: not older
    auto older = mirror_.IsAncestor(repo, run.sha, built.sha);
    if (!older.ok() || !*older) return std::nullopt;
    return "commit " + run.sha.substr(0, 12) + " is older than " + built.sha.substr(0, 12) + ", already built on " +
           run.branch + " by run " + std::to_string(built.id);
  }
  return std::nullopt;
}

void Coordinator::PlanRun(int64_t run_id, std::optional<std::vector<std::string>> changed_paths) {
  auto run = runs_.Get(run_id);
  if (!run.ok() || run->status != RunStatus::kPending) return;  // canceled meanwhile
  MarkPlanningStarted(run_id);
  auto repo = repos_.GetById(run->repo_id);
  if (!repo.ok()) return FailRun(run_id, repo.status().message());
  if (Status s = FetchCommit(*repo, run->sha); !s.ok()) return FailRun(run_id, s.message());
  if (run->trigger == "push") {
    if (auto older = OlderThanBuilt(*run, repo->name)) return SkipRun(run_id, *older);
  }
  auto plan = PlanAtCommit(*run, *repo, std::move(changed_paths));
  if (!plan.ok()) return FailRun(run_id, plan.status().message());
  RecordPlan(*run, std::move(*plan));
}

// A commit already in the mirror (a manual trigger, the same sha pushed to another branch) needs
// no fetch: what a sha names never changes.
Status Coordinator::FetchCommit(const store::Repo& repo, const std::string& sha) {
  auto commit = mirror_.Commit(repo.name, sha);
  if (!commit.ok()) {
    if (Status s = FetchMirror(repo); !s.ok()) return s;
    commit = mirror_.Commit(repo.name, sha);
  }
  return commit.status();
}

Result<pipelines::PlanResult> Coordinator::PlanAtCommit(const store::Run& run, const store::Repo& repo,
                                                        std::optional<std::vector<std::string>> changed_paths) {
  std::string read_error;
  std::string pipeline_text;
  pipelines::FileReader reader = [&](const std::string& path) -> std::optional<std::string> {
    // One byte past the larger limit at most: the parsers report a longer file as too large.
    auto content = mirror_.ReadFile(repo.name, run.sha, path,
                                    std::max(pipelines::kMaxPipelineBytes, pipelines::kMaxDockerfileBytes));
    if (!content.ok()) {
      read_error = content.status().message();
      return std::nullopt;
    }
    if (path == ".slipway.yml" && *content) pipeline_text = **content;
    return *content;
  };
  pipelines::RepoLookup lookup = [&](const std::string& path) -> Result<pipelines::RepoEntry> {
    auto entry = TreeEntryAt(mirror_, repo.name, run.sha, path);
    if (!entry.ok()) read_error = entry.status().message();
    return entry;
  };
  pipelines::PlanResult plan = pipelines::PlanPipeline(
      reader, {.branch = run.branch,
               .sha = run.sha,
               .run_number = run.number,
               .changed_paths = changed_paths,
               .apply_filters = true,
               .lookup = lookup,
               .deadline = std::chrono::steady_clock::now() + kPlanningDeadline,
               .event = run.trigger,
               .tag = run.origin.tag,
               .repo_tags = TagsForRun(run, repo)});
  if (!read_error.empty()) return Status::Unavailable(read_error);
  if (run.origin.pr_fork) {
    // A fork's code writes nothing to a registry (no push, no tags, no registry cache) and is
    // given no secret: a stage that needs one fails here, saying so.
    for (auto& spec : plan.jobs) {
      spec.push = false;
      spec.tags.clear();
      spec.cache_ref.clear();
      if (!spec.secrets.empty() || !spec.ssh.empty()) {
        plan.has_errors = true;
        plan.diagnostics.push_back({.file = ".slipway.yml",
                                    .code = "fork-secrets",
                                    .message = "stage " + spec.name +
                                               " needs secrets, which are never given to pull requests from forks"});
      }
    }
  }
  if (!plan.has_errors && !plan.filtered_out) {
    // Positions for the policy's diagnostics; the file parsed without errors just now.
    auto parsed = pipelines::ParsePipeline(pipeline_text, ".slipway.yml");
    auto violations = PolicyViolations(repo, PolicyBranch(run, repo), plan.jobs, &parsed.pipeline);
    plan.has_errors = !violations.empty();
    plan.diagnostics.insert(plan.diagnostics.end(), violations.begin(), violations.end());
  }
  return plan;
}

// Stores the plan's diagnostics, then fails the run on errors, skips it when filtered out, or
// stores its jobs and schedules them (unless a cancel came while planning).
void Coordinator::RecordPlan(const store::Run& run, pipelines::PlanResult plan) {
  const int64_t run_id = run.id;
  nlohmann::json diagnostics = nlohmann::json::array();
  for (const auto& d : plan.diagnostics) diagnostics.push_back(pipelines::ToJson(d));
  if (Status s = runs_.SetDiagnostics(run_id, JsonText(diagnostics)); !s.ok()) {
    LogWarn("run diagnostics not stored", {{"run", std::to_string(run_id)}, {"error", s.ToString()}});
  }
  if (plan.has_errors) {
    size_t errors = 0;
    for (const auto& d : plan.diagnostics) errors += d.severity == pipelines::Severity::kError;
    std::string first;
    for (const auto& d : plan.diagnostics) {
      if (d.severity == pipelines::Severity::kError) { first = pipelines::FormatDiagnostic(d); break; }
    }
    return FailRun(run_id, "the pipeline has " + std::to_string(errors) + " error(s); first: " + first);
  }
  if (plan.filtered_out) return SkipRun(run_id, plan.filter_reason);
  std::vector<store::NewJob> new_jobs;
  for (auto& spec : plan.jobs) {
    // A base-update run exists because a base moved: its builds fetch the bases (--pull).
    if (run.trigger == "base-update") spec.pull = true;
    new_jobs.push_back({.name = spec.name,
                        .stage = spec.stage,
                        .spec_json = JsonText(pipelines::ToJson(spec)),
                        .needs = spec.needs,
                        .max_attempts = config_.max_attempts});
  }
  auto jobs = jobs_.CreateJobs(run_id, new_jobs);
  if (!jobs.ok()) return FailRun(run_id, jobs.status().message());
  for (const auto& j : *jobs) feedback_.OnJobStatus(j.id);  // pending, before any is leased
  std::lock_guard lock(mu_);
  auto fresh = runs_.Get(run_id);  // a cancel may have come while planning
  if (!fresh.ok()) {
    return LogError("planned run unreadable", {{"run", std::to_string(run_id)}, {"error", fresh.status().ToString()}});
  }
  if (fresh->status != RunStatus::kPending) {
    for (const auto& j : *jobs) {
      if (Status s = jobs_.SetStatus(j.id, JobStatus::kCanceled, clock_()); !s.ok()) {
        LogWarn("job status not stored", {{"run", std::to_string(run_id)}, {"job", std::to_string(j.id)},
                                          {"error", s.ToString()}});
      }
    }
    return;
  }
  ScheduleRunLocked(*fresh, *jobs);
}

// The policy may have been tightened since the parent ran: its specs are checked again.
Status Coordinator::CheckRerunPolicy(int64_t run_id, const std::vector<store::NewJob>& new_jobs) {
  auto run = runs_.Get(run_id);
  if (!run.ok()) return run.status();
  auto repo = repos_.GetById(run->repo_id);
  if (!repo.ok()) return repo.status();
  std::vector<pipelines::JobSpec> specs;
  for (const auto& j : new_jobs) {
    auto spec = pipelines::JobSpecFromJson(nlohmann::json::parse(j.spec_json, nullptr, false));
    if (spec.ok()) specs.push_back(*spec);
  }
  auto violations = PolicyViolations(*repo, run->branch, specs, nullptr);
  if (violations.empty()) return Status::Ok();
  nlohmann::json diagnostics = nlohmann::json::array();
  for (const auto& d : violations) diagnostics.push_back(pipelines::ToJson(d));
  if (Status s = runs_.SetDiagnostics(run_id, JsonText(diagnostics)); !s.ok()) {
    LogWarn("run diagnostics not stored", {{"run", std::to_string(run_id)}, {"error", s.ToString()}});
  }
  return Status::PermissionDenied("the rerun breaks the repository's publish policy or secrets: " +
                                  pipelines::FormatDiagnostic(violations.front()));
}

// A rerun (core/rerun_plan.h): the chosen jobs of the parent run and their dependents.
void Coordinator::PlanRerun(int64_t run_id, int64_t parent_run_id, RerunSelection selection) {
  MarkPlanningStarted(run_id);
  auto parent_jobs = jobs_.ListByRun(parent_run_id);
  if (!parent_jobs.ok()) return FailRun(run_id, parent_jobs.status().message());
  std::set<std::string> chosen = ChooseRerunJobs(*parent_jobs, selection);
  if (chosen.empty()) return FailRun(run_id, "nothing to rerun: every job of run " + std::to_string(parent_run_id) + " succeeded");
  std::vector<store::NewJob> new_jobs = RerunJobs(*parent_jobs, chosen, config_.max_attempts);
  if (Status s = CheckRerunPolicy(run_id, new_jobs); !s.ok()) return FailRun(run_id, s.message());
  auto jobs = jobs_.CreateJobs(run_id, new_jobs);
  if (!jobs.ok()) return FailRun(run_id, jobs.status().message());
  for (const auto& j : *jobs) feedback_.OnJobStatus(j.id);
  std::lock_guard lock(mu_);
  auto fresh = runs_.Get(run_id);
  if (!fresh.ok()) {
    return LogError("planned run unreadable", {{"run", std::to_string(run_id)}, {"error", fresh.status().ToString()}});
  }
  if (fresh->status != RunStatus::kPending) return;
  ScheduleRunLocked(*fresh, *jobs);
}

}  // namespace slipway::core
