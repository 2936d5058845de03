// BaseWatch against a real database, the real Docker engine and a real git mirror, with the clock
// injected: scheduled checks fire at their times, a moved base starts one base-update run naming
// the change, and no second run starts for it (label: docker).
#include "core/base_watch.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>

#include "../../connection_recorder.h"
#include "../../test_images.h"
#include "../store/temp_database.h"
#include "store/job_store.h"

namespace slipway::core {
namespace {

using store::testing::TempDatabase;
using store::testing::TempDir;

constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 1741910400000;  // 2025-03-14 00:00 UTC
int64_t At(int hour, int minute) { return kDay + (hour * 60 + minute) * kMinute; }

std::string UniqueImage(const std::string& prefix) {
  static std::atomic<int> n{0};
  return "slipway-test-" + prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(n++) + ":1";
}

std::string Digest(const std::string& ref) {
  auto d = EngineImageDigest(ref);
  REQUIRE(d.ok());
  return *d;
}

std::string Short(const std::string& digest) { return digest.substr(0, 19); }

// Nothing listens there: bases named without a registry host cannot be resolved on it.
constexpr char kUpstream[] = "127.0.0.1:1";

// A database with one repository, a git mirror, and a BaseWatch whose base-update runs are real
// runs in the store, counted as they start.
struct World {
  TempDatabase t;
  TempDir mirror_dir;
  planner::GitMirror mirror{mirror_dir.File("mirrors")};
  std::atomic<int64_t> now{At(10, 2)};
  store::Repo repo;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<store::Run> started;  // GUARDED_BY(mu)
  std::unique_ptr<BaseWatch> watch;

  explicit World(std::optional<CronSchedule> server_schedule, const std::string& clone_url = "/nowhere.git") {
    auto r = store::RepoStore(*t.db).Upsert({"acme/shop", "github", clone_url, "", std::nullopt}, 1);
    REQUIRE(r.ok());
    repo = *r;
    watch = std::make_unique<BaseWatch>(
        *t.db, mirror, server_schedule, [this] { return now.load(); },
        [this](const store::Repo& rp, const std::string& branch, const std::string& sha, const std::string& message) {
          auto run = store::RunStore(*t.db).CreateRun({.repo_id = rp.id, .branch = branch, .sha = sha,
                                                       .message = message, .trigger = "base-update",
                                                       .created_at = now.load()});
          std::lock_guard lock(mu);
          if (run.ok()) started.push_back(*run);
          cv.notify_all();
          return run;
        },
        "docker", std::nullopt, [] { return RegistryAccess{.hosts = {}, .upstream = std::string(kUpstream)}; });
  }
  ~World() { watch.reset(); }

  // A run of `branch` at `sha` that ended `status`, with one job that recorded `bases`.
  int64_t BuiltRun(const std::string& branch, const std::string& sha, RunStatus status,
                   const std::vector<store::BaseDigest>& bases) {
    store::RunStore runs(*t.db);
    auto run = runs.CreateRun({.repo_id = repo.id, .branch = branch, .sha = sha, .created_at = now.load()});
    REQUIRE(run.ok());
    nlohmann::json spec = {{"bases", nlohmann::json::array()}};  // the job's spec names its bases
    for (const auto& b : bases) spec["bases"].push_back(b.ref);
    auto jobs = store::JobStore(*t.db).CreateJobs(run->id, {{"build", "build", spec.dump(), {}, 1}});
    REQUIRE(jobs.ok());
    REQUIRE(store::BaseImageStore(*t.db).Record(jobs->front().id, bases, now.load()).ok());
    REQUIRE(runs.SetStatus(run->id, {.status = status, .error = ""}).ok());
    return run->id;
  }

  // Waits until `count` runs have started (the worker thread starts them).
  bool WaitStarted(size_t count) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] { return started.size() >= count; });
  }
  size_t StartedCount() {
    std::lock_guard lock(mu);
    return started.size();
  }

  // A check on request, after whatever the worker has queued: its report.
  nlohmann::json CheckNow() {
    std::promise<Result<nlohmann::json>> done;
    watch->CheckSoon(repo.name, [&done](Result<nlohmann::json> r) { done.set_value(std::move(r)); });
    auto report = done.get_future().get();
    INFO(report.status().ToString());
    REQUIRE(report.ok());
    return *report;
  }
};

}  // namespace

