#include "core/queries.h"

#include <map>

#include "core/image_details.h"
#include "core/views.h"
#include "store/agent_store.h"
#include "store/image_store.h"
#include "store/step_store.h"

namespace slipway::core {

Result<nlohmann::json> Queries::RunsPage(const store::RunFilter& filter) {
  bool more = false;
  auto list = store::RunStore(db_).List(filter, &more);
  if (!list.ok()) return list.status();
  nlohmann::json out = {{"runs", nlohmann::json::array()}};
  for (const auto& r : *list) out["runs"].push_back(RunView(r));
  // Cursors to the neighbouring pages: `more` says whether runs go on the way the cursor reads
  // (older without `after`, newer with it); the other way, the cursor's own run is there.
  if (!list->empty() && (filter.after || more)) out["next_before"] = list->back().id;
  if (!list->empty() && (filter.after ? more : filter.before.has_value()))
    out["prev_after"] = list->front().id;
  return out;
}

Result<nlohmann::json> Queries::RunDetail(int64_t run_id) {
  auto run = store::RunStore(db_).Get(run_id);
  if (!run.ok()) return run.status();
  auto jobs = store::JobStore(db_).ListByRun(run_id);
  if (!jobs.ok()) return jobs.status();
  return RunView(*run, *jobs);
}

Result<nlohmann::json> Queries::JobDetail(int64_t job_id) {
  auto job = Job(job_id);
  if (!job.ok()) return job.status();
  nlohmann::json out = JobView(*job);
  out["steps"] = nlohmann::json::array();
  if (auto steps = store::StepStore(db_).List(job_id); steps.ok()) {
    for (const auto& s : *steps) out["steps"].push_back(StepView(s));
  }
  return out;
}

Result<store::Job> Queries::Job(int64_t job_id) { return store::JobStore(db_).Get(job_id); }

Result<std::vector<store::LogChunk>> Queries::LogPage(int64_t job_id, int attempt,
                                                      int64_t after_seq) {
  return store::LogStore(db_).ReadFrom(job_id, attempt, after_seq, kLogPageChunks);
}

Result<std::vector<store::Repo>> Queries::Repos() { return store::RepoStore(db_).List(); }

Result<store::Repo> Queries::Repo(const std::string& name) {
  return store::RepoStore(db_).GetByName(name);
}

Result<nlohmann::json> Queries::RepoList() {
  auto list = Repos();
  if (!list.ok()) return list.status();
  nlohmann::json out = {{"repos", nlohmann::json::array()}};
  for (const auto& r : *list) out["repos"].push_back(RepoView(r));
  return out;
}

Result<nlohmann::json> Queries::AgentList(int64_t now_ms) {
  auto list = store::AgentStore(db_).List();
  if (!list.ok()) return list.status();
  auto leased = store::JobStore(db_).ListLeased();
  if (!leased.ok()) return leased.status();
  std::map<std::string, std::vector<store::LeasedJob>> running;
  for (auto& job : *leased) running[job.agent].push_back(std::move(job));
  nlohmann::json out = {{"agents", nlohmann::json::array()}};
  for (const auto& a : *list) out["agents"].push_back(AgentView(a, running[a.name], now_ms));
  return out;
}

Result<nlohmann::json> Queries::ImageHistory(const std::string& repo_name, const std::string& stage,
                                             const std::optional<std::string>& branch) {
  auto repo = Repo(repo_name);
  if (!repo.ok()) return repo.status();
  auto list = store::ImageStore(db_).History(repo->id, stage, branch, 200);
  if (!list.ok()) return list.status();
  nlohmann::json out = {{"images", nlohmann::json::array()}};
  for (const auto& i : *list) out["images"].push_back(ImageView(i));
  return out;
}

Result<nlohmann::json> Queries::ImageDetail(const std::string& digest) {
  auto image = store::ImageStore(db_).Get(digest);
  if (!image.ok()) return image.status();
  return ImageDetailView(db_, *image);
}

Result<nlohmann::json> Queries::ImageSbom(const std::string& digest) {
  return core::ImageSbom(db_, digest);
}

}  // namespace slipway::core
