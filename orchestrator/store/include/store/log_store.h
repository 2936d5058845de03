// LogStore: a job's build log, as numbered chunks per attempt. Each attempt's chunks count from 0
// (docs/agent-protocol.md); a chunk sent twice (a retried request) is stored once.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

struct LogChunk {
  int64_t seq = 0;
  std::string data;
  int64_t created_at = 0;
};

class LogStore {
 public:
  static constexpr int kMaxReadLimit = 1000;

  explicit LogStore(Database& db) : db_(db) {}

  // Stores chunk `seq` of the job's attempt; true when new, false when (job, attempt, seq) was
  // there already (the first data stays).
  Result<bool> Append(int64_t job_id, int attempt, int64_t seq, std::string_view data,
                      int64_t now_ms);
  // Chunks with seq > after_seq (-1: from the start), in order, at most `limit` (clamped to
  // [1, kMaxReadLimit]).
  Result<std::vector<LogChunk>> ReadFrom(int64_t job_id, int attempt, int64_t after_seq, int limit);

 private:
  Database& db_;
};

}  // namespace slipway::store
