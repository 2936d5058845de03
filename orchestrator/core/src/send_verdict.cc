#include "core/send_verdict.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "common/strings.h"
#include "core/forge_messages.h"

namespace slipway::core {
namespace {

std::optional<int64_t> Digits(std::string_view text) {
  text = TrimAsciiSpace(text);
  if (text.empty() || text.size() > 12) return std::nullopt;
  int64_t n = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

// How long a rate-limited answer asks to wait; nullopt when the answer is no rate limit.
std::optional<int64_t> RateLimitWaitMs(const HttpResponse& answer, int64_t now_ms,
                                       const RetryPolicy& policy) {
  const std::string retry_after = answer.Header("Retry-After");
  const bool exhausted = TrimAsciiSpace(answer.Header("x-ratelimit-remaining")) == "0";
  const bool says_so = AsciiLower(answer.body).find("rate limit") != std::string::npos;
  if (answer.status != 429 &&
      !(answer.status == 403 && (!retry_after.empty() || exhausted || says_so))) {
    return std::nullopt;
  }
  if (auto wait = RetryAfterMs(retry_after, now_ms)) return std::max<int64_t>(*wait, 1000);
  if (auto reset = Digits(answer.Header("x-ratelimit-reset")); exhausted && reset) {
    return std::max<int64_t>(*reset * 1000 - now_ms + 1000, 1000);
  }
  return policy.rate_limit_wait_ms;
}

// Another try at retry_at_ms, unless this was the last one allowed.
SendVerdict Retry(std::string error, int attempts, int64_t retry_at_ms, bool rate_limited,
                  const RetryPolicy& policy) {
  if (attempts + 1 >= policy.max_attempts) {
    return {SendVerdict::Kind::kFailed, 0, false,
            "gave up after " + std::to_string(attempts + 1) + " attempts; last: " + error};
  }
  return {SendVerdict::Kind::kRetry, retry_at_ms, rate_limited, std::move(error)};
}

}  // namespace

int64_t BackoffMs(int attempts, const RetryPolicy& policy) {
  int64_t wait = policy.first_backoff_ms;
  for (int i = 1; i < attempts && wait < policy.max_backoff_ms; ++i) wait *= 2;
  return std::min(wait, policy.max_backoff_ms);
}

std::optional<int64_t> RetryAfterMs(std::string_view value, int64_t now_ms) {
  if (auto seconds = Digits(value)) return *seconds * 1000;
  std::tm tm{};
  const std::string text(TrimAsciiSpace(value));
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::max<int64_t>(static_cast<int64_t>(timegm(&tm)) * 1000 - now_ms, 0);
}

SendVerdict JudgeAnswer(const HttpResponse& answer, int attempts, int64_t now_ms,
                        const RetryPolicy& policy) {
  if (answer.status >= 200 && answer.status < 300) return {};
  std::string error = "HTTP " + std::to_string(answer.status);
  if (!answer.body.empty()) error += ": " + OneLine(answer.body, 200);
  if (auto wait = RateLimitWaitMs(answer, now_ms, policy)) {
    return Retry("rate limited, " + error, attempts, now_ms + *wait, true, policy);
  }
  // Refused for good: the request itself is wrong, or names what does not exist.
  if (answer.status == 400 || answer.status == 404 || answer.status == 405 ||
      answer.status == 410 || answer.status == 413 || answer.status == 422) {
    return {SendVerdict::Kind::kFailed, 0, false, error};
  }
  // Server trouble, and credentials that an administrator may still fix: again, later.
  int64_t wait = BackoffMs(attempts + 1, policy);
  if (auto asked = RetryAfterMs(answer.Header("Retry-After"), now_ms))
    wait = std::max(wait, *asked);
  return Retry(error, attempts, now_ms + wait, false, policy);
}

SendVerdict JudgeNoAnswer(const Status& error, int attempts, int64_t now_ms,
                          const RetryPolicy& policy) {
  return Retry(error.message(), attempts, now_ms + BackoffMs(attempts + 1, policy), false, policy);
}

}  // namespace slipway::core
