// The agents' protocol (docs/agent-protocol.md): lease, renew, log, steps, finish.
#include <cstdlib>

#include "api/replies.h"
#include "api/routes.h"

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
  ReplyError(w, 401, "unauthenticated", "agent calls need the agent token (Authorization: Bearer ...)");
  return false;
}

}  // namespace

void RegisterAgentRoutes(Router& router, core::Coordinator& c) {
  router.Add("POST", "/api/v1/agent/lease", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    scheduler::AgentInfo agent;
    agent.name = body->value("agent", "");
    if (agent.name.empty() || agent.name.size() > 128) {
      return ReplyError(*w, 400, "invalid_argument", "\"agent\" must name the agent (1 to 128 characters)");
    }
    agent.capacity = body->value("capacity", 1);
    if (agent.capacity < 1 || agent.capacity > 256) {
      return ReplyError(*w, 400, "invalid_argument", "\"capacity\" must be between 1 and 256");
    }
    if (body->contains("labels")) {
      const auto& labels = (*body)["labels"];
      if (!labels.is_object()) return ReplyError(*w, 400, "invalid_argument", "\"labels\" must be an object of strings");
      for (auto& [k, v] : labels.items()) {
        if (!v.is_string()) return ReplyError(*w, 400, "invalid_argument", "label '" + k + "' must be a string");
        agent.labels[k] = v.get<std::string>();
      }
    }
    c.WaitForLease(agent, body->value("version", ""), WaitMs(req, kMaxLeaseWaitSeconds, kMaxLeaseWaitSeconds), w);
  });

  router.Add("POST", "/api/v1/agent/leases/{lease}/renew", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    c.RenewLease(p.at("lease"), WaitMs(req, 3, 10), w);
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
    if (!body->contains("seq") || !(*body)["seq"].is_number_integer() || !body->contains("data") ||
        !(*body)["data"].is_string()) {
      return ReplyError(*w, 400, "invalid_argument", "body needs an integer \"seq\" and a string \"data\"");
    }
    Status s = c.AppendLog(p.at("lease"), (*body)["seq"].get<int64_t>(), (*body)["data"].get<std::string>());
    if (!s.ok()) return ReplyStatus(*w, s);
    ReplyJson(*w, 200, {{"ok", true}});
  });

  router.Add("POST", "/api/v1/agent/leases/{lease}/steps", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    if (!body->contains("steps") || !(*body)["steps"].is_array()) {
      return ReplyError(*w, 400, "invalid_argument", "body needs a \"steps\" array");
    }
    std::vector<store::Step> steps;
    try {
      for (const auto& j : (*body)["steps"]) {
        store::Step s;
        s.index = j.at("index").get<int>();
        s.digest = j.value("digest", "");
        s.name = j.value("name", "");
        s.cached = j.value("cached", false);
        if (j.contains("started_ms") && j["started_ms"].is_number()) s.started_at = j["started_ms"].get<int64_t>();
        if (j.contains("completed_ms") && j["completed_ms"].is_number()) s.completed_at = j["completed_ms"].get<int64_t>();
        if (j.contains("duration_ms") && j["duration_ms"].is_number()) s.duration_ms = j["duration_ms"].get<int64_t>();
        s.error = j.value("error", "");
        steps.push_back(std::move(s));
      }
    } catch (const nlohmann::json::exception& e) {
      return ReplyError(*w, 400, "invalid_argument", std::string("bad step: ") + e.what());
    }
    Status s = c.ReplaceSteps(p.at("lease"), steps);
    if (!s.ok()) return ReplyStatus(*w, s);
    ReplyJson(*w, 200, {{"ok", true}});
  });

  // On the workers: the image review scans the reported packages against the OSV database.
  router.AddOnWorkers("POST", "/api/v1/agent/leases/{lease}/finish", [&c](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAgent(req, c, *w)) return;
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    Status s = c.FinishJob(p.at("lease"), *body);
    if (!s.ok()) return ReplyStatus(*w, s);
    ReplyJson(*w, 200, {{"ok", true}});
  });
}

}  // namespace slipway::api
