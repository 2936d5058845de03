// StepStore: the build steps of a job (one per Dockerfile instruction BuildKit ran), as the agent
// last reported them: digest, name, cache hit, times, error.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

struct Step {
  int index = 0;
  std::string digest;
  std::string name;  // "[runtime 2/3] RUN pip install ..."
  bool cached = false;
  std::optional<int64_t> started_at;
  std::optional<int64_t> completed_at;
  std::optional<int64_t> duration_ms;
  std::string error;
};

class StepStore {
 public:
  explicit StepStore(Database& db) : db_(db) {}

  // Replaces the job's steps with `steps`, in one transaction (indexes must be distinct).
  Status ReplaceSteps(int64_t job_id, const std::vector<Step>& steps);
  Result<std::vector<Step>> List(int64_t job_id);  // by index

 private:
  Database& db_;
};

}  // namespace slipway::store
