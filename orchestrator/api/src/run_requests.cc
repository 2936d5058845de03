#include "api/run_requests.h"

#include <algorithm>
#include <cstdlib>

#include "api/replies.h"
#include "webhooks/ref_name.h"

namespace slipway::api {

Result<int64_t> ParseId(const std::string& text, const std::string& what) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v <= 0)
    return Status::InvalidArgument(what + " must be a positive integer, not '" + text + "'");
  return static_cast<int64_t>(v);
}

Result<store::RunFilter> RunFilterOf(const http::Request& req) {
  store::RunFilter filter;
  if (auto v = req.Query("repo"); !v.empty()) filter.repo = v;
  if (auto v = req.Query("branch"); !v.empty()) filter.branch = v;
  if (auto v = req.Query("status"); !v.empty()) {
    filter.status = RunStatusFromName(v);
    if (!filter.status) {
      return Status::InvalidArgument(
          "status must be pending, running, success, failure, canceled, error or skipped");
    }
  }
  if (auto v = req.Query("limit"); !v.empty()) {
    auto n = ParseId(v, "limit");
    if (!n.ok()) return n.status();
    filter.limit = static_cast<int>(std::min<int64_t>(*n, store::RunStore::kMaxListLimit));
  }
  for (auto [name, cursor] :
       {std::pair{"before", &filter.before}, std::pair{"after", &filter.after}}) {
    if (auto v = req.Query(name); !v.empty()) {
      auto n = ParseId(v, name);
      if (!n.ok()) return n.status();
      *cursor = *n;
    }
  }
  if (filter.before && filter.after)
    return Status::InvalidArgument("give one of before and after, not both");
  return filter;
}

Result<ManualTrigger> ManualTriggerOf(const nlohmann::json& body) {
  if (!body.contains("repo") || !body["repo"].is_string() || !body.contains("branch") ||
      !body["branch"].is_string()) {
    return Status::InvalidArgument(
        "body needs string fields \"repo\" and \"branch\" (and optionally \"sha\")");
  }
  ManualTrigger trigger{
      .repo = body["repo"], .branch = body["branch"], .sha = body.value("sha", "")};
  if (Status s = webhooks::ValidateBranchName(trigger.branch); !s.ok()) return s;
  if (!trigger.sha.empty()) {
    if (Status s = webhooks::ValidateSha(trigger.sha); !s.ok()) return s;
  }
  return trigger;
}

Result<core::RerunSelection> RerunSelectionOf(const std::string& text) {
  core::RerunSelection selection;
  if (text.empty()) return selection;
  auto body = ParseJsonObject(text);
  if (!body.ok()) return body.status();
  const auto& jobs = body->contains("jobs") ? (*body)["jobs"] : nlohmann::json("all");
  if (jobs == "failed") {
    selection.failed_only = true;
  } else if (jobs.is_array()) {
    for (const auto& j : jobs) {
      if (!j.is_string()) return Status::InvalidArgument("\"jobs\" must list job names");
      selection.jobs.push_back(j);
    }
    if (selection.jobs.empty()) return Status::InvalidArgument("\"jobs\" names no job");
  } else if (jobs != "all") {
    return Status::InvalidArgument("\"jobs\" must be \"all\", \"failed\" or a list of job names");
  }
  return selection;
}

}  // namespace slipway::api
