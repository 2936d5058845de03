// Queries: what the API reads. Lists and details come back as the JSON the API sends
// (core/views.h); single records (a job, a repository, a page of a log) as records, for routes that
// decide from them. Reads only: writes go through the Coordinator, which keeps the scheduler and
// the store in step.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "store/database.h"
#include "store/job_store.h"
#include "store/log_store.h"
#include "store/repo_store.h"
#include "store/run_store.h"

namespace slipway::core {

class Queries {
 public:
  // Log chunks per page read from the store when a log is sent.
  static constexpr int kLogPageChunks = 16;

  explicit Queries(store::Database& db) : db_(db) {}

  // {"runs": [...], "next_before", "prev_after"}: the cursors to the neighbouring pages, when there
  // are runs that way.
  Result<nlohmann::json> RunsPage(const store::RunFilter& filter);
  // The run with its jobs.
  Result<nlohmann::json> RunDetail(int64_t run_id);
  // The job with its steps.
  Result<nlohmann::json> JobDetail(int64_t job_id);
  Result<store::Job> Job(int64_t job_id);
  // Up to kLogPageChunks chunks of the attempt's log after after_seq.
  Result<std::vector<store::LogChunk>> LogPage(int64_t job_id, int attempt, int64_t after_seq);

  Result<std::vector<store::Repo>> Repos();
  Result<store::Repo> Repo(const std::string& name);
  // {"repos": [...]}, without secrets.
  Result<nlohmann::json> RepoList();
  // {"agents": [...]}, each with the jobs it runs.
  Result<nlohmann::json> AgentList(int64_t now_ms);

  // {"images": [...]}: the stage's image sizes over time (200 at most), on one branch or all.
  Result<nlohmann::json> ImageHistory(const std::string& repo, const std::string& stage,
                                      const std::optional<std::string>& branch);
  // core/image_details.h: the image with its analysis, and its SBOM.
  Result<nlohmann::json> ImageDetail(const std::string& digest);
  Result<nlohmann::json> ImageSbom(const std::string& digest);

 private:
  store::Database& db_;
};

}  // namespace slipway::core
