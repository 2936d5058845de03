// BaseWatch: fresh bases. Keeps the base images agents report per job, and checks whether they
// have moved: for each branch of a repository, the bases of its newest successful run are resolved
// again (the server's engine first, else the image's registry or, for a name without a registry
// host, the upstream; common/image_ref.h, core/registry_access.h) and a base
// whose digest differs starts a `base-update` run at that run's commit, its message naming the
// change ("base busybox:1.36 changed: sha256:23f4a9a3dae5 -> sha256:6a688ed17791").
//
// No second run for one change: a branch with a run still pending or running gets none (that run
// builds with the bases as they are by then), nor does one where a base-update run newer than the
// last success already tried this very change (a failed attempt is not repeated on every check;
// a push, a rerun or a further change of the base tries again).
//
// When: the server's `base_check` schedule checks every repository; a repository's `on.schedule`
// times, read from the `.slipway.yml` of its newest planned run on its default branch (refreshed
// every kRefreshEveryMs), check it alone. `slipway base-check` and POST /api/v1/base-checks check
// one now.
//
// Registries: a base missing from the server's engine is looked up only in a registry of the
// allowlist (the server's `allowed_registries`; absent: 127.0.0.1, the upstream and the hosts of the repositories' image
// prefixes), and only bases a job's own spec names are recorded at all; any other base is reported
// `unresolved` with the reason, its registry never contacted.
//
// Checks and refreshes run in order on the BaseWatch's own thread (docker and registry look-ups
// must not hold up planning or the HTTP threads); runs are started through `start_run`.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/cron.h"
#include "common/image_ref.h"
#include "common/status.h"
#include "core/base_check_schedule.h"
#include "planner/git_mirror.h"
#include "store/base_image_store.h"
#include "store/database.h"
#include "store/repo_store.h"
#include "store/run_store.h"

namespace slipway::core {

class WorkQueue;

class BaseWatch {
 public:
  using Clock = std::function<int64_t()>;
  // Creates a base-update run of `repo` at `branch` and `sha` with `message`, and has it planned.
  using StartRun = std::function<Result<store::Run>(const store::Repo& repo, const std::string& branch,
                                                    const std::string& sha, const std::string& message)>;
  static constexpr int64_t kRefreshEveryMs = 15'000;

  // Which registries to ask and how (upstream, CA files, credentials); asked once per check.
  using RegistryAccessSource = std::function<RegistryAccess()>;

  // `server_schedule` nullopt: only the repositories' own times (and requests) check. `registries`
  // nullopt: the default allowlist (above). Without `registry_access`, the defaults: Docker Hub
  // upstream, anonymous.
  BaseWatch(store::Database& db, planner::GitMirror& mirror, std::optional<CronSchedule> server_schedule,
            Clock clock, StartRun start_run, std::string docker = "docker",
            std::optional<std::vector<std::string>> registries = std::nullopt,
            RegistryAccessSource registry_access = {});
  ~BaseWatch();  // finishes the queued checks

  // The registries a check may contact now (repositories and their prefixes change).
  // The server's configured upstream is one a deliberate setting names, so it is allowed too.
  RegistryAllowlist Allowlist(const std::string& upstream);

  // Housekeeping, about once a second: refreshes the repositories' schedules now and then, and
  // queues the checks that fall due.
  void Tick();

  // Starts a full build of a repository's default branch, when one of its on.schedule entries with
  // `build: true` falls due. Set before the first Tick; unset: such entries do nothing.
  using StartBuild = std::function<Result<store::Run>(const store::Repo& repo)>;
  void OnScheduledBuild(StartBuild start_build) { start_build_ = std::move(start_build); }

  // Queues a check of one repository; `done` receives its report, on the BaseWatch's thread.
  void CheckSoon(const std::string& repo, std::function<void(Result<nlohmann::json>)> done);

  // Checks one repository now, on the calling thread (the worker calls it; so may tests):
  // {"repo", "checked_at", "branches": [{"branch", "built_run_id", "sha", "bases": [{"ref",
  // "stages", "recorded", "current", "source", "status" (unchanged|changed|unresolved), "error"}],
  // "changes", "started_run_id" (or null), "note"}]}.
  Result<nlohmann::json> Check(const std::string& repo);

 private:
  void RefreshSchedules();
  // The on.schedule times of the repository's newest planned run on its default branch.
  struct RepoTimes {
    std::vector<CronSchedule> checks;
    std::vector<CronSchedule> builds;
  };
  RepoTimes RepoSchedules(const store::Repo& repo);
  nlohmann::json CheckBranch(const store::Repo& repo, const store::BuiltBranch& built,
                             const RegistryAccess& access, const RegistryAllowlist& allowlist,
                             std::map<std::string, Result<ResolvedDigest>>& resolved);

  store::Database& db_;
  planner::GitMirror& mirror_;
  Clock clock_;
  StartRun start_run_;
  StartBuild start_build_;
  std::string docker_;
  const std::optional<std::vector<std::string>> registries_;
  RegistryAccessSource registry_access_;

  std::mutex mu_;
  BaseCheckSchedule schedule_;                       // GUARDED_BY(mu_)
  int64_t next_refresh_ms_ = 0;                      // GUARDED_BY(mu_)
  bool refresh_queued_ = false;                      // GUARDED_BY(mu_)
  std::set<std::string> checks_queued_;              // GUARDED_BY(mu_): scheduled checks not started
  // The worker's alone: repo -> the commit its on.schedule was read at, and those times.
  std::map<std::string, std::pair<std::string, RepoTimes>> planned_;

  std::unique_ptr<WorkQueue> work_;  // last: its thread stops before the members above go
};

}  // namespace slipway::core