TEST_CASE("a scheduled check finds a moved base and starts one base-update run naming it") {
  std::string ref = UniqueImage("moved");
  testing::ImageCleanup cleanup(ref);
  testing::ImportTestImage(ref, {{"version", "one"}});
  std::string one = Digest(ref);
  World w(*CronSchedule::Parse("*/5 * * * *"));
  int64_t built = w.BuiltRun("main", "sha-main-1", RunStatus::kSuccess, {{ref, one, "engine"}});

  w.watch->Tick();  // 10:02: the schedule starts counting
  auto unchanged = w.CheckNow();
  REQUIRE(unchanged["branches"].size() == 1);
  CHECK(unchanged["branches"][0]["bases"][0]["status"] == "unchanged");
  CHECK(unchanged["branches"][0]["note"] == "no base changed");

  testing::ImportTestImage(ref, {{"version", "two"}});
  std::string two = Digest(ref);
  REQUIRE(two != one);
  w.now = At(10, 4);
  w.watch->Tick();
  w.now = At(10, 5);
  w.watch->Tick();  // due: the check runs on the worker and starts the run
  REQUIRE(w.WaitStarted(1));
  store::Run run = w.started[0];
  std::string message = "base " + ref + " changed: " + Short(one) + " -> " + Short(two);
  CHECK(run.message == message);
  CHECK(run.branch == "main");
  CHECK(run.sha == "sha-main-1");
  CHECK(run.trigger == "base-update");

  // The next time: the run is still pending, so nothing more starts.
  w.now = At(10, 10);
  w.watch->Tick();
  auto pending = w.CheckNow();
  CHECK(w.StartedCount() == 1);
  const auto& branch = pending["branches"][0];
  CHECK(branch["built_run_id"] == built);
  CHECK(branch["bases"][0]["status"] == "changed");
  CHECK(branch["bases"][0]["recorded"] == one);
  CHECK(branch["bases"][0]["current"] == two);
  CHECK(branch["bases"][0]["source"] == "engine");
  CHECK(branch["started_run_id"].is_null());
  CHECK(branch["note"] == "run " + std::to_string(run.id) + " (base-update) is still going on this branch");

  // It failed: the same change is not tried again; a further change is.
  REQUIRE(store::RunStore(*w.t.db).SetStatus(run.id, {.status = RunStatus::kFailure, .error = "boom"}).ok());
  auto tried = w.CheckNow();
  CHECK(tried["branches"][0]["note"] ==
        "base-update run " + std::to_string(run.id) + " already tried this change (failure)");
  CHECK(w.StartedCount() == 1);
  testing::ImportTestImage(ref, {{"version", "three"}});
  std::string three = Digest(ref);
  auto again = w.CheckNow();
  REQUIRE(w.StartedCount() == 2);
  CHECK(again["branches"][0]["started_run_id"] == w.started[1].id);
  CHECK(w.started[1].message == "base " + ref + " changed: " + Short(one) + " -> " + Short(three));
}

TEST_CASE("unchanged and unresolvable bases start nothing, and each branch is checked on its own") {
  std::string ref = UniqueImage("steady");
  testing::ImageCleanup cleanup(ref);
  std::string absent = UniqueImage("absent");
  testing::ImportTestImage(ref, {{"version", "one"}});
  std::string one = Digest(ref);
  World w(std::nullopt);
  std::string gone = "sha256:" + std::string(64, '0');
  w.BuiltRun("main", "sha-main", RunStatus::kSuccess, {{ref, one, "engine"}, {absent, gone, "engine"}});
  w.BuiltRun("release/1", "sha-rel", RunStatus::kSuccess, {{ref, gone, "registry"}});
  auto report = w.CheckNow();
  REQUIRE(report["branches"].size() == 2);
  const auto& main = report["branches"][0];
  CHECK(main["branch"] == "main");
  CHECK(main["bases"][0]["status"] == "unchanged");
  CHECK(main["bases"][1]["status"] == "unresolved");
  CHECK(main["bases"][1]["error"].get<std::string>().find("no image") != std::string::npos);
  // Named without a registry host, so looked for on the upstream too, and the reason said.
  CHECK(main["bases"][1]["error"].get<std::string>().find("upstream 127.0.0.1:1 unreachable: ") != std::string::npos);
  CHECK(main["note"] == "no base changed");
  const auto& release = report["branches"][1];
  CHECK(release["branch"] == "release/1");
  CHECK(release["bases"][0]["status"] == "changed");
  REQUIRE(w.StartedCount() == 1);
  CHECK(w.started[0].branch == "release/1");
  CHECK(w.started[0].sha == "sha-rel");
}

