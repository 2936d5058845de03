// BaseImageStore: the base images each job was built from, with the digest each had when the build
// finished (agents report them; docs/agent-protocol.md). A base check compares, per branch, the
// newest successful run's bases with where the references point now.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

struct BaseDigest {
  std::string ref;     // as the Dockerfile names it
  std::string digest;  // "sha256:..."
  std::string source;  // "engine" or "registry"
};

struct BaseImageRecord {
  int64_t id = 0;
  int64_t job_id = 0;
  int64_t run_id = 0;
  int64_t repo_id = 0;
  std::string branch;
  std::string stage;  // the job's name
  BaseDigest base;
  int64_t created_at = 0;
};

// A branch's newest successful run that recorded bases.
struct BuiltBranch {
  std::string branch;
  int64_t run_id = 0;
  std::string sha;
  std::vector<BaseImageRecord> bases;  // in recording order
};

class BaseImageStore {
 public:
  explicit BaseImageStore(Database& db) : db_(db) {}

  // Records the job's bases, with its run, repository, branch and name, in one transaction. A
  // (job, ref, digest) recorded before is kept once. kNotFound for an unknown job;
  // kInvalidArgument for an empty ref, a digest that is not sha256 or an unknown source.
  Status Record(int64_t job_id, const std::vector<BaseDigest>& bases, int64_t now_ms);
  // Per branch of the repository (by name): its newest successful run with recorded bases.
  Result<std::vector<BuiltBranch>> LatestBuilt(int64_t repo_id);

 private:
  Database& db_;
};

}  // namespace slipway::store
