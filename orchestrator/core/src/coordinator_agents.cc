// Coordinator, the agents' side: leases (long-polled), renewals that carry cancels, logs, steps
// and results. Every write names its lease; a stale lease is refused (409) so a result is recorded
// once, by the agent that holds the job.
#include "common/json_text.h"
#include "common/log.h"
#include "common/redact.h"
#include "core/coordinator.h"
#include "core/build_secrets.h"
#include "core/job_result.h"
#include "core/views.h"

namespace slipway::core {

using scheduler::JobStatus;

namespace {

// The scanners that need the image itself, which only the building agent has.
std::vector<std::string> AgentScanners(const ScanConfig& scan) {
  std::vector<std::string> out;
  for (const auto& s : scan.scanners) {
    if (s != "osv") out.push_back(s);
  }
  return out;
}

// The image size recorded in the run for that stage, in the same matrix combination as `job`
// (budget.max_ratio_of), if any.
std::optional<int64_t> ImageSizeOf(store::JobStore& jobs, const store::Job& job, const std::string& stage) {
  if (stage.empty()) return std::nullopt;
  auto list = jobs.ListByRun(job.run_id);
  if (!list.ok()) return std::nullopt;
  auto matrix = [](const store::Job& j) { return nlohmann::json::parse(j.spec_json, nullptr, false).value("matrix", nlohmann::json()); };
  for (const auto& j : *list) {
    if (j.stage != stage || !j.result_json || matrix(j) != matrix(job)) continue;
    auto result = nlohmann::json::parse(*j.result_json, nullptr, false);
    if (result.is_object() && result.contains("image") && result["image"].is_object() &&
        result["image"].contains("size_bytes") && result["image"]["size_bytes"].is_number()) {
      return result["image"]["size_bytes"].get<int64_t>();
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ReviewOutcome> Coordinator::ReviewImage(const std::string& lease_id,
                                                     const protocol::FinishReport& report) {
  if (!report.insight || !report.image) return std::nullopt;
  auto job = jobs_.GetByLease(lease_id);
  if (!job.ok() || job->status != JobStatus::kRunning) return std::nullopt;  // a retried finish: reviewed already
  auto run = runs_.Get(job->run_id);
  auto repo = run.ok() ? repos_.GetById(run->repo_id) : Result<store::Repo>(run.status());
  auto spec = pipelines::JobSpecFromJson(nlohmann::json::parse(job->spec_json, nullptr, false));
  if (!repo.ok() || !spec.ok()) return std::nullopt;
  ReviewSubject subject{run->repo_id, job->name, run->branch, repo->default_branch, report.image->digest,
                        spec->budget, spec->scan, ImageSizeOf(jobs_, *job, spec->budget.ratio_of_stage)};
  auto review = reviewer_.Review(subject, *report.insight, report.scans.value_or(nlohmann::json::array()), clock_());
  if (!review.ok()) {
    LogWarn("image not reviewed", {{"lease", lease_id}, {"run", std::to_string(job->run_id)},
                                   {"job", std::to_string(job->id)}, {"error", review.status().ToString()}});
    return std::nullopt;
  }
  return std::move(*review);
}

std::optional<protocol::LeaseOffer> Coordinator::GrantLocked(const scheduler::AgentInfo& agent, int64_t now) {
  for (;;) {
    auto grant = scheduler_.Acquire(agent, now);
    if (!grant) return std::nullopt;
    const auto& lease = grant->lease;
    Status s = jobs_.MarkLeased(lease.job_id, lease.id, agent.name, lease.attempt, lease.expires_ms, now);
    auto job = s.ok() ? jobs_.Get(lease.job_id) : Result<store::Job>(s);
    auto run = job.ok() ? runs_.Get(lease.run_id) : Result<store::Run>(job.status());
    auto repo = run.ok() ? repos_.GetById(run->repo_id) : Result<store::Repo>(run.status());
    auto spec = repo.ok() ? pipelines::JobSpecFromJson(nlohmann::json::parse(job->spec_json, nullptr, false))
                          : Result<pipelines::JobSpec>(repo.status());
    // Handed to the job's agent with this lease only.
    auto credential = spec.ok() ? CloneCredential(*repo) : Result<GitCredential>(spec.status());
    if (!credential.ok()) {
      // Give the job back as an error rather than hand out a lease nobody records or can build.
      LogError("lease not granted", {{"run", std::to_string(lease.run_id)}, {"job", std::to_string(lease.job_id)},
                                     {"error", credential.status().ToString()}});
      auto changes = scheduler_.Finish(lease.id, JobStatus::kError, now,
                                       spec.ok() ? credential.status().message() : "lease could not be recorded");
      if (changes.ok()) PersistLocked(*changes, now);
      continue;
    }
    PersistLocked(grant->changes, now);
    counters_["slipway_leases_granted_total"]++;
    spec->timeout_seconds = std::min(spec->timeout_seconds > 0 ? spec->timeout_seconds : config_.stage_timeout_seconds,
                                     config_.max_stage_timeout_seconds);
    protocol::LeaseOffer offer{.id = lease.id,
                               .job_id = lease.job_id,
                               .run_id = lease.run_id,
                               .attempt = lease.attempt,
                               .repo = repo->name,
                               .clone_url = repo->clone_url,
                               .sha = run->sha,
                               .branch = run->branch,
                               .renew_every_ms = std::max<int64_t>(1000, config_.lease_seconds * 1000LL / 5),
                               .scanners = AgentScanners(config_.scan),
                               .upstream_registry = config_.upstream_registry,
                               .spec = std::move(*spec)};
    offer.git_credential = std::move(*credential);
    if (secret_box_ != nullptr && !run->origin.pr_fork) {  // a fork's pull request gets no secret
      store::SecretStore secrets(db_, *secret_box_);
      AddBuildSecrets(*repo, run->branch, secrets, &offer);
    }
    return offer;
  }
}

void Coordinator::WaitForLease(const scheduler::AgentInfo& agent, const std::string& version, int wait_ms,
                               std::shared_ptr<LeasePoll> poll) {
  int64_t now = clock_();
  auto heard = agents_.Heartbeat(agent.name, JsonText(nlohmann::json(agent.labels)), agent.capacity, version, now);
  if (!heard.ok()) LogWarn("agent heartbeat not stored", {{"agent", agent.name}, {"error", heard.status().ToString()}});
  std::lock_guard lock(mu_);
  if (auto lease = GrantLocked(agent, now)) {
    poll->Answer(std::move(lease));
    return;
  }
  if (wait_ms <= 0) {
    poll->Answer(std::nullopt);
    return;
  }
  lease_waiters_.push_back({agent, std::move(poll), now + wait_ms});
}

void Coordinator::EndLeaseWaits(const std::string& name) {
  std::lock_guard lock(mu_);
  std::erase_if(lease_waiters_, [&name](const LeaseWaiter& w) {
    if (w.agent.name != name) return false;
    w.poll->Answer(std::nullopt);  // 204: nothing for a token that is gone
    return true;
  });
}

void Coordinator::DispatchLocked() {
  int64_t now = clock_();
  for (auto it = lease_waiters_.begin(); it != lease_waiters_.end() && scheduler_.ReadyCount() > 0;) {
    if (it->poll->Closed()) {
      it = lease_waiters_.erase(it);
      continue;
    }
    if (auto lease = GrantLocked(it->agent, now)) {
      it->poll->Answer(std::move(lease));
      it = lease_waiters_.erase(it);
    } else {
      ++it;
    }
  }
}

void Coordinator::NotifyCancelsLocked() {
  for (auto it = renew_waiters_.begin(); it != renew_waiters_.end();) {
    if (scheduler_.CancelRequested(it->lease_id)) {
      it->poll->Answer(protocol::RenewAnswer{.cancel = true});
      it = renew_waiters_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<scheduler::JobNode> Coordinator::LeasedJobLocked(const std::string& lease_id) {
  auto job = scheduler_.JobByLease(lease_id);
  if (!job) return Status::Conflict("lease " + lease_id + " is not held (expired, requeued or finished)");
  return *job;
}

void Coordinator::RenewLease(const std::string& lease_id, int wait_ms, std::shared_ptr<RenewPoll> poll) {
  std::lock_guard lock(mu_);
  int64_t now = clock_();
  auto job = LeasedJobLocked(lease_id);
  auto renewal = job.ok() ? scheduler_.Renew(lease_id, now) : Result<scheduler::Renewal>(job.status());
  if (!renewal.ok()) {
    poll->Answer(renewal.status());
    return;
  }
  // The scheduler holds the lease; the store's copy matters after a restart, and the agent's
  // last-seen time to people watching: log a failure and keep the build going.
  if (Status s = jobs_.RenewLease(job->job_id, lease_id, renewal->expires_ms); !s.ok()) {
    LogWarn("lease renewal not stored", {{"run", std::to_string(job->run_id)}, {"job", std::to_string(job->job_id)},
                                         {"error", s.ToString()}});
  }
  if (Status s = agents_.HeardFromHolder(job->job_id, now); !s.ok()) {  // a busy agent's only sign of life
    LogWarn("agent heartbeat not stored", {{"run", std::to_string(job->run_id)}, {"job", std::to_string(job->job_id)},
                                           {"error", s.ToString()}});
  }
  if (renewal->cancel_requested || wait_ms <= 0) {
    poll->Answer(protocol::RenewAnswer{.cancel = renewal->cancel_requested});
    return;
  }
  renew_waiters_.push_back({lease_id, std::move(poll), now + wait_ms});
}

Status Coordinator::MarkPushing(const std::string& lease_id) {
  std::lock_guard lock(mu_);
  if (auto job = LeasedJobLocked(lease_id); !job.ok()) return job.status();
  return scheduler_.MarkPushing(lease_id, clock_());
}

Status Coordinator::AppendLog(const std::string& lease_id, int64_t seq, const std::string& data) {
  std::lock_guard lock(mu_);
  auto job = LeasedJobLocked(lease_id);
  if (!job.ok()) return job.status();
  const std::string text = RedactSecrets(data);
  auto added = logs_.Append(job->job_id, job->attempt, seq, text, clock_());
  if (!added.ok()) return added.status();
  if (*added) {
    hub_.Publish("job/" + std::to_string(job->job_id) + "/log", "log",
                 {{"seq", seq}, {"attempt", job->attempt}, {"data", text}}, seq + 1);
  }
  return Status::Ok();
}

Status Coordinator::ReplaceSteps(const std::string& lease_id, const protocol::StepsReport& report) {
  const std::vector<std::string> secrets = KnownSecrets();  // step names and errors are agent text too
  std::vector<store::Step> steps;
  for (const auto& s : report.steps) {
    steps.push_back({s.index, s.digest, Redact(s.name, secrets), s.cached, s.started_ms, s.completed_ms,
                     s.duration_ms, Redact(s.error, secrets)});
  }
  std::lock_guard lock(mu_);
  auto job = LeasedJobLocked(lease_id);
  if (!job.ok()) return job.status();
  if (Status s = steps_.ReplaceSteps(job->job_id, steps); !s.ok()) return s;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& step : steps) list.push_back(StepView(step));
  hub_.Publish("job/" + std::to_string(job->job_id) + "/log", "steps", {{"steps", list}});
  return Status::Ok();
}

Status Coordinator::FinishJob(const std::string& lease_id, const protocol::FinishReport& report) {
  if (!IsFinal(report.status) || report.status == JobStatus::kSkipped) {
    return Status::InvalidArgument("a job finishes as success, failure, canceled or error");
  }
  // Off the mutex: scanning may take a while. A broken budget or a blocking finding fails the job.
  std::optional<ReviewOutcome> review =
      report.status == JobStatus::kSuccess ? ReviewImage(lease_id, report) : std::nullopt;
  std::lock_guard lock(mu_);
  int64_t now = clock_();
  auto held = LeasedJobLocked(lease_id);
  if (!held.ok()) {
    // A finish retried after its answer was lost: the job ended under this very lease.
    auto job = jobs_.GetByLease(lease_id);
    if (job.ok() && IsRetriedFinish(*job, report.status)) return Status::Ok();
    return held.status();
  }
  if (held->lease_expires_ms <= now) {  // not taken back yet, but past its time: the next Tick requeues it
    return Status::Conflict("lease " + lease_id + " expired");
  }
  auto job = jobs_.Get(held->job_id);
  auto run = job.ok() ? runs_.Get(job->run_id) : Result<store::Run>(job.status());
  if (!run.ok()) return run.status();
  store::JobFinish finish = JobFinishOf(RedactReport(report), review, *run, *job, lease_id, now);
  Status stored = store::RecordJobFinish(db_, finish);
  if (stored.code() == ErrorCode::kAlreadyExists) return Status::Ok();  // a retried finish, raced
  if (!stored.ok()) {
    LogError("job result not stored", {{"run", std::to_string(run->id)}, {"job", std::to_string(job->id)},
                                       {"error", stored.ToString()}});
    return stored;
  }
  auto changes = scheduler_.Finish(lease_id, finish.status, now, finish.error);
  if (!changes.ok()) return changes.status();
  PersistLocked(*changes, now, held->job_id);
  for (auto it = renew_waiters_.begin(); it != renew_waiters_.end();) {
    if (it->lease_id == lease_id) {
      it->poll->Answer(protocol::RenewAnswer{.cancel = false});
      it = renew_waiters_.erase(it);
    } else {
      ++it;
    }
  }
  DispatchLocked();
  return Status::Ok();
}

std::string LogEventFrame(const store::LogChunk& chunk, int attempt) {
  return EventHub::Frame("log", {{"seq", chunk.seq}, {"attempt", attempt}, {"data", chunk.data}}, chunk.seq + 1);
}

Result<std::optional<int64_t>> Coordinator::FollowLogFrom(int64_t job_id, int attempt, int64_t after_seq,
                                                         std::shared_ptr<EventSink> sink) {
  // Under mu_, which AppendLog holds too: no chunk lands between the last page and the subscription.
  std::lock_guard lock(mu_);
  auto chunks = queries_.LogPage(job_id, attempt, after_seq);
  if (!chunks.ok()) return chunks.status();
  std::string page;
  for (const auto& c : *chunks) page += LogEventFrame(c, attempt);
  if (!page.empty()) sink->Write(std::move(page));
  if (chunks->size() == static_cast<size_t>(Queries::kLogPageChunks)) return std::optional<int64_t>(chunks->back().seq);
  hub_.Subscribe("job/" + std::to_string(job_id) + "/log", sink);
  auto fresh = jobs_.Get(job_id);
  if (fresh.ok() && IsFinal(fresh->status)) {
    sink->Write(EventHub::Frame("end", {{"status", JobStatusName(fresh->status)}}, 0));
    sink->Close();
  }
  return std::optional<int64_t>();
}

}  // namespace slipway::core
