// Coordinator, the agents' side: leases (long-polled), renewals that carry cancels, logs, steps
// and results. Every write names its lease; a stale lease is refused (409) so a result is recorded
// once, by the agent that holds the job.
#include "common/json_text.h"
#include "common/log.h"
#include "core/base_watch.h"
#include "core/coordinator.h"
#include "core/views.h"

namespace slipway::core {

using scheduler::JobStatus;

namespace {

nlohmann::json LabelsJson(const std::map<std::string, std::string>& labels) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : labels) j[k] = v;
  return j;
}

// The scanners that need the image itself, which only the building agent has.
nlohmann::json AgentScanners(const ScanConfig& scan) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : scan.scanners) {
    if (s != "osv") out.push_back(s);
  }
  return out;
}

bool FailedByReview(const store::Job& job) {
  if (!job.result_json) return false;
  auto result = nlohmann::json::parse(*job.result_json, nullptr, false);
  auto failures = result.is_object() && result.contains("insight") ? result["insight"].value("failures", nlohmann::json::array())
                                                                    : nlohmann::json::array();
  return !failures.empty();
}

std::string JoinMessages(const std::vector<std::string>& messages) {
  std::string out;
  for (const auto& m : messages) out += (out.empty() ? "" : "; ") + m;
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

std::optional<ReviewOutcome> Coordinator::ReviewImage(const std::string& lease_id, const nlohmann::json& report) {
  const auto& image = report.contains("image") ? report["image"] : nlohmann::json();
  if (!report.contains("insight") || !image.is_object() || image.value("digest", "").empty()) return std::nullopt;
  auto job = jobs_.GetByLease(lease_id);
  if (!job.ok() || job->status != "running") return std::nullopt;  // a retried finish: reviewed already
  auto run = runs_.Get(job->run_id);
  auto repo = run.ok() ? repos_.GetById(run->repo_id) : Result<store::Repo>(run.status());
  auto spec = pipelines::JobSpecFromJson(nlohmann::json::parse(job->spec_json, nullptr, false));
  if (!repo.ok() || !spec.ok()) return std::nullopt;
  ReviewSubject subject{run->repo_id, job->name, run->branch, repo->default_branch, image.value("digest", ""),
                        spec->budget, spec->scan, ImageSizeOf(jobs_, *job, spec->budget.ratio_of_stage)};
  auto review = reviewer_.Review(subject, report["insight"], report.value("scans", nlohmann::json::array()), clock_());
  if (!review.ok()) {
    LogWarn("image not reviewed", {{"lease", lease_id}, {"error", review.status().ToString()}});
    return std::nullopt;
  }
  return std::move(*review);
}

std::optional<nlohmann::json> Coordinator::GrantLocked(const scheduler::AgentInfo& agent, int64_t now) {
  for (;;) {
    auto grant = scheduler_.Acquire(agent, now);
    if (!grant) return std::nullopt;
    const auto& lease = grant->lease;
    Status s = jobs_.MarkLeased(lease.job_id, lease.id, agent.name, lease.attempt, lease.expires_ms, now);
    auto job = jobs_.Get(lease.job_id);
    auto run = runs_.Get(lease.run_id);
    Result<store::Repo> repo = run.ok() ? repos_.GetById(run->repo_id) : Result<store::Repo>(run.status());
    if (!s.ok() || !job.ok() || !repo.ok()) {
      // The store refused: give the job back as an error rather than hand out a lease nobody records.
      LogError("lease not recorded", {{"job", std::to_string(lease.job_id)}, {"error", s.ToString()}});
      auto changes = scheduler_.Finish(lease.id, JobStatus::kError, now, "lease could not be recorded");
      if (changes.ok()) PersistLocked(*changes, now);
      continue;
    }
    leases_[lease.id] = {lease.job_id, lease.run_id, lease.attempt};
    PersistLocked(grant->changes, now);
    counters_["slipway_leases_granted_total"]++;
    return nlohmann::json{{"lease",
                           {{"id", lease.id},
                            {"job_id", lease.job_id},
                            {"run_id", lease.run_id},
                            {"attempt", lease.attempt},
                            {"repo", repo->name},
                            {"clone_url", repo->clone_url},
                            {"sha", run->sha},
                            {"branch", run->branch},
                            {"renew_every_ms", std::max<int64_t>(1000, config_.lease_seconds * 1000LL / 5)},
                            {"scanners", AgentScanners(config_.scan)},
                            {"spec", nlohmann::json::parse(job->spec_json, nullptr, false)}}}};
  }
}

void Coordinator::WaitForLease(const scheduler::AgentInfo& agent, const std::string& version, int wait_ms,
                               std::shared_ptr<http::ResponseWriter> writer) {
  int64_t now = clock_();
  (void)agents_.Heartbeat(agent.name, JsonText(LabelsJson(agent.labels)), agent.capacity, version, now);
  std::lock_guard lock(mu_);
  if (auto lease = GrantLocked(agent, now)) {
    writer->Send({.body = JsonText(*lease)});
    return;
  }
  if (wait_ms <= 0) {
    writer->Send({.status = 204});
    return;
  }
  lease_waiters_.push_back({agent, std::move(writer), now + wait_ms});
}

void Coordinator::DispatchLocked() {
  int64_t now = clock_();
  for (auto it = lease_waiters_.begin(); it != lease_waiters_.end() && scheduler_.ReadyCount() > 0;) {
    if (it->writer->Closed()) {
      it = lease_waiters_.erase(it);
      continue;
    }
    if (auto lease = GrantLocked(it->agent, now)) {
      it->writer->Send({.body = JsonText(*lease)});
      it = lease_waiters_.erase(it);
    } else {
      ++it;
    }
  }
}

void Coordinator::NotifyCancelsLocked() {
  for (auto it = renew_waiters_.begin(); it != renew_waiters_.end();) {
    if (scheduler_.CancelRequested(it->lease_id)) {
      it->writer->Send({.body = R"({"cancel":true})"});
      it = renew_waiters_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<Coordinator::LeaseRef> Coordinator::LiveLeaseLocked(const std::string& lease_id) {
  auto it = leases_.find(lease_id);
  if (it == leases_.end()) return Status::Conflict("lease " + lease_id + " is not held (expired, requeued or finished)");
  return it->second;
}

void Coordinator::RenewLease(const std::string& lease_id, int wait_ms, std::shared_ptr<http::ResponseWriter> writer) {
  std::lock_guard lock(mu_);
  int64_t now = clock_();
  auto ref = LiveLeaseLocked(lease_id);
  auto renewal = ref.ok() ? scheduler_.Renew(lease_id, now) : Result<scheduler::Renewal>(ref.status());
  if (!renewal.ok()) {
    writer->Send({.status = 409,
                  .body = JsonText(nlohmann::json{{"error", {{"code", "conflict"}, {"message", renewal.status().message()}}}})});
    return;
  }
  (void)jobs_.RenewLease(ref->job_id, lease_id, renewal->expires_ms);
  (void)agents_.HeardFromHolder(ref->job_id, now);  // a busy agent's only sign of life
  if (renewal->cancel_requested) {
    writer->Send({.body = R"({"cancel":true})"});
    return;
  }
  if (wait_ms <= 0) {
    writer->Send({.body = R"({"cancel":false})"});
    return;
  }
  renew_waiters_.push_back({lease_id, std::move(writer), now + wait_ms});
}

Status Coordinator::MarkPushing(const std::string& lease_id) {
  std::lock_guard lock(mu_);
  auto ref = LiveLeaseLocked(lease_id);
  if (!ref.ok()) return ref.status();
  return scheduler_.MarkPushing(lease_id, clock_());
}

Status Coordinator::AppendLog(const std::string& lease_id, int64_t seq, const std::string& data) {
  std::lock_guard lock(mu_);
  auto ref = LiveLeaseLocked(lease_id);
  if (!ref.ok()) return ref.status();
  const std::string text = RedactSecrets(data);
  auto added = logs_.Append(ref->job_id, ref->attempt, seq, text, clock_());
  if (!added.ok()) return added.status();
  if (*added) {
    hub_.Publish("job/" + std::to_string(ref->job_id) + "/log", "log",
                 {{"seq", seq}, {"attempt", ref->attempt}, {"data", text}}, seq + 1);
  }
  return Status::Ok();
}

Status Coordinator::ReplaceSteps(const std::string& lease_id, const std::vector<store::Step>& steps) {
  std::lock_guard lock(mu_);
  auto ref = LiveLeaseLocked(lease_id);
  if (!ref.ok()) return ref.status();
  if (Status s = steps_.ReplaceSteps(ref->job_id, steps); !s.ok()) return s;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& step : steps) list.push_back(StepView(step));
  hub_.Publish("job/" + std::to_string(ref->job_id) + "/log", "steps", {{"steps", list}});
  return Status::Ok();
}

Status Coordinator::FinishJob(const std::string& lease_id, const nlohmann::json& report) {
  std::string status_name = report.value("status", "");
  auto status = scheduler::JobStatusFromName(status_name);
  if (!status || (*status != JobStatus::kSuccess && *status != JobStatus::kFailure &&
                  *status != JobStatus::kCanceled && *status != JobStatus::kError)) {
    return Status::InvalidArgument("status must be success, failure, canceled or error, not '" + status_name + "'");
  }
  const bool built = *status == JobStatus::kSuccess;
  // Off the mutex: scanning may take a while. A broken budget or a blocking finding fails the job.
  std::optional<ReviewOutcome> review = built ? ReviewImage(lease_id, report) : std::nullopt;
  std::string error = RedactSecrets(report.value("error", ""));
  if (review && !review->failures.empty()) {
    status = JobStatus::kFailure;
    status_name = "failure";
    error = JoinMessages(review->failures);
  }
  std::lock_guard lock(mu_);
  int64_t now = clock_();
  auto ref = LiveLeaseLocked(lease_id);
  if (!ref.ok()) {
    // A finish retried after its answer was lost: the job ended under this very lease (failed by
    // the review, when the agent said success).
    auto job = jobs_.GetByLease(lease_id);
    if (job.ok() && (job->status == status_name || (built && job->status == "failure" && FailedByReview(*job)))) {
      return Status::Ok();
    }
    return ref.status();
  }
  nlohmann::json result = nlohmann::json::object();
  for (const char* key : {"image", "cache", "failed_step", "log_tail", "duration_ms"}) {
    if (report.contains(key)) result[key] = RedactJsonSecrets(report[key]);
  }
  if (review) {
    result["insight"] = review->summary;
    result["insight"]["failures"] = review->failures;
  }
  std::vector<store::BaseDigest> bases = ParseReportedBases(report.value("bases", nlohmann::json::array()));
  if (!bases.empty()) result["bases"] = BasesJson(bases);
  int64_t duration = report.value("duration_ms", int64_t{0});
  Status stored = jobs_.Finish(ref->job_id, lease_id, status_name, JsonText(result), error, now, duration);
  if (stored.code() == ErrorCode::kAlreadyExists) return Status::Ok();  // a retried finish, raced
  if (!stored.ok()) return stored;
  auto changes = scheduler_.Finish(lease_id, *status, now, error);
  if (!changes.ok()) return changes.status();
  PersistLocked(*changes, now, ref->job_id);

  const auto& image = report.contains("image") ? report["image"] : nlohmann::json();
  if (built && image.is_object() && image.value("digest", "") != "") {
    auto run = runs_.Get(ref->run_id);
    auto job = jobs_.Get(ref->job_id);
    if (run.ok() && job.ok()) {
      store::ImageRecord record;
      record.digest = image.value("digest", "");
      record.repo_id = run->repo_id;
      record.job_id = ref->job_id;
      record.stage = job->name;
      record.branch = run->branch;
      record.sha = run->sha;
      record.ref = image.value("ref", "");
      record.size_bytes = image.value("size_bytes", int64_t{0});
      if (image.contains("compressed_size_bytes") && image["compressed_size_bytes"].is_number()) {
        record.compressed_size_bytes = image["compressed_size_bytes"].get<int64_t>();
      }
      record.created_at = now;
      int index = 0;
      for (const auto& l : image.value("layers", nlohmann::json::array())) {
        store::Layer layer;
        layer.index = index++;
        layer.digest = l.value("digest", "");
        layer.size_bytes = l.value("size_bytes", int64_t{0});
        if (l.contains("compressed_size_bytes") && l["compressed_size_bytes"].is_number()) {
          layer.compressed_size_bytes = l["compressed_size_bytes"].get<int64_t>();
        }
        layer.instruction = l.value("instruction", "");
        record.layers.push_back(std::move(layer));
      }
      auto recorded = images_.Record(record);
      if (!recorded.ok()) LogWarn("image not recorded", {{"digest", record.digest}, {"error", recorded.status().ToString()}});
    }
  }
  if (*status == JobStatus::kSuccess && bases_) {
    Status recorded = bases_->Record(ref->job_id, bases);
    if (!recorded.ok()) LogWarn("bases not recorded", {{"job", std::to_string(ref->job_id)}, {"error", recorded.ToString()}});
  }
  leases_.erase(lease_id);
  for (auto it = renew_waiters_.begin(); it != renew_waiters_.end();) {
    if (it->lease_id == lease_id) {
      it->writer->Send({.body = R"({"cancel":false})"});
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
                                                         std::shared_ptr<http::ResponseWriter> writer) {
  // Under mu_, which AppendLog holds too: no chunk lands between the last page and the subscription.
  std::lock_guard lock(mu_);
  auto chunks = logs_.ReadFrom(job_id, attempt, after_seq, kLogPageChunks);
  if (!chunks.ok()) return chunks.status();
  std::string page;
  for (const auto& c : *chunks) page += LogEventFrame(c, attempt);
  if (!page.empty()) writer->Write(std::move(page));
  if (chunks->size() == static_cast<size_t>(kLogPageChunks)) return std::optional<int64_t>(chunks->back().seq);
  hub_.Subscribe("job/" + std::to_string(job_id) + "/log", writer);
  auto fresh = jobs_.Get(job_id);
  if (fresh.ok() && scheduler::IsFinal(scheduler::JobStatusFromName(fresh->status).value_or(JobStatus::kPending))) {
    writer->Write(EventHub::Frame("end", {{"status", fresh->status}}, 0));
    writer->Close();
  }
  return std::optional<int64_t>();
}

}  // namespace slipway::core
