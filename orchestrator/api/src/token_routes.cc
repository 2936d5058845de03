// Tokens an admin issues (store/token_store.h): per-agent tokens under /api/v1/agent-tokens, bound
// to an agent's name and labels, and viewer or admin tokens under /api/v1/tokens. A token is in
// the answer to its creation only; lists show names, roles, labels and dates. Admin only
// (api/access.h).
#include <algorithm>
#include <cctype>

#include "api/access.h"
#include "api/replies.h"
#include "api/routes.h"
#include "common/json_text.h"
#include "protocol/agent_protocol.h"
#include "store/token_store.h"

namespace slipway::api {
namespace {

constexpr size_t kMaxTokenName = 128;

Status CheckName(const std::string& name) {
  bool fine =
      !name.empty() && name.size() <= kMaxTokenName &&
      std::all_of(name.begin(), name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
      });
  if (fine) return Status::Ok();
  return Status::InvalidArgument("\"name\" must be 1 to 128 of A-Z a-z 0-9 . _ -");
}

// {"labels": {"k": "v", ...}}: strings, as many and as long as an agent may claim.
Result<std::string> LabelsOf(const nlohmann::json& body) {
  auto labels = body.find("labels");
  if (labels == body.end()) return std::string("{}");
  bool fine = labels->is_object() && labels->size() <= protocol::kMaxLabels;
  for (auto it = labels->begin(); fine && it != labels->end(); ++it) {
    fine = it.key().size() <= protocol::kMaxNameBytes && !it.key().empty() &&
           it.value().is_string() &&
           it.value().get<std::string>().size() <= protocol::kMaxNameBytes;
  }
  if (!fine) {
    return Status::InvalidArgument("\"labels\" must be an object of at most " +
                                   std::to_string(protocol::kMaxLabels) +
                                   " string values, keys and values at most " +
                                   std::to_string(protocol::kMaxNameBytes) + " bytes");
  }
  return JsonText(*labels);
}

nlohmann::json TokenView(const store::AccessToken& t) {
  nlohmann::json out = {
      {"name", t.name},
      {"role", store::TokenRoleName(t.role)},
      {"created_at", t.created_at},
      {"revoked_at", t.revoked_at ? nlohmann::json(*t.revoked_at) : nlohmann::json()}};
  if (t.role == store::TokenRole::kAgent)
    out["labels"] = nlohmann::json::parse(t.labels_json, nullptr, false);
  return out;
}

// Makes a token from the request's body; `agent`: a per-agent token, else a viewer or admin one.
Result<nlohmann::json> Create(core::Coordinator& c, const std::string& body, bool agent) {
  Result<nlohmann::json> json = ParseJsonObject(body);
  if (!json.ok()) return json.status();
  auto name = json->find("name");
  if (name == json->end() || !name->is_string())
    return Status::InvalidArgument("\"name\" must be a string");
  store::NewAccessToken spec{.name = name->get<std::string>(), .role = store::TokenRole::kAgent};
  if (Status s = CheckName(spec.name); !s.ok()) return s;
  if (agent) {
    Result<std::string> labels = LabelsOf(*json);
    if (!labels.ok()) return labels.status();
    spec.labels_json = *labels;
  } else {
    auto role = json->find("role");
    std::optional<store::TokenRole> parsed =
        role != json->end() && role->is_string()
            ? store::TokenRoleFromName(role->get<std::string>())
            : std::nullopt;
    if (!parsed || *parsed == store::TokenRole::kAgent) {
      return Status::InvalidArgument("\"role\" must be \"viewer\" or \"admin\"");
    }
    spec.role = *parsed;
  }
  const std::string token = NewAccessToken();
  spec.token_sha256 = AccessTokenHash(token);
  store::TokenStore tokens(c.db());
  Result<store::AccessToken> made = tokens.Create(spec, c.Now());
  if (!made.ok()) return made.status();
  nlohmann::json out = TokenView(*made);
  out["token"] = token;
  return out;
}

void AddTokenRoutes(Router& router, core::Coordinator& c, const std::string& base, bool agent) {
  const std::string list_key = agent ? "agent_tokens" : "tokens";
  router.Add("POST", base, [&c, agent](const http::Request& req, const PathParams&, WriterPtr w) {
    Result<nlohmann::json> made = Create(c, req.body, agent);
    if (!made.ok()) return ReplyStatus(*w, made.status());
    ReplyJson(*w, 201, *made);
  });
  router.Add("GET", base,
             [&c, agent, list_key](const http::Request&, const PathParams&, WriterPtr w) {
               store::TokenStore tokens(c.db());
               auto list = tokens.List(agent);
               if (!list.ok()) return ReplyStatus(*w, list.status());
               nlohmann::json out = {{list_key, nlohmann::json::array()}};
               for (const auto& t : *list) out[list_key].push_back(TokenView(t));
               ReplyJson(*w, 200, out);
             });
  router.Add("DELETE", base + "/{name}",
             [&c, agent](const http::Request&, const PathParams& p, WriterPtr w) {
               store::TokenStore tokens(c.db());
               auto revoked = tokens.Revoke(p.at("name"), agent, c.Now());
               if (!revoked.ok()) return ReplyStatus(*w, revoked.status());
               if (agent) c.EndLeaseWaits(revoked->name);
               ReplyJson(*w, 200, TokenView(*revoked));
             });
}

}  // namespace

void RegisterTokenRoutes(Router& router, core::Coordinator& c) {
  AddTokenRoutes(router, c, "/api/v1/agent-tokens", true);
  AddTokenRoutes(router, c, "/api/v1/tokens", false);
}

}  // namespace slipway::api
