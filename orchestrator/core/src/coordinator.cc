// Coordinator: construction, restore after a restart, persisting scheduler changes, housekeeping.
// Intake (runs, planning) is in coordinator_intake.cc; agents' calls in coordinator_agents.cc.
#include "core/coordinator.h"

#include "common/log.h"
#include "common/redact.h"
#include "core/base_watch.h"
#include "core/git_credentials.h"
#include "core/views.h"
#include "core/work_queue.h"
#include "pipelines/job_spec.h"
#include "store/secret_store.h"

namespace slipway::core {

using scheduler::Change;
using scheduler::JobStatus;
using scheduler::JobStatusName;
using scheduler::RunStatusName;

Coordinator::Coordinator(const ServerConfig& config, store::Database& db, Clock clock)
    : config_(config),
      db_(db),
      clock_(std::move(clock)),
      repos_(db),
      runs_(db),
      jobs_(db),
      steps_(db),
      logs_(db),
      agents_(db),
      images_(db),
      queries_(db),
      reviewer_(config_.scan, db),
      mirror_(config.data_dir + "/mirrors"),
      feedback_(db, config.public_url, clock_,
                [this] {
                  if (outbox_) outbox_->Wake();
                }),
      scheduler_(scheduler::SchedulerOptions{.lease_ms = config.lease_seconds * 1000LL,
                                             .default_max_attempts = config.max_attempts,
                                             .new_lease_id = nullptr}) {}

Coordinator::~Coordinator() { Stop(); }

Status Coordinator::Start() {
  // First: every thread started below may store forge messages, which wake it.
  outbox_ = std::make_unique<ForgeOutbox>(db_, secret_box_, clock_);
  outbox_->Start();
  work_ = std::make_unique<WorkQueue>();
  if (config_.scan.Uses("osv")) rescanner_ = std::make_unique<Rescanner>(config_.scan, reviewer_, db_, hub_);
  bases_ = MakeBaseWatch();
  std::lock_guard lock(mu_);
  return RestoreLocked();
}

void Coordinator::Stop() {
  std::unique_ptr<Rescanner> rescanner;
  {
    std::lock_guard lock(mu_);  // Tick uses it under mu_
    rescanner = std::move(rescanner_);
  }
  rescanner.reset();  // finishes a check under way
  bases_.reset();     // finishes queued base checks, which may queue planning
  work_.reset();      // finishes queued planning
  if (outbox_) outbox_->Stop();  // what is unsent stays stored for the next start
  std::lock_guard lock(mu_);
  for (auto& w : lease_waiters_) w.poll->Answer(std::nullopt);
  lease_waiters_.clear();
  for (auto& w : renew_waiters_) w.poll->Answer(protocol::RenewAnswer{.cancel = false});
  renew_waiters_.clear();
  hub_.CloseAll();
}

// Brings back what was running when the server stopped: runs waiting to be planned are planned,
// runs whose planning was cut short fail (MarkPlanningStarted); runs with jobs go back into the scheduler with their leases, so agents that keep
// renewing keep their jobs, and leases nobody renews expire as usual.
Status Coordinator::RestoreLocked() {
  auto unfinished = runs_.ListUnfinished();
  if (!unfinished.ok()) return unfinished.status();
  int64_t now = clock_();
  for (const auto& run : *unfinished) {
    auto jobs = jobs_.ListByRun(run.id);
    if (!jobs.ok()) return jobs.status();
    if (jobs->empty() && run.started_at) {
      FailRun(run.id, "planning was cut short when the server stopped; it is not tried again (push again to retry)");
      continue;
    }
    if (jobs->empty() && run.approval == store::Approval::kAwaiting) continue;  // planned once approved
    if (jobs->empty()) {
      int64_t id = run.id;
      QueuePlanning(id, [this, id] { PlanRun(id, std::nullopt); });
      continue;
    }
    ScheduleRunLocked(run, *jobs);
    if (run.cancel_reason) {  // asked before the restart: ask again
      auto changes = scheduler_.CancelRun(run.id, *run.cancel_reason);
      if (changes.ok()) PersistLocked(*changes, now);
    }
  }
  NotifyCancelsLocked();
  LogInfo("restored unfinished runs", {{"runs", std::to_string(unfinished->size())},
                                       {"held", std::to_string(scheduler_.RunCount())},
                                       {"at", std::to_string(now)}});
  return Status::Ok();
}

void Coordinator::ScheduleRunLocked(const store::Run& run, const std::vector<store::Job>& jobs) {
  std::vector<scheduler::JobNode> nodes;
  for (const auto& job : jobs) {
    scheduler::JobNode node;
    node.job_id = job.id;
    node.name = job.name;
    node.needs = job.needs;
    node.status = job.status;
    node.attempt = job.attempt;
    node.max_attempts = job.max_attempts;
    auto spec = pipelines::JobSpecFromJson(nlohmann::json::parse(job.spec_json, nullptr, false));
    if (spec.ok()) {
      node.labels = spec->labels;
    } else {  // planned by this server, so not expected: the job then runs on any agent
      LogWarn("job spec unreadable", {{"run", std::to_string(run.id)}, {"job", std::to_string(job.id)},
                                      {"error", spec.status().ToString()}});
    }
    if (job.status == JobStatus::kRunning && job.lease_id) {
      node.lease_id = *job.lease_id;
      node.agent = job.agent;
      node.lease_expires_ms = job.lease_expires_at.value_or(0);
    }
    nodes.push_back(std::move(node));
  }
  scheduler::RunInfo info{.run_id = run.id,
                          .repo = run.repo_name,
                          .branch = run.branch,
                          .canceled = false,
                          .status = run.status};
  int64_t now = clock_();
  auto changes = scheduler_.AddRun(info, std::move(nodes), now);
  if (!changes.ok()) {
    LogError("cannot schedule run", {{"run", std::to_string(run.id)}, {"error", changes.status().ToString()}});
    Status s = runs_.SetStatus(run.id, {.status = RunStatus::kError, .error = changes.status().message(),
                                        .finished_at = now});
    if (!s.ok()) LogError("run status not stored", {{"run", std::to_string(run.id)}, {"error", s.ToString()}});
    return;
  }
  PersistLocked(*changes, now);
  // A pull request's runs share the branch "pull/N": a new commit supersedes the one before.
  if (config_.supersede && (run.trigger == "push" || run.trigger == "pull_request")) {
    PersistLocked(scheduler_.SupersedeBranch(run.repo_name, run.branch, run.id), now);
    NotifyCancelsLocked();
  }
  DispatchLocked();
}

std::string Coordinator::CancelReasonLocked(const Change& c) {
  // A canceled run says why: "canceled by request" (kept in the store until the run ends, as its
  // last job may end long after the cancel), "superseded by run 12".
  auto run = runs_.Get(c.run_id);
  if (run.ok() && run->cancel_reason) return *run->cancel_reason;
  return c.reason;
}

void Coordinator::PersistLocked(const std::vector<Change>& changes, int64_t now, int64_t skip_job_id) {
  for (const auto& c : changes) {
    if (c.kind == Change::Kind::kRun) {
      store::RunStatusUpdate update{.status = c.run_status, .error = ""};
      if (c.run_status == scheduler::RunStatus::kCanceled) update.error = CancelReasonLocked(c);
      if (c.run_status == scheduler::RunStatus::kRunning) update.started_at = now;
      if (scheduler::IsFinal(c.run_status)) update.finished_at = now;
      Status s = runs_.SetStatus(c.run_id, update);
      if (!s.ok()) LogWarn("run status not stored", {{"run", std::to_string(c.run_id)}, {"error", s.ToString()}});
      hub_.Publish("events", "run",
                   {{"run_id", c.run_id}, {"status", RunStatusName(c.run_status)}, {"reason", c.reason}});
      feedback_.OnRunStatus(c.run_id);
      if (scheduler::IsFinal(c.run_status)) ReportRunFinished(c.run_id);
      continue;
    }
    if (c.job_id != skip_job_id && c.job_status != JobStatus::kRunning) {
      // Running is recorded by the grant (it carries the lease); finishes with a result by FinishJob.
      Status s = jobs_.SetStatus(c.job_id, c.job_status,
                                 scheduler::IsFinal(c.job_status) ? std::optional<int64_t>(now) : std::nullopt);
      if (!s.ok()) {
        LogWarn("job status not stored",
                {{"run", std::to_string(c.run_id)}, {"job", std::to_string(c.job_id)}, {"error", s.ToString()}});
      }
    }
    if (scheduler::IsFinal(c.job_status)) {
      hub_.CloseTopic("job/" + std::to_string(c.job_id) + "/log", "end", {{"status", JobStatusName(c.job_status)}});
    }
    feedback_.OnJobStatus(c.job_id);
    hub_.Publish("events", "job",
                 {{"run_id", c.run_id}, {"job_id", c.job_id}, {"name", c.job_name},
                  {"status", JobStatusName(c.job_status)}, {"attempt", c.attempt}, {"agent", c.agent},
                  {"reason", c.reason}});
    LogInfo("job status", {{"run", std::to_string(c.run_id)}, {"job", c.job_name},
                           {"status", std::string(JobStatusName(c.job_status))}, {"reason", c.reason}});
  }
}

// The housekeeping thread's only entry: whatever goes wrong in one tick is logged, and the next
// tick runs as usual.
void Coordinator::Tick() {
  try {
    TickUnguarded();
  } catch (const std::exception& e) {
    LogError("housekeeping tick failed", {{"error", e.what()}});
  } catch (...) {
    LogError("housekeeping tick failed", {{"error", "an unknown exception"}});
  }
}

void Coordinator::TickUnguarded() {
  if (bases_) bases_->Tick();
  std::lock_guard lock(mu_);
  int64_t now = clock_();
  auto expired = scheduler_.Expire(now);
  if (!expired.empty()) {
    PersistLocked(expired, now);
    DispatchLocked();
  }
  for (auto it = lease_waiters_.begin(); it != lease_waiters_.end();) {
    if (it->poll->Closed()) {
      it = lease_waiters_.erase(it);
    } else if (it->deadline_ms <= now) {
      it->poll->Answer(std::nullopt);
      it = lease_waiters_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = renew_waiters_.begin(); it != renew_waiters_.end();) {
    if (it->deadline_ms <= now || it->poll->Closed()) {
      it->poll->Answer(protocol::RenewAnswer{.cancel = false});
      it = renew_waiters_.erase(it);
    } else {
      ++it;
    }
  }
  if (rescanner_) rescanner_->Tick(now);
  if (now - last_heartbeat_ms_ >= 15000) {
    last_heartbeat_ms_ = now;
    hub_.Heartbeat();
  }
  if (now - last_prune_ms_ >= kPruneEveryMs) {
    last_prune_ms_ = now;
    // Delivery ids are kept for dedupe well past the forges' redelivery window.
    auto pruned = runs_.PruneDeliveries(now - kKeepDeliveriesMs);
    if (!pruned.ok()) LogWarn("old webhook deliveries not pruned", {{"error", pruned.status().ToString()}});
    else if (*pruned > 0) LogInfo("pruned old webhook deliveries", {{"count", std::to_string(*pruned)}});
  }
}

// A pull request's run also updates its comment.
void Coordinator::ReportRunFinished(int64_t run_id) {
  auto run = runs_.Get(run_id);
  if (run.ok()) feedback_.OnRunFinished(*run, run->origin.pr_number);
}

Result<GitCredential> Coordinator::CloneCredential(const store::Repo& repo) {
  if (secret_box_ == nullptr) return GitCredential{};
  store::SecretStore secrets(db_, *secret_box_);
  auto credential = RepoGitCredential(secrets, repo.id, repo.clone_url);
  if (!credential.ok()) return credential.status().Annotate("clone credential of " + repo.name);
  return credential;
}

Status Coordinator::FetchMirror(const store::Repo& repo) {
  auto credential = CloneCredential(repo);
  if (!credential.ok()) return credential.status();
  Status fetched = mirror_.Fetch(repo.name, repo.clone_url, *credential);
  if (fetched.ok()) return fetched;
  return Status(fetched.code(), fetched.message() + " (fetched " + DescribeGitCredential(*credential) + ")");
}

std::vector<std::string> Coordinator::KnownSecrets() {
  std::vector<std::string> secrets = {config_.admin_token, config_.agent_token};
  if (auto repos = repos_.List(); repos.ok()) {
    for (const auto& r : *repos) {
      secrets.push_back(r.secret);
      secrets.push_back(UrlCredential(r.clone_url));
    }
  }
  if (secret_box_ == nullptr) return secrets;
  std::lock_guard lock(stored_secrets_mu_);
  const uint64_t generation = store::SecretStore::Generation();  // read before the values
  if (generation != stored_secrets_generation_) {
    store::SecretStore store(db_, *secret_box_);
    auto values = store.RevealAll();
    if (!values.ok()) {
      LogError("stored secrets unreadable; text is masked of the others only",
               {{"error", values.status().ToString()}});
    } else {
      stored_secret_forms_ = EncodedForms(*values);
      stored_secrets_generation_ = generation;
    }
  }
  // Longest first across both lists: a form holding a token is replaced whole.
  secrets.insert(secrets.begin(), stored_secret_forms_.begin(), stored_secret_forms_.end());
  return secrets;
}

std::string Coordinator::RedactSecrets(std::string_view text) { return Redact(text, KnownSecrets()); }

protocol::FinishReport Coordinator::RedactReport(const protocol::FinishReport& report) {
  const std::vector<std::string> secrets = KnownSecrets();  // read once, not once per line
  protocol::FinishReport out = report;
  out.error = Redact(report.error, secrets);
  out.failed_step = Redact(report.failed_step, secrets);
  for (auto& line : out.log_tail) line = Redact(line, secrets);
  return out;
}

nlohmann::json Coordinator::Metrics() {
  std::lock_guard lock(mu_);
  nlohmann::json m = {{"slipway_runs_held", scheduler_.RunCount()},
                      {"slipway_jobs_ready", scheduler_.ReadyCount()},
                      {"slipway_agents_waiting", lease_waiters_.size()},
                      {"slipway_leases_live", scheduler_.LeaseCount()},
                      {"slipway_sse_subscribers", hub_.SubscriberCount()}};
  for (const auto& [name, value] : counters_) m[name] = value;
  return m;
}

}  // namespace slipway::core
