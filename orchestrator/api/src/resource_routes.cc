// Repositories, agents, image size history, health, metrics and the global event stream.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "api/replies.h"
#include "api/routes.h"
#include "api/sinks.h"
#include "common/git_auth.h"
#include "common/json_text.h"
#include "core/forge_messages.h"
#include "core/forge_requests.h"
#include "core/badge.h"
#include "core/image_details.h"
#include "core/publish_policy.h"
#include "core/views.h"
#include "webhooks/forge.h"
#include "webhooks/ref_name.h"

namespace slipway::api {
namespace {

// The publish policy fields of a repository body (core/publish_policy.h): each given one replaces
// the stored list, the others keep theirs. nullopt when the body names none.
Result<std::optional<store::PublishPolicy>> PolicyFromBody(const nlohmann::json& body, core::Coordinator& c,
                                                           const std::string& name) {
  store::PublishPolicy policy;
  bool any = false;
  if (auto stored = c.queries().Repo(name); stored.ok()) policy = stored->policy;
  for (auto [key, field] : {std::pair{"image_prefixes", &store::PublishPolicy::image_prefixes},
                            std::pair{"protected_tags", &store::PublishPolicy::protected_tags},
                            std::pair{"protected_branches", &store::PublishPolicy::protected_branches},
                            std::pair{"agent_labels", &store::PublishPolicy::agent_labels}}) {
    if (!body.contains(key)) continue;
    const auto& list = body[key];
    bool strings = list.is_array() && std::all_of(list.begin(), list.end(), [](const auto& v) { return v.is_string(); });
    if (!strings) return Status::InvalidArgument(std::string("\"") + key + "\" must be an array of strings");
    policy.*field = list.get<std::vector<std::string>>();
    any = true;
  }
  if (!any) return std::optional<store::PublishPolicy>();
  if (Status s = core::ValidatePublishPolicy(policy); !s.ok()) return s;
  return std::optional<store::PublishPolicy>(policy);
}

// Where Slipway reports back (docs/forges.md): each of api_url, notify_url and notify_events given
// replaces the stored one ("" and [] clear), the others keep theirs. nullopt when none is given.
Result<std::optional<store::ForgeLinks>> LinksFromBody(const nlohmann::json& body,
                                                       core::Coordinator& c,
                                                       const std::string& name) {
  store::ForgeLinks links;
  if (auto stored = c.queries().Repo(name); stored.ok()) links = stored->links;
  bool any = false;
  for (auto [key, field, check] :
       {std::tuple{"api_url", &store::ForgeLinks::api_url, &core::ValidateApiUrl},
        std::tuple{"notify_url", &store::ForgeLinks::notify_url, &core::ValidateNotifyUrl}}) {
    if (!body.contains(key)) continue;
    if (!body[key].is_string())
      return Status::InvalidArgument(std::string("\"") + key + "\" must be a string");
    std::string url = body[key].get<std::string>();
    while (url.ends_with('/')) url.pop_back();
    if (!url.empty()) {
      if (Status s = check(url); !s.ok()) return s;
    }
    links.*field = url;
    any = true;
  }
  if (body.contains("notify_events")) {
    const auto& events = body["notify_events"];
    if (!events.is_array())
      return Status::InvalidArgument("\"notify_events\" must be an array of event names");
    links.notify_events.clear();
    for (const auto& e : events) {
      if (!e.is_string() || !core::IsNotifyEvent(e.get<std::string>())) {
        return Status::InvalidArgument("\"notify_events\" holds " + e.dump() +
                                       ", not run.finished, run.failed or base_update.started");
      }
      links.notify_events.push_back(e.get<std::string>());
    }
    any = true;
  }
  if (!any) return std::optional<store::ForgeLinks>();
  return std::optional<store::ForgeLinks>(links);
}


// A repository body: name, clone_url, forge, secret, and optionally default_branch and the
// publish policy's lists.
Result<store::RepoSpec> RepoSpecOf(const nlohmann::json& body, core::Coordinator& c) {
  for (const char* key : {"name", "clone_url", "forge", "secret"}) {
    if (!body.contains(key) || !body[key].is_string() || body[key].get<std::string>().empty()) {
      return Status::InvalidArgument(std::string("\"") + key + "\" must be a non-empty string");
    }
  }
  std::string name = body["name"], forge = body["forge"];
  if (Status s = webhooks::ValidateRepoName(name); !s.ok()) return s;
  if (Status s = CheckCloneUrl(body["clone_url"].get<std::string>()); !s.ok()) return s;
  if (!webhooks::ForgeFromName(forge)) return Status::InvalidArgument("\"forge\" must be github, gitlab or gitea");
  store::RepoSpec spec{.name = name, .forge = forge, .clone_url = body["clone_url"], .secret = body["secret"],
                       .default_branch = std::nullopt};
  if (body.contains("default_branch")) {
    const auto& branch = body["default_branch"];
    if (!branch.is_string()) return Status::InvalidArgument("\"default_branch\" must be a string");
    if (Status s = webhooks::ValidateBranchName(branch.get<std::string>()); !s.ok()) return s.Annotate("default_branch");
    spec.default_branch = branch.get<std::string>();
  }
  auto policy = PolicyFromBody(body, c, name);
  if (!policy.ok()) return policy.status();
  spec.policy = *policy;
  if (body.contains("fork_pull_requests")) {
    const auto& forks = body["fork_pull_requests"];
    if (forks != "run" && forks != "approve" && forks != "ignore") {
      return Status::InvalidArgument("\"fork_pull_requests\" must be run, approve or ignore");
    }
    spec.fork_pull_requests = forks.get<std::string>();
  }
  auto links = LinksFromBody(body, c, name);
  if (!links.ok()) return links.status();
  spec.links = *links;
  return spec;
}

// The metrics in Prometheus' text format: counters end in _total, the rest are gauges.
std::string MetricsText(const nlohmann::json& metrics) {
  std::string text;
  for (const auto& [name, value] : metrics.items()) {
    text += "# TYPE " + name + (name.size() > 6 && name.ends_with("_total") ? " counter\n" : " gauge\n");
    text += name + " " + JsonText(value) + "\n";
  }
  return text;
}

// Health, metrics, the global event stream and the agents.
void AddServerRoutes(Router& router, core::Coordinator& c) {
  router.Add("GET", "/healthz", [](const http::Request&, const PathParams&, WriterPtr w) {
    ReplyJson(*w, 200, {{"ok", true}});
  });

  router.Add("GET", "/metrics", [&c](const http::Request&, const PathParams&, WriterPtr w) {
    w->Send({.status = 200, .content_type = "text/plain; version=0.0.4", .body = MetricsText(c.Metrics())});
  });

  router.Add("GET", "/api/v1/events", [&c](const http::Request&, const PathParams&, WriterPtr w) {
    w->BeginStream(200, "text/event-stream");
    c.hub().Subscribe("events", EventSinkOn(w));
  });

  // A status badge: the newest finished run of the branch (default: the repository's default
  // branch), as SVG. Cached briefly, so a README that shows it does not ask on every view.
  router.Add("GET", "/api/v1/repos/{name...}/badge.svg", [&c](const http::Request& req, const PathParams& p,
                                                             WriterPtr w) {
    std::optional<std::string> branch;
    if (!req.Query("branch").empty()) {
      if (Status s = webhooks::ValidateBranchName(req.Query("branch")); !s.ok()) return ReplyStatus(*w, s.Annotate("branch"));
      branch = req.Query("branch");
    }
    auto status = c.queries().BranchStatus(p.at("name"), branch);
    if (!status.ok()) return ReplyStatus(*w, status.status());
    w->Send({.status = 200,
             .content_type = "image/svg+xml; charset=utf-8",
             .body = core::BadgeSvg("slipway", *status ? std::string(RunStatusName(**status)) : "unknown"),
             .headers = {{"Cache-Control", "max-age=60, must-revalidate"}}});
  });

  router.Add("GET", "/api/v1/agents", [&c](const http::Request&, const PathParams&, WriterPtr w) {
    auto agents = c.queries().AgentList(c.Now());
    if (!agents.ok()) return ReplyStatus(*w, agents.status());
    ReplyJson(*w, 200, *agents);
  });
}

void AddRepoRoutes(Router& router, core::Coordinator& c) {
  router.Add("GET", "/api/v1/repos", [&c](const http::Request&, const PathParams&, WriterPtr w) {
    auto repos = c.queries().RepoList();
    if (!repos.ok()) return ReplyStatus(*w, repos.status());
    ReplyJson(*w, 200, *repos);
  });

  router.Add("POST", "/api/v1/repos", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    auto spec = RepoSpecOf(*body, c);
    if (!spec.ok()) return ReplyStatus(*w, spec.status());
    auto repo = c.SaveRepo(*spec);
    if (!repo.ok()) return ReplyStatus(*w, repo.status());
    ReplyJson(*w, 201, core::RepoView(*repo));
  });
}

// Image size history, an image's analysis and its SBOM.
void AddImageRoutes(Router& router, core::Coordinator& c) {
  router.Add("GET", "/api/v1/images", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    std::string repo_name = req.Query("repo"), stage = req.Query("stage");
    if (repo_name.empty() || stage.empty()) {
      return ReplyStatus(*w, Status::InvalidArgument("size history needs ?repo=OWNER/NAME&stage=STAGE"));
    }
    std::optional<std::string> branch;
    if (auto b = req.Query("branch"); !b.empty()) branch = b;
    auto images = c.queries().ImageHistory(repo_name, stage, branch);
    if (!images.ok()) return ReplyStatus(*w, images.status());
    ReplyJson(*w, 200, *images);
  });

  router.AddOnWorkers("GET", "/api/v1/images/{digest}", [&c](const http::Request&, const PathParams& p, WriterPtr w) {
    auto image = c.queries().ImageDetail(p.at("digest"));
    if (!image.ok()) return ReplyStatus(*w, image.status());
    ReplyJson(*w, 200, *image);
  });

  router.AddOnWorkers("GET", "/api/v1/images/{digest}/sbom", [&c](const http::Request&, const PathParams& p, WriterPtr w) {
    auto sbom = c.queries().ImageSbom(p.at("digest"));
    if (!sbom.ok()) return ReplyStatus(*w, sbom.status());
    ReplyJson(*w, 200, *sbom);
  });
}

}  // namespace

void RegisterResourceRoutes(Router& router, core::Coordinator& c) {
  AddServerRoutes(router, c);
  AddRepoRoutes(router, c);
  AddImageRoutes(router, c);
}

}  // namespace slipway::api
