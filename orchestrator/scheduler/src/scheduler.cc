#include "scheduler/scheduler.h"

#include <algorithm>
#include <array>
#include <deque>
#include <utility>

#include <openssl/rand.h>

#include "common/strings.h"

namespace slipway::scheduler {
namespace {

std::string RandomLeaseId() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // RAND_bytes only fails when the system has no entropy source at all; refuse to continue
    // with guessable ids.
    std::abort();
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool HasLabels(const AgentInfo& agent, const std::map<std::string, std::string>& wanted) {
  for (const auto& [key, value] : wanted) {
    auto it = agent.labels.find(key);
    if (it == agent.labels.end() || it->second != value) return false;
  }
  return true;
}

bool EndsBadly(JobStatus s) {
  return s == JobStatus::kFailure || s == JobStatus::kError || s == JobStatus::kCanceled ||
         s == JobStatus::kSkipped;
}

Change JobChange(const JobNode& job, std::string reason) {
  Change c;
  c.kind = Change::Kind::kJob;
  c.run_id = job.run_id;
  c.job_id = job.job_id;
  c.job_name = job.name;
  c.job_status = job.status;
  c.attempt = job.attempt;
  if (job.status == JobStatus::kRunning) c.agent = job.agent;
  c.reason = std::move(reason);
  return c;
}

// Kahn's algorithm over the needs (a need listed twice counts twice both ways).
bool HasCycle(const std::vector<JobNode>& jobs,
              const std::map<int64_t, std::vector<int64_t>>& dependents) {
  std::map<int64_t, std::size_t> position;
  std::vector<int> missing(jobs.size());
  std::deque<std::size_t> free;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    position[jobs[i].job_id] = i;
    missing[i] = static_cast<int>(jobs[i].needs.size());
    if (missing[i] == 0) free.push_back(i);
  }
  std::size_t seen = 0;
  while (!free.empty()) {
    std::size_t i = free.front();
    free.pop_front();
    ++seen;
    auto it = dependents.find(jobs[i].job_id);
    if (it == dependents.end()) continue;
    for (int64_t dep_id : it->second) {
      std::size_t d = position[dep_id];
      if (--missing[d] == 0) free.push_back(d);
    }
  }
  return seen != jobs.size();
}

}  // namespace

RunStatus DeriveRunStatus(const std::vector<JobNode>& jobs, bool canceled) {
  bool all_final = true, started = false;
  bool any_error = false, any_failure = false, any_canceled = false;
  for (const JobNode& job : jobs) {
    if (!IsFinal(job.status)) all_final = false;
    bool reused = job.status == JobStatus::kSuccess && job.attempt == 0;
    if ((job.status != JobStatus::kPending || job.attempt > 0) && !reused) started = true;
    any_error |= job.status == JobStatus::kError;
    any_failure |= job.status == JobStatus::kFailure;
    any_canceled |= job.status == JobStatus::kCanceled;
  }
  if (!all_final) return started ? RunStatus::kRunning : RunStatus::kPending;
  if (canceled) return RunStatus::kCanceled;
  if (any_error) return RunStatus::kError;
  if (any_failure) return RunStatus::kFailure;
  if (any_canceled) return RunStatus::kCanceled;
  return RunStatus::kSuccess;
}

Scheduler::Scheduler(SchedulerOptions options) : options_(std::move(options)) {}

int Scheduler::MaxAttempts(const JobNode& job) const {
  return job.max_attempts > 0 ? job.max_attempts : options_.default_max_attempts;
}

std::string Scheduler::NewLeaseId() {
  for (;;) {
    std::string id = options_.new_lease_id ? options_.new_lease_id() : RandomLeaseId();
    if (!id.empty() && leases_.count(id) == 0) return id;
  }
}

