// Coordinator, fresh bases: the BaseWatch it owns, the runs it starts, and checks on request.
#include "common/log.h"
#include "core/base_watch.h"
#include "core/coordinator.h"
#include "core/registry_access.h"
#include "core/work_queue.h"

namespace slipway::core {

std::unique_ptr<BaseWatch> Coordinator::MakeBaseWatch() {
  std::optional<CronSchedule> server_schedule;
  if (config_.base_check != "off") {
    auto parsed = CronSchedule::Parse(config_.base_check);  // LoadServerConfig checked it
    if (parsed.ok()) server_schedule = *parsed;
  }
  auto watch = std::make_unique<BaseWatch>(
      db_, mirror_, server_schedule, clock_,
      [this](const store::Repo& repo, const std::string& branch, const std::string& sha, const std::string& message) {
        return StartBaseUpdate(repo, branch, sha, message);
      },
      "docker", config_.allowed_registries,
      [this] {
        if (secret_box_ == nullptr) return BuildRegistryAccess(config_, nullptr);
        store::SecretStore secrets(db_, *secret_box_);
        return BuildRegistryAccess(config_, &secrets);
      });
  watch->OnScheduledBuild([this](const store::Repo& repo) { return StartScheduledBuild(repo); });
  return watch;
}

Result<store::Run> Coordinator::StartBaseUpdate(const store::Repo& repo, const std::string& branch,
                                                const std::string& sha, const std::string& message) {
  auto run = runs_.CreateRun({.repo_id = repo.id,
                              .branch = branch,
                              .sha = sha,
                              .message = message,
                              .author = "",
                              .trigger = "base-update",
                              .parent_run_id = std::nullopt,
                              .created_at = clock_()});
  if (!run.ok()) return run.status();
  {
    std::lock_guard lock(mu_);
    counters_["slipway_base_update_runs_total"]++;
  }
  hub_.Publish("events", "run", {{"run_id", run->id}, {"status", "pending"}, {"reason", "base-update"}});
  feedback_.OnBaseUpdateStarted(*run);
  int64_t id = run->id;
  QueuePlanning(id, [this, id] { PlanRun(id, std::nullopt); });
  return run;
}

void Coordinator::CheckBases(const std::string& repo, std::function<void(Result<nlohmann::json>)> done) {
  if (!bases_) return done(Status::Unavailable("the server is not running"));
  bases_->CheckSoon(repo, std::move(done));
}

}  // namespace slipway::core
