#include "core/base_check_schedule.h"

#include <algorithm>

namespace slipway::core {

BaseCheckSchedule::BaseCheckSchedule(std::optional<CronSchedule> server) : server_(std::move(server)) {}

void BaseCheckSchedule::SetRepoSchedules(const std::string& repo, const std::vector<CronSchedule>& schedules,
                                         int64_t now_ms, const std::vector<CronSchedule>& builds) {
  std::vector<Timer> timers;
  const std::vector<Timer>& old = repos_[repo];
  auto add = [&](const CronSchedule& s, bool build) {
    auto same = std::find_if(old.begin(), old.end(), [&](const Timer& t) {
      return t.build == build && t.schedule.expression() == s.expression();
    });
    timers.push_back({s, same != old.end() ? same->next_ms : s.Next(now_ms), build});
  };
  for (const CronSchedule& s : schedules) add(s, false);
  for (const CronSchedule& s : builds) add(s, true);
  if (timers.empty()) repos_.erase(repo);
  else repos_[repo] = std::move(timers);
}

BaseCheckSchedule::Due BaseCheckSchedule::TakeDue(int64_t now_ms) {
  Due due;
  if (server_) {
    if (!server_next_ms_) {
      server_next_ms_ = server_->Next(now_ms);
    } else if (*server_next_ms_ <= now_ms) {
      due.all = true;
      server_next_ms_ = server_->Next(now_ms);
    }
  }
  for (auto& [repo, timers] : repos_) {
    bool check = false, build = false;
    for (Timer& t : timers) {
      if (t.next_ms > now_ms) continue;
      (t.build ? build : check) = true;
      t.next_ms = t.schedule.Next(now_ms);
    }
    if (check) due.repos.push_back(repo);
    if (build) due.builds.push_back(repo);
  }
  return due;
}

std::optional<int64_t> BaseCheckSchedule::NextDue() const {
  std::optional<int64_t> next = server_next_ms_;
  for (const auto& [repo, timers] : repos_) {
    for (const Timer& t : timers) next = next ? std::min(*next, t.next_ms) : t.next_ms;
  }
  return next;
}

}  // namespace slipway::core