Status Scheduler::IndexJobs(const std::vector<JobNode>& jobs, RunState* run) const {
  std::set<int64_t> ids;
  for (const JobNode& job : jobs) {
    if (job.name.empty()) return Status::InvalidArgument("a job has no name");
    if (!run->by_name.emplace(job.name, job.job_id).second) {
      return Status::InvalidArgument("job name \"" + job.name + "\" appears twice");
    }
    if (!ids.insert(job.job_id).second || jobs_.count(job.job_id)) {
      return Status::AlreadyExists("job id " + std::to_string(job.job_id) + " is already held");
    }
    if (job.status == JobStatus::kRunning && !job.lease_id.empty() && leases_.count(job.lease_id)) {
      return Status::AlreadyExists("lease of job \"" + job.name + "\" is already held");
    }
  }
  for (const JobNode& job : jobs) {
    for (const std::string& need : job.needs) {
      auto it = run->by_name.find(need);
      if (it == run->by_name.end()) {
        return Status::InvalidArgument("job \"" + job.name + "\" needs unknown job \"" + need + "\"");
      }
      run->dependents[it->second].push_back(job.job_id);
    }
  }
  if (HasCycle(jobs, run->dependents)) {
    return Status::InvalidArgument("the needs of run " + std::to_string(run->info.run_id) +
                                   " form a cycle");
  }
  return Status::Ok();
}

void Scheduler::RestoreLeases(const RunState& run, int64_t now_ms, std::vector<Change>* out) {
  for (int64_t id : run.job_ids) {
    JobNode& job = jobs_.at(id);
    if (job.status != JobStatus::kRunning) {
      job.lease_id.clear();
      job.pushing = false;
      continue;
    }
    if (job.lease_id.empty() || job.lease_expires_ms <= now_ms) {
      job.lease_id.clear();
      LoseLease(job, "lease lost while the orchestrator was down", out);
      continue;
    }
    leases_[job.lease_id] = job.job_id;
    ++agent_leases_[job.agent];
  }
}

Result<std::vector<Change>> Scheduler::AddRun(const RunInfo& info, std::vector<JobNode> jobs,
                                              int64_t now_ms) {
  if (runs_.count(info.run_id)) {
    return Status::AlreadyExists("run " + std::to_string(info.run_id) + " is already scheduled");
  }
  RunState run;
  run.info = info;
  run.status = info.status;
  if (Status s = IndexJobs(jobs, &run); !s.ok()) return s;
  for (JobNode& job : jobs) {
    job.run_id = info.run_id;
    run.job_ids.push_back(job.job_id);
  }
  runs_.emplace(info.run_id, std::move(run));
  for (JobNode& job : jobs) jobs_.emplace(job.job_id, std::move(job));

  RunState& held = runs_.at(info.run_id);
  std::vector<Change> changes;
  // Live leases come back; dead ones are taken back as Expire would.
  RestoreLeases(held, now_ms, &changes);
  if (held.info.canceled) {
    CancelJobs(held, "canceled", /*spare_pushing=*/true, &changes);
  }
  for (int64_t id : held.job_ids) {
    const JobNode& job = jobs_.at(id);
    if (EndsBadly(job.status)) SkipDependents(job, &changes);
  }
  for (int64_t id : held.job_ids) {
    const JobNode& job = jobs_.at(id);
    if (job.status == JobStatus::kPending && NeedsSucceeded(held, job)) ready_.insert(id);
  }
  UpdateRun(info.run_id, "", &changes);
  return changes;
}

bool Scheduler::NeedsSucceeded(const RunState& run, const JobNode& job) const {
  for (const std::string& need : job.needs) {
    if (jobs_.at(run.by_name.find(need)->second).status != JobStatus::kSuccess) return false;
  }
  return true;
}

std::optional<Grant> Scheduler::Acquire(const AgentInfo& agent, int64_t now_ms) {
  if (LeasesHeldBy(agent.name) >= agent.capacity) return std::nullopt;
  for (int64_t id : ready_) {
    JobNode& job = jobs_.at(id);
    if (!HasLabels(agent, job.labels)) continue;
    ready_.erase(id);
    Grant grant;
    job.status = JobStatus::kRunning;
    job.attempt += 1;
    job.lease_id = NewLeaseId();
    job.agent = agent.name;
    job.lease_expires_ms = now_ms + options_.lease_ms;
    job.pushing = false;
    job.cancel_requested = false;
    job.renewed = false;
    leases_[job.lease_id] = id;
    ++agent_leases_[agent.name];
    grant.lease = Lease{job.lease_id, id, job.run_id, job.name, agent.name, job.attempt,
                        job.lease_expires_ms};
    grant.changes.push_back(JobChange(job, "leased to " + agent.name));
    UpdateRun(job.run_id, "", &grant.changes);
    return grant;
  }
  return std::nullopt;
}

