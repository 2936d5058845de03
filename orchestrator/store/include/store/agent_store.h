// AgentStore: the build agents that have asked for work, with their labels, capacity and version,
// and when each was last heard from (a lease request or a renewal).
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

struct Agent {
  int64_t id = 0;
  std::string name;
  std::string labels_json;  // a JSON object: {"arch": "amd64"}
  int capacity = 1;
  std::string version;
  int64_t last_seen_at = 0;
  int64_t created_at = 0;
};

class AgentStore {
 public:
  explicit AgentStore(Database& db) : db_(db) {}

  // Records that agent `name` was heard from at `now_ms`, with its current labels, capacity and
  // version (created on first contact).
  Result<Agent> Heartbeat(std::string_view name, std::string_view labels_json, int capacity,
                          std::string_view version, int64_t now_ms);
  // Records that the agent job `job_id` was last leased to was heard from at `now_ms` (call it on a
  // renewal of the live lease: all a busy agent sends). Never moves last_seen_at back; no change
  // when the job was never leased.
  Status HeardFromHolder(int64_t job_id, int64_t now_ms);
  Result<std::vector<Agent>> List();  // by name

 private:
  Database& db_;
};

}  // namespace slipway::store
