#include "core/base_watch.h"

#include <algorithm>

#include "common/json_text.h"
#include "common/log.h"
#include "core/work_queue.h"
#include "pipelines/pipeline_parser.h"
#include "store/job_store.h"

namespace slipway::core {
namespace {

// "sha256:" and the first 12 hex digits, as `docker images` shows ids.
std::string ShortDigest(const std::string& digest) { return digest.substr(0, 7 + 12); }

}  // namespace

BaseWatch::BaseWatch(store::Database& db, planner::GitMirror& mirror, std::optional<CronSchedule> server_schedule,
                     Clock clock, StartRun start_run, std::string docker,
                     std::optional<std::vector<std::string>> registries, RegistryAccessSource registry_access)
    : db_(db),
      mirror_(mirror),
      clock_(std::move(clock)),
      start_run_(std::move(start_run)),
      docker_(std::move(docker)),
      registries_(std::move(registries)),
      registry_access_(std::move(registry_access)),
      schedule_(std::move(server_schedule)),
      work_(std::make_unique<WorkQueue>()) {}

BaseWatch::~BaseWatch() { work_.reset(); }

RegistryAllowlist BaseWatch::Allowlist(const std::string& upstream) {
  if (registries_) return {*registries_};
  RegistryAllowlist allow{{"127.0.0.1", upstream}};
  if (auto repos = store::RepoStore(db_).List(); repos.ok()) {
    for (const auto& repo : *repos) {
      for (const auto& prefix : repo.policy.image_prefixes) allow.hosts.push_back(prefix.substr(0, prefix.find('/')));
    }
  }
  return allow;
}

void BaseWatch::Tick() {
  int64_t now = clock_();
  bool refresh = false;
  BaseCheckSchedule::Due due;
  std::vector<std::string> to_queue;
  {
    std::lock_guard lock(mu_);
    if (now >= next_refresh_ms_ && !refresh_queued_) {
      refresh = refresh_queued_ = true;
      next_refresh_ms_ = now + kRefreshEveryMs;
    }
    due = schedule_.TakeDue(now);
    for (const std::string& repo : due.repos) {
      if (checks_queued_.insert(repo).second) to_queue.push_back(repo);
    }
  }
  if (refresh) {
    work_->Post([this] { RefreshSchedules(); }, [this](const std::string&) {
      std::lock_guard lock(mu_);
      refresh_queued_ = false;  // the next tick after the interval tries again
    });
  }
  auto scheduled_check = [this](const std::string& repo) {
    auto report = Check(repo);
    if (!report.ok()) {
      LogWarn("base check failed", {{"repo", repo}, {"error", report.status().ToString()}});
      return;
    }
    std::string started;
    for (const auto& b : (*report)["branches"]) {
      if (b["started_run_id"].is_number()) started += (started.empty() ? "" : ",") + JsonText(b["started_run_id"]);
    }
    LogInfo("base check", {{"repo", repo}, {"branches", std::to_string((*report)["branches"].size())},
                           {"started_runs", started}});
  };
  for (const std::string& repo : to_queue) {
    work_->Post([this, repo, scheduled_check] {
      {
        std::lock_guard lock(mu_);
        checks_queued_.erase(repo);
      }
      scheduled_check(repo);
    }, [this, repo](const std::string&) {
      std::lock_guard lock(mu_);
      checks_queued_.erase(repo);
    });
  }
  for (const std::string& repo_name : due.builds) {
    if (!start_build_) break;
    work_->Post([this, repo_name] {
      auto repo = store::RepoStore(db_).GetByName(repo_name);
      auto run = repo.ok() ? start_build_(*repo) : Result<store::Run>(repo.status());
      if (!run.ok()) return LogWarn("scheduled build not started", {{"repo", repo_name}, {"error", run.status().ToString()}});
      LogInfo("scheduled build started", {{"repo", repo_name}, {"run", std::to_string(run->id)}});
    }, nullptr);  // logged by the queue; the next due time tries again
  }
  if (due.all) {
    work_->Post([this, scheduled_check] {
      auto repos = store::RepoStore(db_).List();
      if (!repos.ok()) return LogWarn("base check: no repositories", {{"error", repos.status().ToString()}});
      for (const auto& repo : *repos) scheduled_check(repo.name);
    }, nullptr);  // logged by the queue; the next due time checks again
  }
}

void BaseWatch::CheckSoon(const std::string& repo, std::function<void(Result<nlohmann::json>)> done) {
  auto shared_done = std::make_shared<std::function<void(Result<nlohmann::json>)>>(std::move(done));
  work_->Post([this, repo, shared_done] { (*shared_done)(Check(repo)); },
              [shared_done](const std::string& what) { (*shared_done)(Status::Internal("base check failed: " + what)); });
}

void BaseWatch::RefreshSchedules() {
  auto repos = store::RepoStore(db_).List();
  std::map<std::string, RepoTimes> times;
  if (repos.ok()) {
    for (const auto& repo : *repos) times[repo.name] = RepoSchedules(repo);
  }
  std::lock_guard lock(mu_);
  for (const auto& [repo, t] : times) schedule_.SetRepoSchedules(repo, t.checks, clock_(), t.builds);
  refresh_queued_ = false;
}

BaseWatch::RepoTimes BaseWatch::RepoSchedules(const store::Repo& repo) {
  store::JobStore jobs(db_);
  auto runs = store::RunStore(db_).List({.repo = repo.name, .branch = repo.default_branch, .limit = 20});
  std::string sha;
  for (const auto& run : runs.ok() ? *runs : std::vector<store::Run>{}) {
    auto planned = jobs.ListByRun(run.id);
    if (planned.ok() && !planned->empty()) {
      sha = run.sha;
      break;
    }
  }
  if (sha.empty()) return {};
  if (auto cached = planned_.find(repo.name); cached != planned_.end() && cached->second.first == sha) {
    return cached->second.second;
  }
  auto text = mirror_.ReadFile(repo.name, sha, ".slipway.yml", pipelines::kMaxPipelineBytes);
  if (!text.ok()) return {};  // the mirror is not there (yet): try again at the next refresh
  RepoTimes out;
  // A run with a bad entry failed to plan (bad-cron), so none reaches here; skip any all the same.
  if (*text) {
    for (const auto& entry : pipelines::ParsePipeline(**text, ".slipway.yml").pipeline.schedule) {
      if (auto cron = CronSchedule::Parse(entry.cron); cron.ok()) (entry.build ? out.builds : out.checks).push_back(*cron);
    }
  }
  planned_[repo.name] = {sha, out};
  return out;
}

Result<nlohmann::json> BaseWatch::Check(const std::string& repo_name) {
  auto repo = store::RepoStore(db_).GetByName(repo_name);
  if (!repo.ok()) return repo.status();
  auto built = store::BaseImageStore(db_).LatestBuilt(repo->id);
  if (!built.ok()) return built.status();
  nlohmann::json out = {{"repo", repo->name}, {"checked_at", clock_()}, {"branches", nlohmann::json::array()}};
  std::map<std::string, Result<ResolvedDigest>> resolved;  // each reference once per check
  const RegistryAccess access = registry_access_ ? registry_access_() : RegistryAccess{};
  const RegistryAllowlist allowlist = Allowlist(access.upstream);
  for (const auto& branch : *built) out["branches"].push_back(CheckBranch(*repo, branch, access, allowlist, resolved));
  return out;
}

nlohmann::json BaseWatch::CheckBranch(const store::Repo& repo, const store::BuiltBranch& built,
                                      const RegistryAccess& access, const RegistryAllowlist& allowlist,
                                      std::map<std::string, Result<ResolvedDigest>>& resolved) {
  // One entry per (reference, recorded digest), naming the stages built from it.
  nlohmann::json bases = nlohmann::json::array();
  std::vector<std::string> changes;
  for (const auto& record : built.bases) {
    const store::BaseDigest& b = record.base;
    auto same = std::find_if(bases.begin(), bases.end(), [&](const nlohmann::json& e) {
      return e["ref"] == b.ref && e["recorded"] == b.digest;
    });
    if (same != bases.end()) {
      (*same)["stages"].push_back(record.stage);
      continue;
    }
    auto now = resolved.find(b.ref);
    if (now == resolved.end()) now = resolved.emplace(b.ref, ResolveImageDigest(b.ref, docker_, access, &allowlist)).first;
    nlohmann::json entry = {{"ref", b.ref},        {"stages", {record.stage}}, {"recorded", b.digest},
                            {"current", nullptr},  {"source", nullptr},        {"status", "unresolved"}};
    if (now->second.ok()) {
      entry["current"] = now->second->digest;
      entry["source"] = now->second->source;
      entry["status"] = now->second->digest == b.digest ? "unchanged" : "changed";
      if (now->second->digest != b.digest) {
        changes.push_back("base " + b.ref + " changed: " + ShortDigest(b.digest) + " -> " +
                          ShortDigest(now->second->digest));
      }
    } else {
      entry["error"] = now->second.status().message();
    }
    bases.push_back(std::move(entry));
  }
  nlohmann::json out = {{"branch", built.branch}, {"built_run_id", built.run_id}, {"sha", built.sha},
                        {"bases", bases},         {"changes", changes},           {"started_run_id", nullptr}};
  if (changes.empty()) {
    out["note"] = "no base changed";
    return out;
  }
  std::string message;
  for (const auto& c : changes) message += (message.empty() ? "" : "; ") + c;
  auto recent = store::RunStore(db_).List({.repo = repo.name, .branch = built.branch, .limit = 50});
  if (!recent.ok()) {
    out["note"] = "runs of the branch unreadable: " + recent.status().message();
    return out;
  }
  for (const auto& run : *recent) {
    if (!IsFinal(run.status)) {
      out["note"] = "run " + std::to_string(run.id) + " (" + run.trigger + ") is still going on this branch";
      return out;
    }
  }
  for (const auto& run : *recent) {
    if (run.id > built.run_id && run.trigger == "base-update" && run.message == message) {
      out["note"] = "base-update run " + std::to_string(run.id) + " already tried this change (" +
                    std::string(RunStatusName(run.status)) + ")";
      return out;
    }
  }
  auto run = start_run_(repo, built.branch, built.sha, message);
  if (!run.ok()) {
    out["note"] = "no run started: " + run.status().message();
    return out;
  }
  out["started_run_id"] = run->id;
  out["note"] = message;
  LogInfo("base-update run started",
          {{"repo", repo.name}, {"branch", built.branch}, {"run", std::to_string(run->id)}, {"change", message}});
  return out;
}

}  // namespace slipway::core
