// LogBatcher: gathers log lines into chunks for `POST .../log`, one chunk when the oldest unsent line
// is `interval` old or `max_bytes` are waiting, each chunk numbered with the next `seq` from 0.
//
// Pure: the caller passes the time in, so tests need no clock or sleeps.
//
// Thread-safety: none; guard it with the caller's mutex.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace slipway::agent {

struct LogChunk {
  long long seq = 0;
  std::string data;
};

class LogBatcher {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogBatcher(std::size_t max_bytes = 64 * 1024,
                      std::chrono::milliseconds interval = std::chrono::milliseconds(200))
      : max_bytes_(max_bytes), interval_(interval) {}

  // Adds one line (a '\n' is appended).
  void Append(std::string_view line, Clock::time_point now) {
    if (pending_.empty()) oldest_ = now;
    pending_.append(line);
    pending_.push_back('\n');
  }

  // A chunk due at `now` (or anything pending when flush is true); none otherwise. A chunk holds at
  // most max_bytes unless one line alone is longer.
  std::optional<LogChunk> Take(Clock::time_point now, bool flush = false) {
    if (pending_.empty()) return std::nullopt;
    if (!flush && pending_.size() < max_bytes_ && now - oldest_ < interval_) return std::nullopt;
    LogChunk chunk;
    chunk.seq = next_seq_++;
    if (pending_.size() <= max_bytes_) {
      chunk.data.swap(pending_);
    } else {
      size_t cut = pending_.rfind('\n', max_bytes_ - 1);
      cut = cut == std::string::npos ? pending_.find('\n') : cut;
      chunk.data = pending_.substr(0, cut + 1);
      pending_.erase(0, cut + 1);
    }
    oldest_ = now;
    return chunk;
  }

  // When the next chunk becomes due by age; none when nothing is pending.
  std::optional<Clock::time_point> Deadline() const {
    if (pending_.empty()) return std::nullopt;
    return oldest_ + interval_;
  }
  std::size_t pending_bytes() const { return pending_.size(); }
  bool Full() const { return pending_.size() >= max_bytes_; }

 private:
  std::size_t max_bytes_;
  std::chrono::milliseconds interval_;
  std::string pending_;
  Clock::time_point oldest_{};
  long long next_seq_ = 0;
};

}  // namespace slipway::agent
