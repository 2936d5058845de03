#include "core/forge_messages.h"

#include <cstdio>

#include "common/json_text.h"
#include "common/strings.h"

namespace slipway::core {
namespace {

using nlohmann::json;

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

// "0 high", "1 critical, 2 high", or "not scanned".
std::string VulnerabilityWords(const json& insight) {
  if (insight.contains("not_scanned")) return "not scanned";
  const json counts = insight.value("vulnerabilities", json::object());
  const int64_t critical = counts.is_object() ? counts.value("critical", int64_t{0}) : 0;
  const int64_t high = counts.is_object() ? counts.value("high", int64_t{0}) : 0;
  std::string out = critical > 0 ? std::to_string(critical) + " critical, " : "";
  return out + std::to_string(high) + " high";
}

// "(+2.1% vs main)" against the base branch's last good build, else the branch's own; "".
std::string SizeComparison(const json& insight) {
  const json view = BaseComparison(insight);
  if (!view.contains("size_delta_percent") || !view["size_delta_percent"].is_number()) return "";
  return " (" + SignedPercent(view["size_delta_percent"].get<double>()) + " vs " +
         view.value("branch", "") + ")";
}

// Reads a string field of a stored payload; InvalidArgument naming it when absent.
Result<std::string> StringField(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
    return Status::InvalidArgument(std::string("outbox payload has no string \"") + key + "\"");
  }
  return j[key].get<std::string>();
}

}  // namespace

json ToJson(const CommitStatus& s) {
  return {{"sha", s.sha},
          {"context", s.context},
          {"status", JobStatusName(s.status)},
          {"whole_run", s.whole_run},
          {"description", s.description},
          {"target_url", s.target_url}};
}

Result<CommitStatus> CommitStatusFromJson(const json& j) {
  CommitStatus s;
  for (auto [key, field] :
       {std::pair{"sha", &CommitStatus::sha}, std::pair{"context", &CommitStatus::context},
        std::pair{"description", &CommitStatus::description},
        std::pair{"target_url", &CommitStatus::target_url}}) {
    auto value = StringField(j, key);
    if (!value.ok()) return value.status();
    s.*field = *value;
  }
  auto name = StringField(j, "status");
  if (!name.ok()) return name.status();
  auto status = JobStatusFromName(*name);
  if (!status)
    return Status::InvalidArgument("outbox payload has an unknown status '" + *name + "'");
  s.status = *status;
  s.whole_run = j.value("whole_run", false);
  return s;
}

json ToJson(const PrComment& c) { return {{"pr_number", c.pr_number}, {"body", c.body}}; }

Result<PrComment> PrCommentFromJson(const json& j) {
  auto body = StringField(j, "body");
  if (!body.ok()) return body.status();
  if (!j.contains("pr_number") || !j["pr_number"].is_number_integer() ||
      j["pr_number"].get<int64_t>() <= 0) {
    return Status::InvalidArgument("outbox payload has no positive \"pr_number\"");
  }
  return PrComment{j["pr_number"].get<int64_t>(), *body};
}

bool IsNotifyEvent(std::string_view name) {
  return name == kRunFinished || name == kRunFailed || name == kBaseUpdateStarted;
}

json ToJson(const Notification& n) { return {{"event", n.event}, {"body", n.body}}; }

Result<Notification> NotificationFromJson(const json& j) {
  auto event = StringField(j, "event");
  auto body = event.ok() ? StringField(j, "body") : event;
  if (!body.ok()) return body.status();
  return Notification{*event, *body};
}

std::string StatusTopic(const CommitStatus& status) {
  return "status:" + status.sha + ":" + status.context;
}
std::string CommentTopic(int64_t pr_number) { return "comment:" + std::to_string(pr_number); }

std::string OneLine(std::string_view text, size_t max_chars) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    if (i + len > text.size()) len = 1;
    if (chars + 1 == max_chars && i + len < text.size()) {
      out += "…";
      return out;
    }
    if (c < 0x20 || c == 0x7f) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out.append(text.substr(i, len));
    }
    ++chars;
    i += len;
  }
  return out;
}

std::string RunPageUrl(std::string_view public_url, int64_t run_id) {
  return public_url.empty() ? "" : std::string(public_url) + "/#/runs/" + std::to_string(run_id);
}

std::string JobPageUrl(std::string_view public_url, int64_t job_id) {
  return public_url.empty() ? "" : std::string(public_url) + "/#/jobs/" + std::to_string(job_id);
}

json ResultOf(const store::Job& job) {
  if (!job.result_json) return json::object();
  json result = json::parse(*job.result_json, nullptr, false);
  return result.is_object() ? result : json::object();
}

