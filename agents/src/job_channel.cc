#include "job_channel.h"

#include "agent/job_runner.h"
#include "agent/report.h"
#include "common/log.h"

namespace slipway::agent {
namespace {

using std::chrono::milliseconds;

std::atomic<int> live_renewers{0};

}  // namespace

int LiveRenewers() { return live_renewers.load(); }

void StartRenewer(AgentClient* client, std::string lease_id, int renew_every_ms,
                  std::shared_ptr<JobState> st) {
  ++live_renewers;
  std::thread([client, lease_id, renew_every_ms, st] {
    int failures = 0;
    while (!st->done.canceled()) {
      auto start = Clock::now();
      auto answer = client->Renew(lease_id, 3);
      if (st->done.canceled()) break;
      if (answer.ok()) {
        failures = 0;
        if (*answer == RenewAnswer::kCancel && !st->cancel_requested.exchange(true)) {
          LogInfo("job canceled by the server", {{"lease", lease_id}});
          st->build_cancel.Cancel();
        }
      } else if (answer.status().code() == ErrorCode::kConflict) {
        LogWarn("lease lost", {{"lease", lease_id}});
        st->lost = true;
        st->build_cancel.Cancel();
        break;
      } else {
        ++failures;
        LogWarn("renew failed", {{"lease", lease_id}, {"error", answer.status().ToString()}});
      }
      // The server holds a renew for up to 3 s; a quick answer (cancel seen, or an error) must not
      // turn into a busy loop.
      auto elapsed = Clock::now() - start;
      milliseconds pause = failures ? milliseconds(std::min(250 * failures, 2000))
                                    : (st->cancel_requested ? milliseconds(renew_every_ms / 2) : milliseconds(0));
      if (elapsed < milliseconds(200) && pause < milliseconds(200)) pause = milliseconds(200);
      if (pause.count() > 0) st->done.WaitFor(pause);
    }
    --live_renewers;
  }).detach();
}

void Reporter::AddLines(const std::vector<std::string>& lines) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = Clock::now();
  bool was_empty = batcher_.pending_bytes() == 0;
  for (const auto& l : lines) batcher_.Append(secrets_ ? secrets_->Mask(l) : l, now);
  // Wake the sender when a chunk is full, or when lines arrive while it waits with no deadline.
  if (was_empty || batcher_.Full()) cv_.notify_one();
}

void Reporter::SetSteps(const std::vector<BuildStep>& steps) {
  std::lock_guard<std::mutex> lock(mutex_);
  steps_ = StepsOf(steps);
  if (secrets_) {
    for (auto& step : steps_.steps) {
      step.name = secrets_->Mask(step.name);
      step.error = secrets_->Mask(step.error);
    }
  }
  steps_dirty_ = true;
  cv_.notify_one();
}

void Reporter::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Reporter::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    auto deadline = batcher_.Deadline();
    auto ready = [&] { return closing_ || steps_dirty_ || batcher_.Full(); };
    if (deadline) {
      cv_.wait_until(lock, *deadline, ready);
    } else {
      // Nothing pending: wait for lines too, then go round to wait for their chunk's deadline.
      cv_.wait(lock, [&] { return ready() || batcher_.pending_bytes() > 0; });
    }
    bool flush = closing_;
    std::optional<LogChunk> chunk = batcher_.Take(Clock::now(), flush);
    std::optional<protocol::StepsReport> steps;
    if (steps_dirty_) {
      steps = steps_;
      steps_dirty_ = false;
    }
    bool last = closing_ && !chunk && !steps && batcher_.pending_bytes() == 0;
    if (last) return;
    lock.unlock();
    if (chunk) Send([&] { return client_->PostLog(lease_id_, chunk->seq, chunk->data); });
    if (steps) Send([&] { return client_->PostSteps(lease_id_, *steps); });
    lock.lock();
  }
}

void Reporter::Send(const std::function<Status()>& post) {
  if (st_->lost) return;
  for (int attempt = 0; attempt < 8; ++attempt) {
    Status s = post();
    if (s.ok()) return;
    if (s.code() == ErrorCode::kConflict) {
      st_->lost = true;
      st_->build_cancel.Cancel();
      return;
    }
    if (s.code() != ErrorCode::kUnavailable) {
      LogWarn("report refused", {{"lease", lease_id_}, {"error", s.ToString()}});
      return;
    }
    LogWarn("report failed; retrying", {{"lease", lease_id_}, {"error", s.ToString()}});
    std::this_thread::sleep_for(milliseconds(100 << std::min(attempt, 4)));
  }
}

}  // namespace slipway::agent
