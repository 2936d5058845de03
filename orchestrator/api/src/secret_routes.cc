// Secrets, per repository and server-wide: set, list (names and dates only) and delete, all with
// the admin token. No answer ever carries a value.
#include "api/replies.h"
#include "api/routes.h"
#include "store/repo_store.h"
#include "store/secret_store.h"

namespace slipway::api {
namespace {

nlohmann::json SecretView(const store::SecretInfo& s, const std::string& scope) {
  return {{"name", s.name},
          {"scope", scope},
          {"protected", s.is_protected},
          {"created_at", s.created_at},
          {"updated_at", s.updated_at}};
}

// The scope a request names: a repository's id (by "{name...}"), or the server's (no name).
Result<store::SecretScope> ScopeOf(core::Coordinator& c, const PathParams& p) {
  auto name = p.find("name");
  if (name == p.end()) return store::SecretScope{};
  store::RepoStore repos(c.db());
  Result<store::Repo> repo = repos.GetByName(name->second);
  if (!repo.ok()) return repo.status();
  return store::SecretScope{repo->id};
}

// {"value": "...", "protected": false}: a non-empty string value, and an optional boolean.
Status ReadSecretBody(const std::string& body, std::string* value, bool* is_protected) {
  Result<nlohmann::json> json = ParseJsonObject(body);
  if (!json.ok()) return json.status();
  auto v = json->find("value");
  if (v == json->end() || !v->is_string()) return Status::InvalidArgument("\"value\" must be a string");
  *value = v->get<std::string>();
  auto p = json->find("protected");
  if (p != json->end() && !p->is_boolean()) return Status::InvalidArgument("\"protected\" must be true or false");
  *is_protected = p != json->end() && p->get<bool>();
  return Status::Ok();
}

void AddSecretRoutes(Router& router, core::Coordinator& c, const SecretBox& box, const std::string& base) {
  router.Add("PUT", base + "/{secret}", [&c, &box](const http::Request& req, const PathParams& p, WriterPtr w) {
    Result<store::SecretScope> scope = ScopeOf(c, p);
    if (!scope.ok()) return ReplyStatus(*w, scope.status());
    std::string value;
    bool is_protected = false;
    if (Status s = ReadSecretBody(req.body, &value, &is_protected); !s.ok()) return ReplyStatus(*w, s);
    store::SecretStore secrets(c.db(), box);
    if (Status s = secrets.Put(*scope, p.at("secret"), value, is_protected, c.Now()); !s.ok()) {
      return ReplyStatus(*w, s);
    }
    auto listed = secrets.List(*scope);
    if (!listed.ok()) return ReplyStatus(*w, listed.status());
    for (const auto& s : *listed) {
      if (s.name == p.at("secret")) return ReplyJson(*w, 200, SecretView(s, p.count("name") ? p.at("name") : "server"));
    }
    ReplyStatus(*w, Status::Internal("the secret was stored but cannot be listed"));
  });

  router.Add("GET", base, [&c, &box](const http::Request& req, const PathParams& p, WriterPtr w) {
    Result<store::SecretScope> scope = ScopeOf(c, p);
    if (!scope.ok()) return ReplyStatus(*w, scope.status());
    store::SecretStore secrets(c.db(), box);
    auto listed = secrets.List(*scope);
    if (!listed.ok()) return ReplyStatus(*w, listed.status());
    nlohmann::json out = {{"secrets", nlohmann::json::array()}};
    for (const auto& s : *listed) out["secrets"].push_back(SecretView(s, p.count("name") ? p.at("name") : "server"));
    ReplyJson(*w, 200, out);
  });

  router.Add("DELETE", base + "/{secret}", [&c, &box](const http::Request& req, const PathParams& p, WriterPtr w) {
    Result<store::SecretScope> scope = ScopeOf(c, p);
    if (!scope.ok()) return ReplyStatus(*w, scope.status());
    store::SecretStore secrets(c.db(), box);
    if (Status s = secrets.Delete(*scope, p.at("secret")); !s.ok()) return ReplyStatus(*w, s);
    w->Send({.status = 204});
  });
}

}  // namespace

void RegisterSecretRoutes(Router& router, core::Coordinator& c, const SecretBox& box) {
  AddSecretRoutes(router, c, box, "/api/v1/repos/{name...}/secrets");
  AddSecretRoutes(router, c, box, "/api/v1/secrets");
}

}  // namespace slipway::api
