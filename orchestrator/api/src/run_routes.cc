// Runs and jobs: list, detail, manual trigger, rerun, cancel, job detail, job log (whole or SSE).
#include "api/log_pages.h"
#include "api/replies.h"
#include "api/routes.h"
#include "api/run_requests.h"
#include "core/views.h"

namespace slipway::api {
namespace {

bool RequireAdmin(const http::Request& req, core::Coordinator& c, http::ResponseWriter& w) {
  if (HasBearer(req, c.config().admin_token)) return true;
  ReplyStatus(w, Status::Unauthenticated("this call needs the admin token (Authorization: Bearer ...)"));
  return false;
}

// The job's latest attempt, whole as text or followed as SSE (?follow=1 or Accept:
// text/event-stream), streamed from the store page by page (api/log_pages.h), whatever its size.
void SendJobLog(const Router& router, core::Coordinator& c, const http::Request& req, int64_t job_id, WriterPtr w) {
  auto job = c.queries().Job(job_id);
  if (!job.ok()) return ReplyStatus(*w, job.status());
  int attempt = std::max(1, job->attempt);
  if (req.Query("follow") == "1" || req.Header("Accept") == "text/event-stream") {
    w->BeginStream(200, "text/event-stream");
    return FollowLog(router, c, job_id, attempt, -1, w);
  }
  w->BeginStream(200, "text/plain; charset=utf-8");
  SendLogPages(router, c.queries(), job_id, attempt, -1, w, [](const store::LogChunk& chunk) { return chunk.data; },
               [w](int64_t) { w->Close(); });
}

// The runs: list and detail, answered at once.
void AddRunReads(Router& router, core::Coordinator& c) {
  router.Add("GET", "/api/v1/runs", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    auto filter = RunFilterOf(req);
    if (!filter.ok()) return ReplyStatus(*w, filter.status());
    auto page = c.queries().RunsPage(*filter);
    if (!page.ok()) return ReplyStatus(*w, page.status());
    ReplyJson(*w, 200, *page);
  });

  router.Add("GET", "/api/v1/runs/{id}", [&c](const http::Request&, const PathParams& p, WriterPtr w) {
    auto id = ParseId(p.at("id"), "run id");
    if (!id.ok()) return ReplyStatus(*w, id.status());
    auto run = c.queries().RunDetail(*id);
    if (!run.ok()) return ReplyStatus(*w, run.status());
    ReplyJson(*w, 200, *run);
  });
}

// Trigger, rerun and cancel, with the admin token. On the workers: a trigger fetches the branch
// into the mirror; reruns and cancels write many rows.
void AddRunActions(Router& router, core::Coordinator& c) {
  router.AddOnWorkers("POST", "/api/v1/runs", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    if (!RequireAdmin(req, c, *w)) return;
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    auto trigger = ManualTriggerOf(*body);
    if (!trigger.ok()) return ReplyStatus(*w, trigger.status());
    auto run = c.TriggerManual(trigger->repo, trigger->branch, trigger->sha);
    if (!run.ok()) return ReplyStatus(*w, run.status());
    ReplyJson(*w, 201, core::RunView(*run));
  });

  router.AddOnWorkers("POST", "/api/v1/runs/{id}/rerun", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAdmin(req, c, *w)) return;
    auto id = ParseId(p.at("id"), "run id");
    if (!id.ok()) return ReplyStatus(*w, id.status());
    auto selection = RerunSelectionOf(req.body);
    if (!selection.ok()) return ReplyStatus(*w, selection.status());
    auto run = c.Rerun(*id, *selection);
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
}

// A job's detail and its log.
void AddJobRoutes(Router& router, core::Coordinator& c) {
  router.Add("GET", "/api/v1/jobs/{id}", [&c](const http::Request&, const PathParams& p, WriterPtr w) {
    auto id = ParseId(p.at("id"), "job id");
    if (!id.ok()) return ReplyStatus(*w, id.status());
    auto job = c.queries().JobDetail(*id);
    if (!job.ok()) return ReplyStatus(*w, job.status());
    ReplyJson(*w, 200, *job);
  });

  router.AddOnWorkers("GET", "/api/v1/jobs/{id}/log", [&c, &router](const http::Request& req, const PathParams& p, WriterPtr w) {
    auto id = ParseId(p.at("id"), "job id");
    if (!id.ok()) return ReplyStatus(*w, id.status());
    SendJobLog(router, c, req, *id, w);
  });
}

}  // namespace

void RegisterRunRoutes(Router& router, core::Coordinator& c) {
  AddRunReads(router, c);
  AddRunActions(router, c);
  AddJobRoutes(router, c);
}

}  // namespace slipway::api
