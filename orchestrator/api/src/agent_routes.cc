// The agents' protocol (docs/agent-protocol.md): lease, renew, log, steps, finish.
#include <cstdlib>

#include "api/replies.h"
#include "api/routes.h"
#include "api/sinks.h"
#include "protocol/agent_protocol.h"

namespace slipway::api {
namespace {

constexpr int kMaxLeaseWaitSeconds = 30;

// ?wait=SECONDS clamped to [0, most], or the default.
int WaitMs(const http::Request& req, int default_seconds, int most_seconds) {
  std::string v = req.Query("wait");
  int seconds = v.empty() ? default_seconds : std::atoi(v.c_str());
  return std::clamp(seconds, 0, most_seconds) * 1000;
}

bool RequireAgent(const http::Request& req, core::Coordinator& c, http::ResponseWriter& w) {
  if (HasBearer(req, c.config().agent_token)) return true;
  ReplyStatus(w, Status::Unauthenticated("agent calls need the agent token (Authorization: Bearer ...)"));
  return false;
}

}  // namespace

void RegisterAgentRoutes(Router& router, core::Coordinator& c) {
  router.Add("POST", "/api/v1/agent/lease", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    auto request = protocol::ReadLeaseRequest(*body);
    if (!request.ok()) return ReplyStatus(*w, request.status());
    scheduler::AgentInfo agent{.name = request->agent, .labels = request->labels, .capacity = request->capacity};
    c.WaitForLease(agent, request->version, WaitMs(req, kMaxLeaseWaitSeconds, kMaxLeaseWaitSeconds), LeasePollOn(w));
  });

  router.Add("POST", "/api/v1/agent/leases/{lease}/renew", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    c.RenewLease(p.at("lease"), WaitMs(req, 3, 10), RenewPollOn(w));
  });

  router.Add("POST", "/api/v1/agent/leases/{lease}/pushing", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    Status s = c.MarkPushing(p.at("lease"));
    if (!s.ok()) return ReplyStatus(*w, s);
    ReplyJson(*w, 200, {{"ok", true}});
  });

  router.Add("POST", "/api/v1/agent/leases/{lease}/log", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    auto batch = protocol::ReadLogBatch(*body);
    if (!batch.ok()) return ReplyStatus(*w, batch.status());
    Status s = c.AppendLog(p.at("lease"), batch->seq, batch->data);
    if (!s.ok()) return ReplyStatus(*w, s);
    ReplyJson(*w, 200, {{"ok", true}});
  });

  router.Add("POST", "/api/v1/agent/leases/{lease}/steps", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    auto steps = protocol::ReadStepsReport(*body);
    if (!steps.ok()) return ReplyStatus(*w, steps.status());
    Status s = c.ReplaceSteps(p.at("lease"), *steps);
    if (!s.ok()) return ReplyStatus(*w, s);
    ReplyJson(*w, 200, {{"ok", true}});
  });

  // On the workers: the image review scans the reported packages against the OSV database.
  router.AddOnWorkers("POST", "/api/v1/agent/leases/{lease}/finish", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    // The whole report is checked before anything is written.
    auto report = protocol::ReadFinishReport(*body);
    if (!report.ok()) return ReplyStatus(*w, report.status());
    Status s = c.FinishJob(p.at("lease"), *report);
    if (!s.ok()) return ReplyStatus(*w, s);
    ReplyJson(*w, 200, {{"ok", true}});
  });
}

}  // namespace slipway::api
