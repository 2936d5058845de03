// Repositories, agents, image size history, health, metrics and the global event stream.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "api/replies.h"
#include "api/routes.h"
#include "common/git_auth.h"
#include "common/json_text.h"
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
  if (auto stored = store::RepoStore(c.db()).GetByName(name); stored.ok()) policy = stored->policy;
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

}  // namespace

void RegisterResourceRoutes(Router& router, core::Coordinator& c) {
  router.Add("GET", "/healthz", [](const http::Request&, const PathParams&, WriterPtr w) {
    ReplyJson(*w, 200, {{"ok", true}});
  });

  router.Add("GET", "/metrics", [&c](const http::Request&, const PathParams&, WriterPtr w) {
    std::string text;
    // Held in a local: items() refers into the object, which must outlive the loop.
    const nlohmann::json metrics = c.Metrics();
    for (const auto& [name, value] : metrics.items()) {
      text += "# TYPE " + name + (name.size() > 6 && name.ends_with("_total") ? " counter\n" : " gauge\n");
      text += name + " " + JsonText(value) + "\n";
    }
    w->Send({.status = 200, .content_type = "text/plain; version=0.0.4", .body = text});
  });

  router.Add("GET", "/api/v1/events", [&c](const http::Request&, const PathParams&, WriterPtr w) {
    c.hub().Subscribe("events", w);
  });

  router.Add("GET", "/api/v1/repos", [&c](const http::Request&, const PathParams&, WriterPtr w) {
    store::RepoStore repos(c.db());
    auto list = repos.List();
    if (!list.ok()) return ReplyStatus(*w, list.status());
    nlohmann::json out = {{"repos", nlohmann::json::array()}};
    for (const auto& r : *list) out["repos"].push_back(core::RepoView(r));
    ReplyJson(*w, 200, out);
  });

  router.Add("POST", "/api/v1/repos", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    if (!HasBearer(req, c.config().admin_token)) {
      return ReplyError(*w, 401, "unauthenticated", "this call needs the admin token (Authorization: Bearer ...)");
    }
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    for (const char* key : {"name", "clone_url", "forge", "secret"}) {
      if (!body->contains(key) || !(*body)[key].is_string() || (*body)[key].get<std::string>().empty()) {
        return ReplyError(*w, 400, "invalid_argument", std::string("\"") + key + "\" must be a non-empty string");
      }
    }
    std::string name = (*body)["name"], forge = (*body)["forge"];
    if (Status s = webhooks::ValidateRepoName(name); !s.ok()) return ReplyStatus(*w, s);
    if (Status s = CheckCloneUrl((*body)["clone_url"].get<std::string>()); !s.ok()) return ReplyStatus(*w, s);
    if (!webhooks::ForgeFromName(forge)) {
      return ReplyError(*w, 400, "invalid_argument", "\"forge\" must be github, gitlab or gitea");
    }
    store::RepoSpec spec{.name = name, .forge = forge, .clone_url = (*body)["clone_url"], .secret = (*body)["secret"],
                         .default_branch = std::nullopt};
    if (body->contains("default_branch")) {
      const auto& branch = (*body)["default_branch"];
      if (!branch.is_string()) return ReplyError(*w, 400, "invalid_argument", "\"default_branch\" must be a string");
      if (Status s = webhooks::ValidateBranchName(branch.get<std::string>()); !s.ok()) {
        return ReplyStatus(*w, s.Annotate("default_branch"));
      }
      spec.default_branch = branch.get<std::string>();
    }
    auto policy = PolicyFromBody(*body, c, name);
    if (!policy.ok()) return ReplyStatus(*w, policy.status());
    spec.policy = *policy;
    store::RepoStore repos(c.db());
    auto repo = repos.Upsert(spec, c.Now());
    if (!repo.ok()) return ReplyStatus(*w, repo.status());
    ReplyJson(*w, 201, core::RepoView(*repo));
  });

  router.Add("GET", "/api/v1/agents", [&c](const http::Request&, const PathParams&, WriterPtr w) {
    store::AgentStore agents(c.db());
    auto list = agents.List();
    if (!list.ok()) return ReplyStatus(*w, list.status());
    store::JobStore jobs(c.db());
    auto leased = jobs.ListLeased();
    if (!leased.ok()) return ReplyStatus(*w, leased.status());
    std::map<std::string, std::vector<store::LeasedJob>> running;
    for (auto& job : *leased) running[job.agent].push_back(std::move(job));
    nlohmann::json out = {{"agents", nlohmann::json::array()}};
    for (const auto& a : *list) out["agents"].push_back(core::AgentView(a, running[a.name], c.Now()));
    ReplyJson(*w, 200, out);
  });

  router.Add("GET", "/api/v1/images", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    std::string repo_name = req.Query("repo"), stage = req.Query("stage");
    if (repo_name.empty() || stage.empty()) {
      return ReplyError(*w, 400, "invalid_argument", "size history needs ?repo=OWNER/NAME&stage=STAGE");
    }
    store::RepoStore repos(c.db());
    auto repo = repos.GetByName(repo_name);
    if (!repo.ok()) return ReplyStatus(*w, repo.status());
    std::optional<std::string> branch;
    if (auto b = req.Query("branch"); !b.empty()) branch = b;
    store::ImageStore images(c.db());
    auto list = images.History(repo->id, stage, branch, 200);
    if (!list.ok()) return ReplyStatus(*w, list.status());
    nlohmann::json out = {{"images", nlohmann::json::array()}};
    for (const auto& i : *list) out["images"].push_back(core::ImageView(i));
    ReplyJson(*w, 200, out);
  });

  router.AddOnWorkers("GET", "/api/v1/images/{digest}", [&c](const http::Request&, const PathParams& p, WriterPtr w) {
    store::ImageStore images(c.db());
    auto image = images.Get(p.at("digest"));
    if (!image.ok()) return ReplyStatus(*w, image.status());
    ReplyJson(*w, 200, core::ImageDetailView(c.db(), *image));
  });

  router.AddOnWorkers("GET", "/api/v1/images/{digest}/sbom", [&c](const http::Request&, const PathParams& p, WriterPtr w) {
    auto sbom = core::ImageSbom(c.db(), p.at("digest"));
    if (!sbom.ok()) return ReplyStatus(*w, sbom.status());
    ReplyJson(*w, 200, *sbom);
  });
}

}  // namespace slipway::api
