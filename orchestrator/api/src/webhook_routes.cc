// POST /hooks/{github|gitlab|gitea}: signature first (before any parsing), then the delivery id,
// then the decision; a push is stored durably (delivery + run together) before the 202. On the
// router's workers: checking signatures hashes the whole body once per candidate secret.
#include "api/replies.h"
#include "api/routes.h"
#include "webhooks/delivery.h"
#include "webhooks/hook_decision.h"
#include "webhooks/signature.h"

namespace slipway::api {

void RegisterWebhookRoutes(Router& router, core::Coordinator& coordinator) {
  router.AddOnWorkers("POST", "/hooks/{forge}", [&coordinator](const http::Request& req, const PathParams& params,
                                                     std::shared_ptr<http::ResponseWriter> w) {
    auto forge = webhooks::ForgeFromName(params.at("forge"));
    if (!forge) return ReplyStatus(*w, Status::NotFound("unknown forge '" + params.at("forge") + "'"));
    auto all = coordinator.queries().Repos();
    if (!all.ok()) return ReplyStatus(*w, all.status());
    // The body names the repository, but it may not be read before the signature is checked: so
    // the signature is checked against each candidate's secret (one repo when ?repo= names it).
    std::string only = req.Query("repo");
    std::vector<store::Repo> verified;
    Status last = Status::Unauthenticated("no repository is registered for " + params.at("forge") + " webhooks");
    for (const auto& repo : *all) {
      if (repo.forge != webhooks::ForgeName(*forge) || (!only.empty() && repo.name != only)) continue;
      Status s = webhooks::VerifySignature(*forge, req.headers, req.body, repo.secret);
      if (s.ok()) verified.push_back(repo);
      else last = s;
    }
    if (verified.empty()) return ReplyStatus(*w, last);
    if (Status s = CheckJsonDepth(req.body); !s.ok()) return ReplyStatus(*w, s);

    auto delivery = webhooks::ReadDelivery(*forge, req.headers, req.body);
    if (!delivery.ok()) return ReplyStatus(*w, delivery.status());
    auto decision = webhooks::DecideHook(*forge, delivery->event, req.body);
    if (!decision.ok()) return ReplyStatus(*w, decision.status());

    const store::Repo* repo = &verified.front();
    if (decision->push) {
      repo = nullptr;
      for (const auto& r : verified) {
        if (r.name == decision->push->repo) repo = &r;
      }
      if (!repo) {
        return ReplyStatus(*w, Status::Unauthenticated("the signature does not match repository '" +
                                                       decision->push->repo + "'"));
      }
    }
    if (!decision->start_run) {
      Status recorded = coordinator.RecordIgnoredDelivery(std::string(webhooks::ForgeName(*forge)), delivery->id,
                                                          delivery->event, repo->id, decision->reason);
      if (!recorded.ok()) return ReplyStatus(*w, recorded);
      return ReplyJson(*w, 200, {{"status", "ignored"}, {"reason", decision->reason}});
    }
    const auto& push = *decision->push;
    core::PushIntake intake{.forge = std::string(webhooks::ForgeName(*forge)),
                            .delivery_id = delivery->id,
                            .event = delivery->event,
                            .repo_id = repo->id,
                            .repo = repo->name,
                            .branch = push.branch,
                            .sha = push.after,
                            .message = push.head_message,
                            .author = push.head_author,
                            .changed_paths = std::nullopt,
                            .body_sha256 = webhooks::Sha256Hex(req.body)};
    if (push.paths_complete && !push.created) intake.changed_paths = push.changed_paths;
    auto answer = coordinator.AcceptPush(intake);
    if (!answer.ok()) return ReplyStatus(*w, answer.status());
    if (answer->duplicate) {
      return ReplyJson(*w, 200, {{"run_id", answer->run_id}, {"duplicate", true}});
    }
    ReplyJson(*w, 202, {{"run_id", answer->run_id}});
  });
}

}  // namespace slipway::api
