// Runs and jobs: list, detail, manual trigger, rerun, cancel, job detail, job log (whole or SSE).
#include <cstdlib>

#include "api/log_pages.h"
#include "api/replies.h"
#include "api/routes.h"
#include "core/views.h"
#include "webhooks/ref_name.h"

namespace slipway::api {
namespace {

// A positive integer path or query parameter, or InvalidArgument naming it.
Result<int64_t> ParseId(const std::string& text, const std::string& what) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v <= 0) return Status::InvalidArgument(what + " must be a positive integer, not '" + text + "'");
  return static_cast<int64_t>(v);
}

bool RequireAdmin(const http::Request& req, core::Coordinator& c, http::ResponseWriter& w) {
  if (HasBearer(req, c.config().admin_token)) return true;
  ReplyStatus(w, Status::Unauthenticated("this call needs the admin token (Authorization: Bearer ...)"));
  return false;
}

}  // namespace

void RegisterRunRoutes(Router& router, core::Coordinator& c) {
  router.Add("GET", "/api/v1/runs", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    store::RunFilter filter;
    if (auto v = req.Query("repo"); !v.empty()) filter.repo = v;
    if (auto v = req.Query("branch"); !v.empty()) filter.branch = v;
    if (auto v = req.Query("status"); !v.empty()) {
      filter.status = RunStatusFromName(v);
      if (!filter.status) {
        return ReplyStatus(*w, Status::InvalidArgument(
                                   "status must be pending, running, success, failure, canceled, error or skipped"));
      }
    }
    if (auto v = req.Query("limit"); !v.empty()) {
      auto n = ParseId(v, "limit");
      if (!n.ok()) return ReplyStatus(*w, n.status());
      filter.limit = static_cast<int>(std::min<int64_t>(*n, store::RunStore::kMaxListLimit));
    }
    for (auto [name, cursor] : {std::pair{"before", &filter.before}, std::pair{"after", &filter.after}}) {
      if (auto v = req.Query(name); !v.empty()) {
        auto n = ParseId(v, name);
        if (!n.ok()) return ReplyStatus(*w, n.status());
        *cursor = *n;
      }
    }
    if (filter.before && filter.after) {
      return ReplyStatus(*w, Status::InvalidArgument("give one of before and after, not both"));
    }
    auto page = c.queries().RunsPage(filter);
    if (!page.ok()) return ReplyStatus(*w, page.status());
    ReplyJson(*w, 200, *page);
  });

  // On the workers: a trigger fetches the branch into the mirror; reruns and cancels write many rows.
  router.AddOnWorkers("POST", "/api/v1/runs", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    if (!RequireAdmin(req, c, *w)) return;
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    if (!(*body).contains("repo") || !(*body)["repo"].is_string() || !(*body).contains("branch") ||
        !(*body)["branch"].is_string()) {
      return ReplyStatus(*w, Status::InvalidArgument(
                                 "body needs string fields \"repo\" and \"branch\" (and optionally \"sha\")"));
    }
    std::string branch = (*body)["branch"];
    std::string sha = body->value("sha", "");
    if (Status s = webhooks::ValidateBranchName(branch); !s.ok()) return ReplyStatus(*w, s);
    if (!sha.empty()) {
      if (Status s = webhooks::ValidateSha(sha); !s.ok()) return ReplyStatus(*w, s);
    }
    auto run = c.TriggerManual((*body)["repo"], branch, sha);
    if (!run.ok()) return ReplyStatus(*w, run.status());
    ReplyJson(*w, 201, core::RunView(*run));
  });

  router.Add("GET", "/api/v1/runs/{id}", [&c](const http::Request&, const PathParams& p, WriterPtr w) {
    auto id = ParseId(p.at("id"), "run id");
    if (!id.ok()) return ReplyStatus(*w, id.status());
    auto run = c.queries().RunDetail(*id);
    if (!run.ok()) return ReplyStatus(*w, run.status());
    ReplyJson(*w, 200, *run);
  });

  router.AddOnWorkers("POST", "/api/v1/runs/{id}/rerun", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAdmin(req, c, *w)) return;
    auto id = ParseId(p.at("id"), "run id");
    if (!id.ok()) return ReplyStatus(*w, id.status());
    core::RerunSelection selection;
    if (!req.body.empty()) {
      auto body = ParseJsonObject(req.body);
      if (!body.ok()) return ReplyStatus(*w, body.status());
      const auto& jobs = body->contains("jobs") ? (*body)["jobs"] : nlohmann::json("all");
      if (jobs == "failed") {
        selection.failed_only = true;
      } else if (jobs.is_array()) {
        for (const auto& j : jobs) {
          if (!j.is_string()) return ReplyStatus(*w, Status::InvalidArgument("\"jobs\" must list job names"));
          selection.jobs.push_back(j);
        }
        if (selection.jobs.empty()) return ReplyStatus(*w, Status::InvalidArgument("\"jobs\" names no job"));
      } else if (jobs != "all") {
        return ReplyStatus(*w,
                           Status::InvalidArgument("\"jobs\" must be \"all\", \"failed\" or a list of job names"));
      }
    }
    auto run = c.Rerun(*id, selection);
    if (!run.ok()) return ReplyStatus(*w, run.status());
    ReplyJson(*w, 201, core::RunView(*run));
  });

  router.AddOnWorkers("POST", "/api/v1/runs/{id}/cancel", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAdmin(req, c, *w)) return;
    auto id = ParseId(p.at("id"), "run id");
    if (!id.ok()) return ReplyStatus(*w, id.status());
    Status s = c.CancelRun(*id);
    if (!s.ok()) return ReplyStatus(*w, s);
    ReplyJson(*w, 202, {{"run_id", *id}, {"status", "canceling"}});
  });

  router.Add("GET", "/api/v1/jobs/{id}", [&c](const http::Request&, const PathParams& p, WriterPtr w) {
    auto id = ParseId(p.at("id"), "job id");
    if (!id.ok()) return ReplyStatus(*w, id.status());
    auto job = c.queries().JobDetail(*id);
    if (!job.ok()) return ReplyStatus(*w, job.status());
    ReplyJson(*w, 200, *job);
  });

  // Streamed from the store page by page (api/log_pages.h), whatever the log's size.
  router.AddOnWorkers("GET", "/api/v1/jobs/{id}/log", [&c, &router](const http::Request& req, const PathParams& p, WriterPtr w) {
    auto id = ParseId(p.at("id"), "job id");
    if (!id.ok()) return ReplyStatus(*w, id.status());
    auto job = c.queries().Job(*id);
    if (!job.ok()) return ReplyStatus(*w, job.status());
    int attempt = std::max(1, job->attempt);
    if (req.Query("follow") == "1" || req.Header("Accept") == "text/event-stream") {
      w->BeginStream(200, "text/event-stream");
      return FollowLog(router, c, *id, attempt, -1, w);
    }
    w->BeginStream(200, "text/plain; charset=utf-8");
    SendLogPages(router, c.queries(), *id, attempt, -1, w, [](const store::LogChunk& chunk) { return chunk.data; },
                 [w](int64_t) { w->Close(); });
  });
}

}  // namespace slipway::api
