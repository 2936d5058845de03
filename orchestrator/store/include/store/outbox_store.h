// OutboxStore: messages for forges and notification receivers, stored before they are sent, so a
// forge outage or a restart loses none (docs/forges.md), and the pull request comments they keep.
//
// Messages of one topic (a status context at a commit, a pull request's comment, a repository's
// notifications) are numbered in the order they were stored and handed out one at a time, oldest
// first: a message waits while an older one of its topic is unsent. A newer status or comment
// supersedes an older unsent one (Enqueue with supersede), so only the newest state is sent.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

struct OutboxMessage {
  int64_t id = 0;
  int64_t repo_id = 0;
  std::string kind;     // status | comment | notify
  std::string topic;    // "status:<sha>:<context>", "comment:<pr>", "notify"
  int64_t seq = 0;      // 1, 2, ... per (repo_id, topic)
  std::string payload;  // JSON text
  std::string state;    // pending | sent | superseded | failed
  int attempts = 0;
  int64_t next_attempt_at = 0;
  std::string last_error;
  int64_t created_at = 0;
  std::optional<int64_t> finished_at;
};

struct NewOutboxMessage {
  int64_t repo_id = 0;
  std::string kind;
  std::string topic;
  std::string payload;
  bool supersede = false;  // older unsent messages of the topic are dropped
  // Nothing is stored when the topic's newest message (not given up) has the same payload: a
  // state reported again (after a restart) is not sent twice.
  bool skip_repeat = false;
};

class OutboxStore {
 public:
  explicit OutboxStore(Database& db) : db_(db) {}

  // Stores the message after its topic's last one, due at once; returns its id (that of the
  // repeated message when skip_repeat skips it).
  Result<int64_t> Enqueue(const NewOutboxMessage& message, int64_t now_ms);
  // Up to `limit` pending messages due by `now_ms`, each the oldest pending one of its topic,
  // oldest first.
  Result<std::vector<OutboxMessage>> Due(int64_t now_ms, int limit);
  // When the earliest pending message falls due; nullopt when none is pending.
  Result<std::optional<int64_t>> NextDueAt();
  // The messages of a repository, newest first (for views and tests).
  Result<std::vector<OutboxMessage>> ListByRepo(int64_t repo_id, int limit);

  // A message was delivered (also one superseded while it was on its way).
  Status MarkSent(int64_t id, int64_t now_ms);
  // A pending message is tried again at `next_attempt_at`; a superseded one stays so.
  Status MarkRetry(int64_t id, int64_t next_attempt_at, std::string_view error);
  // A pending message is given up (the receiver refused it for good, or too many tries).
  Status MarkFailed(int64_t id, std::string_view error, int64_t now_ms);
  // Deletes messages that finished (sent, superseded, failed) before `before_ms`; returns how many.
  Result<int64_t> PruneFinished(int64_t before_ms);

  // The comment kept on a pull request, as the forge numbers it.
  Result<std::optional<std::string>> CommentId(int64_t repo_id, int64_t pr_number);
  Status SetCommentId(int64_t repo_id, int64_t pr_number, std::string_view comment_id);
  Status ForgetCommentId(int64_t repo_id, int64_t pr_number);

 private:
  Database& db_;
};

}  // namespace slipway::store
