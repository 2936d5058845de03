#include "core/forge_outbox.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "core/forge_messages.h"
#include "core/forge_requests.h"
#include "store/secret_store.h"
#include "webhooks/forge.h"

namespace slipway::core {
namespace {

using Kind = SendVerdict::Kind;

constexpr int kDuePerLook = 64;
constexpr int kMaxCommentPages = 10;
constexpr int64_t kPruneEveryMs = 3600 * 1000;

SendVerdict Failed(std::string error) { return {Kind::kFailed, 0, false, std::move(error)}; }

}  // namespace

ForgeOutbox::ForgeOutbox(store::Database& db, const SecretBox* box, Clock clock,
                         ForgeOutboxOptions options)
    : db_(db), outbox_(db), box_(box), clock_(std::move(clock)), options_(std::move(options)) {}

ForgeOutbox::~ForgeOutbox() { Stop(); }

void ForgeOutbox::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void ForgeOutbox::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ForgeOutbox::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void ForgeOutbox::Loop() {
  for (;;) {
    int tried = 0;
    try {
      tried = SendDue();
    } catch (const std::exception& e) {  // one bad message must not end the worker
      LogError("forge outbox pass failed", {{"error", e.what()}});
    }
    std::chrono::milliseconds wait = options_.idle_wait;
    if (tried == 0) {
      // Until the next message falls due; one already due waits for a rate limit: look again later.
      auto next = outbox_.NextDueAt();
      const int64_t now = clock_();
      if (next.ok() && *next && **next > now) {
        wait = std::clamp(std::chrono::milliseconds(**next - now), std::chrono::milliseconds(20), wait);
      }
    } else {
      wait = std::chrono::milliseconds(0);
    }
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

int ForgeOutbox::SendDue() {
  const int64_t now = clock_();
  if (now - last_prune_ms_ >= kPruneEveryMs) {
    last_prune_ms_ = now;
    if (auto pruned = outbox_.PruneFinished(now - options_.keep_finished_ms); !pruned.ok()) {
      LogWarn("forge outbox not pruned", {{"error", pruned.status().ToString()}});
    }
  }
  auto due = outbox_.Due(now, kDuePerLook);
  if (!due.ok()) {
    LogWarn("forge outbox not read", {{"error", due.status().ToString()}});
    return 0;
  }
  int tried = 0;
  store::RepoStore repos(db_);
  for (const auto& message : *due) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    auto repo = repos.GetById(message.repo_id);
    if (!repo.ok()) {
      Record(
          message, store::Repo{},
          Failed("repository " + std::to_string(message.repo_id) + ": " + repo.status().message()));
      continue;
    }
    // A rate limit holds every message for that forge API (or receiver).
    const std::string pause_key =
        message.kind == "notify" ? repo->links.notify_url : repo->links.api_url;
    if (auto paused = paused_until_.find(pause_key); paused != paused_until_.end()) {
      if (paused->second > clock_()) continue;  // not an attempt
      paused_until_.erase(paused);
    }
    ++tried;
    SendVerdict verdict = Send(message, *repo);
    if (verdict.rate_limited) paused_until_[pause_key] = verdict.retry_at_ms;
    Record(message, *repo, verdict);
  }
  return tried;
}

SendVerdict ForgeOutbox::Send(const store::OutboxMessage& message, const store::Repo& repo) {
  if (message.kind == "notify") return SendNotification(message, repo);
  if (repo.links.api_url.empty()) return Failed("the repository has no api_url now");
  if (message.kind == "status") return SendStatus(message, repo);
  if (message.kind == "comment") return SendComment(message, repo);
  return Failed("unknown outbox kind '" + message.kind + "'");
}

Result<std::string> ForgeOutbox::RevealSecret(const store::Repo& repo, const char* name) {
  if (box_ == nullptr) return Status::Unavailable("the server has no secret store");
  auto value = store::SecretStore(db_, *box_).Reveal(repo.id, name);
  if (value.status().code() == ErrorCode::kNotFound) {
    return Status::Unavailable("repository " + repo.name + " has no secret " + name);
  }
  return value;
}

SendVerdict ForgeOutbox::Exchange(HttpRequest request, const store::OutboxMessage& message,
                                  HttpResponse* answer) {
  request.timeout = options_.request_timeout;
  request.ca_file = options_.ca_file;
  auto response = HttpFetch(request);
  if (!response.ok())
    return JudgeNoAnswer(response.status(), message.attempts, clock_(), options_.retry);
  if (answer != nullptr) *answer = *response;
  return JudgeAnswer(*response, message.attempts, clock_(), options_.retry);
}

SendVerdict ForgeOutbox::SendStatus(const store::OutboxMessage& message, const store::Repo& repo) {
  auto status = CommitStatusFromJson(nlohmann::json::parse(message.payload, nullptr, false));
  if (!status.ok()) return Failed(status.status().message());
  auto token = RevealSecret(repo, "forge_token");
  if (!token.ok()) return JudgeNoAnswer(token.status(), message.attempts, clock_(), options_.retry);
  const ForgeEndpoint to{*webhooks::ForgeFromName(repo.forge), repo.links.api_url, repo.name,
                         *token};
  HttpResponse answer;
  SendVerdict verdict = Exchange(StatusRequest(to, *status), message, &answer);
  // GitLab refuses to move a status to the state it is in: a repeat after a restart is done.
  if (to.forge == webhooks::Forge::kGitLab && answer.status == 400 &&
      answer.body.find("Cannot transition status") != std::string::npos) {
    return {};
  }
  return verdict;
}

// Updates the comment Slipway keeps on the pull request: the one whose id it stored, else the one
// carrying its marker (found by listing: the id may have been lost with a crash), else a new one.
SendVerdict ForgeOutbox::SendComment(const store::OutboxMessage& message, const store::Repo& repo) {
  auto comment = PrCommentFromJson(nlohmann::json::parse(message.payload, nullptr, false));
  if (!comment.ok()) return Failed(comment.status().message());
  auto token = RevealSecret(repo, "forge_token");
  if (!token.ok()) return JudgeNoAnswer(token.status(), message.attempts, clock_(), options_.retry);
  const ForgeEndpoint to{*webhooks::ForgeFromName(repo.forge), repo.links.api_url, repo.name,
                         *token};
  const int64_t pr = comment->pr_number;
  auto stored = outbox_.CommentId(repo.id, pr);
  if (!stored.ok())
    return JudgeNoAnswer(stored.status(), message.attempts, clock_(), options_.retry);
  std::optional<std::string> id = *stored;
  for (int page = 1; !id && page <= kMaxCommentPages; ++page) {
    HttpResponse answer;
    SendVerdict listed = Exchange(ListCommentsRequest(to, pr, page), message, &answer);
    if (listed.kind != Kind::kSent) return listed;
    auto found = ReadCommentPage(answer.body);
    if (!found.ok())
      return JudgeNoAnswer(found.status(), message.attempts, clock_(), options_.retry);
    id = found->marked_id;
    if (found->count < static_cast<size_t>(kCommentsPerPage)) break;
  }
  HttpResponse answer;
  if (id) {
    SendVerdict updated =
        Exchange(UpdateCommentRequest(to, pr, *id, comment->body), message, &answer);
    if (answer.status != 404) {
      if (updated.kind == Kind::kSent) (void)outbox_.SetCommentId(repo.id, pr, *id);
      return updated;
    }
    (void)outbox_.ForgetCommentId(repo.id, pr);  // deleted on the forge: write a new one
  }
  SendVerdict created = Exchange(CreateCommentRequest(to, pr, comment->body), message, &answer);
  if (created.kind != Kind::kSent) return created;
  auto new_id = CreatedCommentId(answer.body);
  if (new_id.ok()) {
    if (Status s = outbox_.SetCommentId(repo.id, pr, *new_id); !s.ok()) {
      LogWarn("pull request comment id not stored", {{"repo", repo.name}, {"error", s.ToString()}});
    }
  }
  return created;
}

SendVerdict ForgeOutbox::SendNotification(const store::OutboxMessage& message,
                                          const store::Repo& repo) {
  auto notification = NotificationFromJson(nlohmann::json::parse(message.payload, nullptr, false));
  if (!notification.ok()) return Failed(notification.status().message());
  if (repo.links.notify_url.empty()) return Failed("the repository has no notify_url now");
  auto secret = RevealSecret(repo, "notify_secret");
  if (!secret.ok())
    return JudgeNoAnswer(secret.status(), message.attempts, clock_(), options_.retry);
  return Exchange(NotifyRequest(repo.links.notify_url, *secret, *notification, message.id),
                  message);
}

void ForgeOutbox::Record(const store::OutboxMessage& message, const store::Repo& repo,
                         const SendVerdict& verdict) {
  const int64_t now = clock_();
  Status s;
  switch (verdict.kind) {
    case Kind::kSent:
      s = outbox_.MarkSent(message.id, now);
      break;
    case Kind::kRetry:
      s = outbox_.MarkRetry(message.id, verdict.retry_at_ms, verdict.error);
      break;
    case Kind::kFailed:
      s = outbox_.MarkFailed(message.id, verdict.error, now);
      break;
  }
  if (verdict.kind != Kind::kSent) {
    auto log = verdict.kind == Kind::kFailed ? LogWarn : LogInfo;
    log(verdict.kind == Kind::kFailed ? "forge message given up" : "forge message to be retried",
        {{"repo", repo.name},
         {"kind", message.kind},
         {"message", std::to_string(message.id)},
         {"attempt", std::to_string(message.attempts + 1)},
         {"error", verdict.error}});
  }
  if (!s.ok() && s.code() != ErrorCode::kNotFound) {
    LogWarn("forge message outcome not stored",
            {{"message", std::to_string(message.id)}, {"error", s.ToString()}});
  }
}

}  // namespace slipway::core
