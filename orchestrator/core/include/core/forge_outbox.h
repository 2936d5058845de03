// ForgeOutbox: the worker thread that sends what the outbox holds (store/outbox_store.h) to the
// forges and notification receivers, off the threads that record builds.
//
// Each message is sent when it falls due, the oldest of its topic first; the answer decides
// (core/send_verdict.h) whether it is done, tried again later (back-off, or as long as a rate
// limit asks, holding every message for that forge meanwhile) or given up. The repository's
// api_url, forge and secrets (forge_token, notify_secret) are read when a message is sent, so a
// token set after an outage still lets the held messages go. A message is sent at least once: one
// on its way when the process dies is sent again after the restart (a status then repeats its
// state, which forges take as no change).
//
// Thread-safety: Start, Stop, Wake and SendDue may be called from any thread; SendDue is not run
// by two threads at once (the worker's loop calls it; tests call it without starting the thread).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/http_client.h"
#include "common/secret_box.h"
#include "common/status.h"
#include "core/send_verdict.h"
#include "store/database.h"
#include "store/outbox_store.h"
#include "store/repo_store.h"

namespace slipway::core {

struct ForgeOutboxOptions {
  RetryPolicy retry;
  std::chrono::milliseconds request_timeout{20000};
  std::chrono::milliseconds idle_wait{1000};  // the longest sleep between looks at the outbox
  int64_t keep_finished_ms = 7 * 24 * 3600 * 1000LL;  // sent and given-up messages kept for views
  std::string ca_file;  // PEM certificates to trust for the forges; "" for the system's store
};

class ForgeOutbox {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds since the epoch

  // `box` unseals the repositories' secrets; null: no secret can be read (messages wait).
  ForgeOutbox(store::Database& db, const SecretBox* box, Clock clock,
              ForgeOutboxOptions options = {});
  ~ForgeOutbox();

  void Start();
  // Stops the thread once the message being sent is done; what is unsent stays stored.
  void Stop();
  // Looks at the outbox now (a message was stored).
  void Wake();

  // Sends the messages due now, each once; returns how many were tried.
  int SendDue();

 private:
  void Loop();
  SendVerdict Send(const store::OutboxMessage& message, const store::Repo& repo);
  SendVerdict SendStatus(const store::OutboxMessage& message, const store::Repo& repo);
  SendVerdict SendComment(const store::OutboxMessage& message, const store::Repo& repo);
  SendVerdict SendNotification(const store::OutboxMessage& message, const store::Repo& repo);
  // The verdict on one exchange: its answer, or why none came.
  SendVerdict Exchange(HttpRequest request, const store::OutboxMessage& message,
                       HttpResponse* answer = nullptr);
  Result<std::string> RevealSecret(const store::Repo& repo, const char* name);
  void Record(const store::OutboxMessage& message, const store::Repo& repo,
              const SendVerdict& verdict);

  store::Database& db_;
  store::OutboxStore outbox_;
  const SecretBox* box_;
  Clock clock_;
  const ForgeOutboxOptions options_;
  std::map<std::string, int64_t>
      paused_until_;  // forge API or receiver URL → end of its rate limit
  int64_t last_prune_ms_ = 0;

  std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;     // GUARDED_BY(mu_)
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace slipway::core