Result<JobNode*> Scheduler::LiveJob(std::string_view lease_id, int64_t now_ms) {
  auto it = leases_.find(std::string(lease_id));
  if (it == leases_.end()) {
    return Status::Conflict("lease " + std::string(lease_id) +
                            " is not held: it expired, was taken back, or its job ended");
  }
  JobNode& job = jobs_.at(it->second);
  if (job.lease_expires_ms <= now_ms) {
    return Status::Conflict("lease " + std::string(lease_id) + " expired");
  }
  return &job;
}

Result<Renewal> Scheduler::Renew(std::string_view lease_id, int64_t now_ms) {
  Result<JobNode*> job = LiveJob(lease_id, now_ms);
  if (!job.ok()) return job.status();
  (*job)->lease_expires_ms = now_ms + options_.lease_ms;
  (*job)->renewed = true;
  return Renewal{(*job)->lease_expires_ms, (*job)->cancel_requested};
}

Status Scheduler::MarkPushing(std::string_view lease_id, int64_t now_ms) {
  Result<JobNode*> job = LiveJob(lease_id, now_ms);
  if (!job.ok()) return job.status();
  if ((*job)->cancel_requested) {
    return Status::Conflict("job \"" + (*job)->name + "\" is being canceled");
  }
  (*job)->pushing = true;
  return Status::Ok();
}

bool Scheduler::CancelRequested(std::string_view lease_id) const {
  auto it = leases_.find(std::string(lease_id));
  return it != leases_.end() && jobs_.at(it->second).cancel_requested;
}

void Scheduler::ReleaseLease(JobNode& job) {
  if (!job.lease_id.empty()) {
    leases_.erase(job.lease_id);
    auto it = agent_leases_.find(job.agent);
    if (it != agent_leases_.end() && --it->second <= 0) agent_leases_.erase(it);
  }
  job.lease_id.clear();
  job.lease_expires_ms = 0;
  job.pushing = false;
}

void Scheduler::SetJobStatus(JobNode& job, JobStatus status, std::string reason,
                             std::vector<Change>* out) {
  job.status = status;
  if (status != JobStatus::kPending) ready_.erase(job.job_id);
  out->push_back(JobChange(job, std::move(reason)));
}

void Scheduler::SkipDependents(const JobNode& job, std::vector<Change>* out) {
  const RunState& run = runs_.at(job.run_id);
  auto it = run.dependents.find(job.job_id);
  if (it == run.dependents.end()) return;
  for (int64_t dep_id : it->second) {
    JobNode& dep = jobs_.at(dep_id);
    if (dep.status != JobStatus::kPending) continue;
    SetJobStatus(dep, JobStatus::kSkipped,
                 "needs \"" + job.name + "\", which ended " + std::string(JobStatusName(job.status)),
                 out);
    SkipDependents(dep, out);
  }
}

void Scheduler::ReadyDependents(const JobNode& job) {
  const RunState& run = runs_.at(job.run_id);
  auto it = run.dependents.find(job.job_id);
  if (it == run.dependents.end()) return;
  for (int64_t dep_id : it->second) {
    const JobNode& dep = jobs_.at(dep_id);
    if (dep.status == JobStatus::kPending && NeedsSucceeded(run, dep)) ready_.insert(dep_id);
  }
}

Result<std::vector<Change>> Scheduler::Finish(std::string_view lease_id, JobStatus result,
                                              int64_t now_ms, std::string reason) {
  if (result == JobStatus::kPending || result == JobStatus::kRunning ||
      result == JobStatus::kSkipped) {
    return Status::InvalidArgument("a job cannot finish as " + std::string(JobStatusName(result)));
  }
  Result<JobNode*> live = LiveJob(lease_id, now_ms);
  if (!live.ok()) return live.status();
  JobNode& job = **live;
  std::vector<Change> changes;
  ReleaseLease(job);
  SetJobStatus(job, result, std::move(reason), &changes);
  if (result == JobStatus::kSuccess) {
    ReadyDependents(job);
  } else {
    SkipDependents(job, &changes);
  }
  UpdateRun(job.run_id, "", &changes);
  return changes;
}

