#include "core/views.h"

namespace slipway::core {
namespace {

template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json ParseOr(const std::string& text, nlohmann::json fallback) {
  if (text.empty()) return fallback;
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

// Where the forge shows the run's commit, what the push changed, and its pull request, from the
// repository's web page as the payload gave it (null when unknown).
nlohmann::json ForgeLinks(const store::Run& run) {
  nlohmann::json links = {{"commit", nullptr}, {"compare", nullptr}, {"pull_request", nullptr}};
  const std::string& web = run.origin.web_url;
  if (web.empty()) return links;
  const bool gitlab = run.repo_forge == "gitlab";
  const std::string base = gitlab ? web + "/-" : web;
  links["commit"] = base + "/commit/" + run.sha;
  const std::string& before = run.origin.before_sha;
  if (!before.empty() && before.find_first_not_of('0') != std::string::npos) {
    links["compare"] = base + "/compare/" + before + "..." + run.sha;
  }
  if (run.origin.pr_number) {
    const char* path = gitlab ? "/merge_requests/" : run.repo_forge == "gitea" ? "/pulls/" : "/pull/";
    links["pull_request"] = base + path + std::to_string(*run.origin.pr_number);
  }
  return links;
}

nlohmann::json PullRequestView(const store::Run& run) {
  if (!run.origin.pr_number) return nullptr;
  return {{"number", *run.origin.pr_number},
          {"title", run.origin.pr_title},
          {"source_branch", run.origin.pr_source_branch},
          {"target_branch", run.origin.pr_target_branch},
          {"source_repo", run.origin.pr_source_repo},
          {"fork", run.origin.pr_fork}};
}

}  // namespace

nlohmann::json RunView(const store::Run& run) {
  nlohmann::json j = {
      {"id", run.id},
      {"repo", run.repo_name},
      {"number", run.number},
      {"branch", run.branch},
      {"sha", run.sha},
      {"short_sha", run.sha.substr(0, 7)},
      {"message", run.message},
      {"author", run.author},
      {"trigger", run.trigger},
      {"parent_run_id", OrNull(run.parent_run_id)},
      {"status", RunStatusName(run.status)},
      {"error", run.error},
      {"diagnostics", ParseOr(run.diagnostics_json, nlohmann::json::array())},
      {"created_at", run.created_at},
      {"started_at", OrNull(run.started_at)},
      {"finished_at", OrNull(run.finished_at)},
  };
  if (run.started_at && run.finished_at) j["duration_ms"] = *run.finished_at - *run.started_at;
  else j["duration_ms"] = nullptr;
  j["pull_request"] = PullRequestView(run);
  j["tag"] = run.origin.tag.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.origin.tag);
  j["approval"] = run.approval == store::Approval::kNone ? nlohmann::json(nullptr)
                                                         : nlohmann::json(store::ApprovalName(run.approval));
  j["approved_at"] = OrNull(run.approved_at);
  j["links"] = ForgeLinks(run);
  return j;
}

nlohmann::json RunView(const store::Run& run, const std::vector<store::Job>& jobs) {
  nlohmann::json j = RunView(run);
  j["jobs"] = nlohmann::json::array();
  for (const auto& job : jobs) j["jobs"].push_back(JobView(job));
  return j;
}

nlohmann::json JobView(const store::Job& job) {
  nlohmann::json spec = ParseOr(job.spec_json, nlohmann::json::object());
  nlohmann::json result = job.result_json ? ParseOr(*job.result_json, nullptr) : nullptr;
  nlohmann::json j = {
      {"id", job.id},
      {"run_id", job.run_id},
      {"name", job.name},
      {"stage", job.stage},
      {"target", spec.value("target", job.stage)},
      {"needs", job.needs},
      {"status", JobStatusName(job.status)},
      {"attempt", job.attempt},
      {"max_attempts", job.max_attempts},
      {"agent", job.agent},
      {"started_at", OrNull(job.started_at)},
      {"finished_at", OrNull(job.finished_at)},
      {"duration_ms", OrNull(job.duration_ms)},
      {"error", job.error},
      {"image", nullptr},
      {"cache", nullptr},
      {"insight", nullptr},
      {"failed_step", ""},
      {"bases", nlohmann::json::array()},
      {"spec", spec},
  };
  if (result.is_object()) {
    for (const char* key : {"image", "cache", "insight", "failed_step", "log_tail", "bases"}) {
      if (result.contains(key)) j[key] = result[key];
    }
  }
  return j;
}

nlohmann::json StepView(const store::Step& step) {
  return {{"index", step.index},         {"digest", step.digest},
          {"name", step.name},           {"cached", step.cached},
          {"started_ms", OrNull(step.started_at)}, {"completed_ms", OrNull(step.completed_at)},
          {"duration_ms", OrNull(step.duration_ms)}, {"error", step.error}};
}

nlohmann::json AgentView(const store::Agent& agent, const std::vector<store::LeasedJob>& running,
                         int64_t now_ms) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& job : running) {
    jobs.push_back({{"job_id", job.job_id}, {"run_id", job.run_id}, {"name", job.name},
                    {"repo", job.repo}, {"started_at", job.started_at}});
  }
  return {{"name", agent.name},
          {"labels", ParseOr(agent.labels_json, nlohmann::json::object())},
          {"capacity", agent.capacity},
          {"version", agent.version},
          {"last_seen_at", agent.last_seen_at},
          {"last_seen_age_ms", now_ms - agent.last_seen_at},
          {"running_jobs", jobs}};
}

std::string WithoutCredentials(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto host_start = scheme + 3;
  auto path = url.find('/', host_start);
  auto at = url.rfind('@', path == std::string::npos ? url.size() : path);
  if (at == std::string::npos || at < host_start) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}

nlohmann::json RepoView(const store::Repo& repo) {
  return {{"id", repo.id},
          {"name", repo.name},
          {"forge", repo.forge},
          {"clone_url", WithoutCredentials(repo.clone_url)},
          {"default_branch", repo.default_branch},
          {"image_prefixes", repo.policy.image_prefixes},
          {"protected_tags", repo.policy.protected_tags},
          {"protected_branches", repo.policy.protected_branches},
          {"agent_labels", repo.policy.agent_labels},
          {"api_url", WithoutCredentials(repo.links.api_url)},
          {"notify_url", WithoutCredentials(repo.links.notify_url)},
          {"notify_events", repo.links.notify_events},
          {"fork_pull_requests", repo.fork_pull_requests}};
}

nlohmann::json ImageView(const store::ImageRecord& image) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : image.layers) {
    layers.push_back({{"index", l.index},
                      {"digest", l.digest},
                      {"size_bytes", l.size_bytes},
                      {"compressed_size_bytes", OrNull(l.compressed_size_bytes)},
                      {"instruction", l.instruction}});
  }
  return {{"digest", image.digest},       {"stage", image.stage},
          {"branch", image.branch},       {"sha", image.sha},
          {"ref", image.ref},             {"job_id", OrNull(image.job_id)},
          {"size_bytes", image.size_bytes}, {"compressed_size_bytes", OrNull(image.compressed_size_bytes)},
          {"created_at", image.created_at}, {"layers", layers}};
}

}  // namespace slipway::core
