// Base checks: POST /api/v1/base-checks {"repo": "owner/app"} checks the repository's bases now
// (core/base_watch.h) and answers with what it found, naming the base-update runs it started.
#include "api/replies.h"
#include "api/routes.h"
#include "webhooks/ref_name.h"

namespace slipway::api {

void RegisterBaseRoutes(Router& router, core::Coordinator& c) {
  router.Add("POST", "/api/v1/base-checks", [&c](const http::Request& req, const PathParams&, WriterPtr w) {
    if (!HasBearer(req, c.config().admin_token)) {
      return ReplyStatus(*w, Status::Unauthenticated("this call needs the admin token (Authorization: Bearer ...)"));
    }
    auto body = ParseJsonObject(req.body);
    if (!body.ok()) return ReplyStatus(*w, body.status());
    if (!body->contains("repo") || !(*body)["repo"].is_string()) {
      return ReplyStatus(*w, Status::InvalidArgument("body needs a string field \"repo\""));
    }
    std::string repo = (*body)["repo"];
    if (Status s = webhooks::ValidateRepoName(repo); !s.ok()) return ReplyStatus(*w, s);
    // Answered from the checker's thread once docker and the registries have been asked.
    c.CheckBases(repo, [w](Result<nlohmann::json> report) {
      if (!report.ok()) return ReplyStatus(*w, report.status());
      ReplyJson(*w, 200, *report);
    });
  });
}

}  // namespace slipway::api