TEST_CASE("a repository's on.schedule comes from its default branch's newest planned run") {
  namespace fs = std::filesystem;
  TempDir git;
  std::string work = git.File("work");
  auto git_cmd = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"git", "-C", work, "-c", "user.name=t", "-c", "user.email=t@example.invalid"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = RunProcess(argv);
    REQUIRE(r.ok());
    INFO(r->err);
    REQUIRE(r->ok());
    return r->out;
  };
  fs::create_directories(work);
  git_cmd({"init", "-q", "-b", "main"});
  std::ofstream(work + "/.slipway.yml") << "version: 1\non:\n  schedule: [\"*/10 * * * *\"]\n";
  git_cmd({"add", "."});
  git_cmd({"commit", "-q", "-m", "schedule"});
  std::string sha = git_cmd({"rev-parse", "HEAD"}).substr(0, 40);

  std::string ref = UniqueImage("scheduled");
  testing::ImageCleanup cleanup(ref);
  testing::ImportTestImage(ref, {{"version", "one"}});
  World w(std::nullopt, work);  // no server schedule: only the repository's own times
  REQUIRE(w.mirror.Fetch(w.repo.name, work).ok());
  w.BuiltRun("main", sha, RunStatus::kSuccess, {{ref, Digest(ref), "engine"}});

  w.watch->Tick();  // 10:02: the refresh reads .slipway.yml at the run's commit
  CHECK(w.CheckNow()["branches"][0]["note"] == "no base changed");  // queued after the refresh
  testing::ImportTestImage(ref, {{"version", "two"}});
  w.now = At(10, 10);
  w.watch->Tick();  // the repository's own time: only it can start a run now
  REQUIRE(w.WaitStarted(1));
  CHECK(w.started[0].sha == sha);
  CHECK(w.started[0].message.rfind("base " + ref + " changed: ", 0) == 0);
}

TEST_CASE("a base on a registry outside the allowlist is unresolved and its registry never contacted") {
  testing::ConnectionRecorder registry;  // stands for a registry nobody may contact
  const std::string outside = registry.host() + "/acme/base:1";  // not in the engine: a registry look-up
  World w(std::nullopt);
  std::string gone = "sha256:" + std::string(64, '1');
  w.BuiltRun("main", "sha-main", RunStatus::kSuccess, {{outside, gone, "registry"}});
  auto report = w.CheckNow();
  const auto& base = report["branches"][0]["bases"][0];
  CHECK(base["ref"] == outside);
  CHECK(base["status"] == "unresolved");
  CHECK(base["error"].get<std::string>().find("registry " + registry.host() +
                                              " is not in the allowlist of registries to contact") != std::string::npos);
  CHECK(registry.connections() == 0);
  CHECK(w.StartedCount() == 0);

  // Allowed by the server's own list, the same check does go there (the recorder is a live listener).
  World allowed(std::nullopt);
  allowed.watch = std::make_unique<BaseWatch>(
      *allowed.t.db, allowed.mirror, std::nullopt, [&] { return allowed.now.load(); },
      [](const store::Repo&, const std::string&, const std::string&, const std::string&) -> Result<store::Run> {
        return Status::Internal("no run expected");
      },
      "docker", std::vector<std::string>{"127.0.0.2"});
  allowed.BuiltRun("main", "sha-main", RunStatus::kSuccess, {{outside, gone, "registry"}});
  CHECK(allowed.CheckNow()["branches"][0]["bases"][0]["status"] == "unresolved");
  CHECK(registry.connections() >= 1);
}

}  // namespace slipway::core