void Scheduler::LoseLease(JobNode& job, std::string reason, std::vector<Change>* out) {
  std::string agent = job.agent;
  ReleaseLease(job);
  const RunState& run = runs_.at(job.run_id);
  if (job.cancel_requested || run.info.canceled) {
    SetJobStatus(job, JobStatus::kCanceled, reason + "; canceled", out);
    SkipDependents(job, out);
  } else if (job.attempt < MaxAttempts(job)) {
    job.status = JobStatus::kPending;
    job.agent.clear();
    out->push_back(JobChange(job, reason + "; requeued after attempt " +
                                      std::to_string(job.attempt) + " of " +
                                      std::to_string(MaxAttempts(job))));
    if (NeedsSucceeded(run, job)) ready_.insert(job.job_id);
  } else {
    SetJobStatus(job, JobStatus::kError,
                 reason + "; no attempts left (" + std::to_string(job.attempt) + " of " +
                     std::to_string(MaxAttempts(job)) + ")",
                 out);
    SkipDependents(job, out);
  }
}

std::vector<Change> Scheduler::Expire(int64_t now_ms) {
  std::vector<int64_t> lost;
  for (const auto& [lease, job_id] : leases_) {
    if (jobs_.at(job_id).lease_expires_ms <= now_ms) lost.push_back(job_id);
  }
  std::sort(lost.begin(), lost.end());  // deterministic order
  std::vector<Change> changes;
  for (int64_t id : lost) {
    JobNode& job = jobs_.at(id);
    int64_t run_id = job.run_id;
    std::string reason = "lease of agent " + job.agent + " expired";
    if (!job.renewed && job.unrenewed_losses < kMaxUnrenewedLosses) {
      ++job.unrenewed_losses;
      --job.attempt;  // the build never reported in: this lease costs no attempt
      reason += " before its first renewal";
    }
    LoseLease(job, reason, &changes);
    UpdateRun(run_id, "", &changes);
  }
  return changes;
}

void Scheduler::CancelJobs(RunState& run, const std::string& reason, bool spare_pushing,
                           std::vector<Change>* out) {
  for (int64_t id : run.job_ids) {
    JobNode& job = jobs_.at(id);
    if (job.status == JobStatus::kPending) {
      SetJobStatus(job, JobStatus::kCanceled, reason, out);
    } else if (job.status == JobStatus::kRunning && !(spare_pushing && job.pushing)) {
      job.cancel_requested = true;
    }
  }
}

Result<std::vector<Change>> Scheduler::CancelRun(int64_t run_id, std::string reason) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) {
    return Status::NotFound("run " + std::to_string(run_id) + " is not scheduled (unknown or ended)");
  }
  std::vector<Change> changes;
  it->second.info.canceled = true;
  CancelJobs(it->second, reason, /*spare_pushing=*/false, &changes);
  UpdateRun(run_id, reason, &changes);
  return changes;
}

std::vector<Change> Scheduler::SupersedeBranch(std::string_view repo, std::string_view branch,
                                               int64_t newer_run_id) {
  std::vector<Change> changes;
  std::vector<int64_t> older;
  for (const auto& [id, run] : runs_) {
    if (id < newer_run_id && run.info.repo == repo && run.info.branch == branch) older.push_back(id);
  }
  for (int64_t id : older) {
    RunState& run = runs_.at(id);
    std::string reason = "superseded by run " + std::to_string(newer_run_id);
    run.info.canceled = true;
    CancelJobs(run, reason, /*spare_pushing=*/true, &changes);
    UpdateRun(id, reason, &changes);
  }
  return changes;
}

void Scheduler::UpdateRun(int64_t run_id, std::string reason, std::vector<Change>* out) {
  RunState& run = runs_.at(run_id);
  std::vector<JobNode> jobs;
  jobs.reserve(run.job_ids.size());
  for (int64_t id : run.job_ids) jobs.push_back(jobs_.at(id));
  RunStatus status = DeriveRunStatus(jobs, run.info.canceled);
  if (status != run.status) {
    run.status = status;
    Change c;
    c.kind = Change::Kind::kRun;
    c.run_id = run_id;
    c.run_status = status;
    c.reason = std::move(reason);
    out->push_back(std::move(c));
  }
  if (IsFinal(status)) {
    for (int64_t id : run.job_ids) {
      ready_.erase(id);
      jobs_.erase(id);
    }
    runs_.erase(run_id);
  }
}

std::optional<JobNode> Scheduler::JobByLease(std::string_view lease_id) const {
  auto it = leases_.find(std::string(lease_id));
  if (it == leases_.end()) return std::nullopt;
  return jobs_.at(it->second);
}

int Scheduler::LeasesHeldBy(std::string_view agent) const {
  auto it = agent_leases_.find(agent);
  return it == agent_leases_.end() ? 0 : it->second;
}

}  // namespace slipway::scheduler
