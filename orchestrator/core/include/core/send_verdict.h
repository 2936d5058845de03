// What an answer (or a failure to get one) means for an outbox message: delivered, try again at
// a time, or give up. Forges' rate limits are honoured: a 429, or a 403 that says it is one
// (Retry-After, x-ratelimit-remaining: 0, or GitHub's "secondary rate limit" text), waits as long
// as the forge asks (Retry-After seconds or date; x-ratelimit-reset), at least a minute when it
// does not say, and holds every message for that forge until then.
//
// Pure. Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_client.h"
#include "common/status.h"

namespace slipway::core {

struct RetryPolicy {
  int64_t first_backoff_ms = 1000;  // doubled after each failed attempt
  int64_t max_backoff_ms = 3600 * 1000;
  int64_t rate_limit_wait_ms = 60 * 1000;  // a rate limit that names no time
  int max_attempts = 30;                   // then the message is given up
};

struct SendVerdict {
  enum class Kind { kSent, kRetry, kFailed };
  Kind kind = Kind::kSent;
  int64_t retry_at_ms = 0;    // kRetry
  bool rate_limited = false;  // kRetry: the receiver asked every sender of this token to wait
  std::string error;          // kRetry, kFailed: for the outbox and the log
};

// The verdict on `answer` to a message already tried `attempts` times before.
SendVerdict JudgeAnswer(const HttpResponse& answer, int attempts, int64_t now_ms,
                        const RetryPolicy& policy);
// The verdict when no answer came (connection refused, time-out, TLS): always worth another try.
SendVerdict JudgeNoAnswer(const Status& error, int attempts, int64_t now_ms,
                          const RetryPolicy& policy);

// The back-off after `attempts` failed attempts: first_backoff_ms * 2^(attempts-1), capped.
int64_t BackoffMs(int attempts, const RetryPolicy& policy);
// A Retry-After value (delay-seconds or an HTTP-date) as a wait from now_ms; nullopt when
// unreadable.
std::optional<int64_t> RetryAfterMs(std::string_view value, int64_t now_ms);

}  // namespace slipway::core