json ReviewOf(const store::Job& job) {
  const json result = ResultOf(job);
  return result.contains("insight") && result["insight"].is_object() ? result["insight"]
                                                                     : json::object();
}

json BaseComparison(const json& review) {
  const json previous = review.value("previous", json::object());
  if (!previous.is_object()) return json::object();
  for (const char* which : {"default_branch", "branch"}) {
    if (previous.contains(which) && previous[which].is_object()) return previous[which];
  }
  return json::object();
}

std::string SignedPercent(double percent) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", percent);
  return buf;
}

std::string StageVerdict(const store::Job& job) {
  const json result = ResultOf(job);
  if (job.status != JobStatus::kSuccess && !job.error.empty()) return job.name + ": " + job.error;
  const json insight = ReviewOf(job);
  if (insight.contains("size_bytes") && insight["size_bytes"].is_number_unsigned()) {
    return job.name + " " + HumanBytes(insight["size_bytes"].get<uint64_t>()) +
           SizeComparison(insight) + ", " + VulnerabilityWords(insight);
  }
  std::string out = job.name + " " + std::string(JobStatusName(job.status));
  if (job.duration_ms) out += " in " + Seconds(*job.duration_ms);
  const json cache = result.value("cache", json::object());
  if (cache.is_object() && cache.value("steps", 0) > 0) {
    out += ", " + std::to_string(cache.value("cached", 0)) + "/" +
           std::to_string(cache.value("steps", 0)) + " steps cached";
  }
  return out;
}

CommitStatus StageStatus(const store::Run& run, const store::Job& job,
                         std::string_view public_url) {
  CommitStatus s{.sha = run.sha,
                 .context = "slipway/" + job.name,
                 .status = job.status,
                 .whole_run = false,
                 .description = "",
                 .target_url = JobPageUrl(public_url, job.id)};
  switch (job.status) {
    case JobStatus::kPending:
      s.description = "queued";
      break;
    case JobStatus::kRunning:
      s.description = job.agent.empty() ? "building" : "building on " + job.agent;
      break;
    case JobStatus::kCanceled:
      s.description = "canceled";
      break;
    case JobStatus::kSkipped:
      s.description = "skipped: a stage it needs did not succeed";
      break;
    default:
      s.description = StageVerdict(job);
      break;
  }
  s.description = OneLine(s.description, kMaxStatusDescription);
  return s;
}

CommitStatus RunCommitStatus(const store::Run& run, const std::vector<store::Job>& jobs,
                             std::string_view public_url) {
  CommitStatus s{.sha = run.sha,
                 .context = "slipway",
                 .status = *JobStatusFromName(RunStatusName(run.status)),
                 .whole_run = true,
                 .description = "",
                 .target_url = RunPageUrl(public_url, run.id)};
  std::string failed;
  for (const auto& j : jobs) {
    if (j.status == JobStatus::kFailure || j.status == JobStatus::kError)
      failed += (failed.empty() ? "" : ", ") + j.name;
  }
  const std::string number = "run " + std::to_string(run.number);
  switch (run.status) {
    case RunStatus::kPending:
      s.description = number + " queued";
      break;
    case RunStatus::kRunning:
      s.description = number + " building";
      break;
    case RunStatus::kSuccess: {
      s.description = number + ": " + std::to_string(jobs.size()) +
                      (jobs.size() == 1 ? " stage" : " stages") + " built";
      if (run.started_at && run.finished_at)
        s.description += " in " + Seconds(*run.finished_at - *run.started_at);
      break;
    }
    case RunStatus::kFailure:
    case RunStatus::kError:
      s.description = number + " " + std::string(RunStatusName(run.status)) + ": " +
                      (failed.empty() ? run.error : failed);
      break;
    default:
      s.description = number + " " + std::string(RunStatusName(run.status)) +
                      (run.error.empty() ? "" : ": " + run.error);
  }
  s.description = OneLine(s.description, kMaxStatusDescription);
  return s;
}

std::string NotificationBody(std::string_view event, const store::Run& run,
                             const std::vector<store::Job>& jobs, std::string_view public_url) {
  json list = json::array();
  for (const auto& j : jobs) {
    list.push_back({{"name", j.name},
                    {"status", JobStatusName(j.status)},
                    {"error", j.error},
                    {"verdict", StageVerdict(j)}});
  }
  json body = {{"event", event},
               {"repo", run.repo_name},
               {"run",
                {{"id", run.id},
                 {"number", run.number},
                 {"branch", run.branch},
                 {"sha", run.sha},
                 {"trigger", run.trigger},
                 {"status", RunStatusName(run.status)},
                 {"error", run.error},
                 {"url", RunPageUrl(public_url, run.id)}}},
               {"jobs", list}};
  return JsonText(body);
}

}  // namespace slipway::core
