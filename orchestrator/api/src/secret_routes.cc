// Secrets, per repository and server-wide: set, list (names and dates only) and delete, all with
// the admin token. No answer ever carries a value.
#include "api/replies.h"
#include "api/routes.h"
#include "core/secret_admin.h"

namespace slipway::api {
namespace {

nlohmann::json SecretView(const store::SecretInfo& s, const std::string& scope) {
  return {{"name", s.name},
          {"scope", scope},
          {"protected", s.is_protected},
          {"created_at", s.created_at},
          {"updated_at", s.updated_at}};
}

bool RequireAdmin(const http::Request& req, core::Coordinator& c, http::ResponseWriter& w) {
  if (HasBearer(req, c.config().admin_token)) return true;
  ReplyStatus(w, Status::Unauthenticated("secrets need the admin token (Authorization: Bearer ...)"));
  return false;
}

// The repository a request names by "{name...}", or "" for the server's secrets.
std::string RepoOf(const PathParams& p) { return p.count("name") ? p.at("name") : ""; }

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

void AddSecretRoutes(Router& router, core::Coordinator& c, std::shared_ptr<core::SecretAdmin> secrets,
                     const std::string& base) {
  router.Add("PUT", base + "/{secret}", [&c, secrets](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAdmin(req, c, *w)) return;
    std::string value;
    bool is_protected = false;
    if (Status s = ReadSecretBody(req.body, &value, &is_protected); !s.ok()) return ReplyStatus(*w, s);
    auto stored = secrets->Put(RepoOf(p), p.at("secret"), value, is_protected, c.Now());
    if (!stored.ok()) return ReplyStatus(*w, stored.status());
    ReplyJson(*w, 200, SecretView(*stored, p.count("name") ? p.at("name") : "server"));
  });

  router.Add("GET", base, [&c, secrets](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAdmin(req, c, *w)) return;
    auto listed = secrets->List(RepoOf(p));
    if (!listed.ok()) return ReplyStatus(*w, listed.status());
    nlohmann::json out = {{"secrets", nlohmann::json::array()}};
    for (const auto& s : *listed) out["secrets"].push_back(SecretView(s, p.count("name") ? p.at("name") : "server"));
    ReplyJson(*w, 200, out);
  });

  router.Add("DELETE", base + "/{secret}", [&c, secrets](const http::Request& req, const PathParams& p, WriterPtr w) {
    if (!RequireAdmin(req, c, *w)) return;
    if (Status s = secrets->Delete(RepoOf(p), p.at("secret")); !s.ok()) return ReplyStatus(*w, s);
    w->Send({.status = 204});
  });
}

}  // namespace

void RegisterSecretRoutes(Router& router, core::Coordinator& c, const SecretBox& box) {
  auto secrets = std::make_shared<core::SecretAdmin>(c.db(), box);
  AddSecretRoutes(router, c, secrets, "/api/v1/repos/{name...}/secrets");
  AddSecretRoutes(router, c, secrets, "/api/v1/secrets");
}

}  // namespace slipway::api
