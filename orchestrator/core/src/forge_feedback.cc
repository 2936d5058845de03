#include "core/forge_feedback.h"

#include <algorithm>

#include "common/json_text.h"
#include "common/log.h"
#include "core/forge_messages.h"
#include "core/pr_comment.h"

namespace slipway::core {
namespace {

bool Wants(const store::Repo& repo, std::string_view event) {
  const auto& events = repo.links.notify_events;
  return !repo.links.notify_url.empty() &&
         (events.empty() || std::find(events.begin(), events.end(), event) != events.end());
}

}  // namespace

ForgeFeedback::ForgeFeedback(store::Database& db, std::string public_url, Clock clock,
                             std::function<void()> wake)
    : db_(db),
      public_url_(std::move(public_url)),
      clock_(std::move(clock)),
      wake_(std::move(wake)),
      repos_(db),
      runs_(db),
      jobs_(db),
      outbox_(db) {}

void ForgeFeedback::Enqueue(const store::Repo& repo, store::NewOutboxMessage message) {
  message.repo_id = repo.id;
  auto id = outbox_.Enqueue(message, clock_());
  if (!id.ok()) {
    LogWarn("forge message not stored",
            {{"repo", repo.name}, {"topic", message.topic}, {"error", id.status().ToString()}});
    return;
  }
  if (wake_) wake_();
}

std::vector<store::Job> ForgeFeedback::JobsOf(int64_t run_id) {
  auto jobs = jobs_.ListByRun(run_id);
  return jobs.ok() ? *jobs : std::vector<store::Job>{};
}

void ForgeFeedback::OnRunStatus(int64_t run_id) {
  auto run = runs_.Get(run_id);
  auto repo = run.ok() ? repos_.GetById(run->repo_id) : Result<store::Repo>(run.status());
  if (!repo.ok() || repo->links.api_url.empty()) return;
  const std::vector<store::Job> jobs =
      IsFinal(run->status) ? JobsOf(run_id) : std::vector<store::Job>{};
  CommitStatus status = RunCommitStatus(*run, jobs, public_url_);
  Enqueue(*repo, {.kind = "status",
                  .topic = StatusTopic(status),
                  .payload = JsonText(ToJson(status)),
                  .supersede = true,
                  .skip_repeat = true});
}

void ForgeFeedback::OnJobStatus(int64_t job_id) {
  auto job = jobs_.Get(job_id);
  auto run = job.ok() ? runs_.Get(job->run_id) : Result<store::Run>(job.status());
  auto repo = run.ok() ? repos_.GetById(run->repo_id) : Result<store::Repo>(run.status());
  if (!repo.ok() || repo->links.api_url.empty()) return;
  CommitStatus status = StageStatus(*run, *job, public_url_);
  Enqueue(*repo, {.kind = "status",
                  .topic = StatusTopic(status),
                  .payload = JsonText(ToJson(status)),
                  .supersede = true,
                  .skip_repeat = true});
}

void ForgeFeedback::Notify(const store::Repo& repo, std::string_view event, const store::Run& run) {
  if (!Wants(repo, event)) return;
  Notification n{std::string(event), NotificationBody(event, run, JobsOf(run.id), public_url_)};
  Enqueue(repo,
          {.kind = "notify", .topic = std::string(kNotifyTopic), .payload = JsonText(ToJson(n))});
}

void ForgeFeedback::OnRunFinished(const store::Run& run, std::optional<int64_t> pr_number) {
  auto repo = repos_.GetById(run.repo_id);
  if (!repo.ok()) return;
  const bool failed = run.status == RunStatus::kFailure || run.status == RunStatus::kError;
  Notify(*repo, failed ? kRunFailed : kRunFinished, run);
  if (!pr_number || *pr_number <= 0 || repo->links.api_url.empty()) return;
  PrComment comment{*pr_number,
                    RenderPrComment(run, JobsOf(run.id), repo->default_branch, public_url_)};
  Enqueue(*repo, {.kind = "comment",
                  .topic = CommentTopic(*pr_number),
                  .payload = JsonText(ToJson(comment)),
                  .supersede = true,
                  .skip_repeat = true});
}

void ForgeFeedback::OnBaseUpdateStarted(const store::Run& run) {
  auto repo = repos_.GetById(run.repo_id);
  if (repo.ok()) Notify(*repo, kBaseUpdateStarted, run);
}

}  // namespace slipway::core
