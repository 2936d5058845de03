// POST /hooks/{github|gitlab|gitea}: signature first (before any parsing), then the delivery id,
// then the decision; a push or pull request is stored durably (delivery + run together) before
// the 202; a closed pull request cancels its unfinished runs. On the
// router's workers: checking signatures hashes the whole body once per candidate secret.
#include "api/replies.h"
#include "api/routes.h"
#include "webhooks/delivery.h"
#include "webhooks/hook_decision.h"
#include "webhooks/signature.h"

namespace slipway::api {
namespace {

// What the coordinator needs of a delivery that starts a run: a branch or tag push, or a pull
// request (its run's branch is "pull/N", apart from every real branch's runs and tags).
core::PushIntake IntakeFor(const webhooks::HookDecision& decision, webhooks::Forge forge,
                           const webhooks::DeliveryInfo& delivery, const store::Repo& repo) {
  core::PushIntake intake{.forge = std::string(webhooks::ForgeName(forge)),
                          .delivery_id = delivery.id,
                          .event = delivery.event,
                          .repo_id = repo.id,
                          .repo = repo.name};
  if (decision.pull_request) {
    const webhooks::PullRequestEvent& pr = *decision.pull_request;
    intake.trigger = "pull_request";
    intake.branch = "pull/" + std::to_string(pr.number);
    intake.sha = pr.head_sha;
    intake.message = pr.title;
    intake.author = pr.author;
    intake.origin = {.pr_number = pr.number,
                     .pr_title = pr.title,
                     .pr_source_branch = pr.source_branch,
                     .pr_target_branch = pr.target_branch,
                     .pr_source_repo = pr.source_repo,
                     .pr_fork = pr.fork,
                     .web_url = pr.web_url};
    return intake;
  }
  const webhooks::PushEvent& push = *decision.push;
  intake.trigger = push.is_tag ? "tag" : "push";
  intake.branch = push.branch;
  intake.sha = push.after;
  intake.message = push.head_message;
  intake.author = push.head_author;
  if (push.paths_complete && !push.created) intake.changed_paths = push.changed_paths;
  intake.origin = {.tag = push.tag, .web_url = push.web_url, .before_sha = push.created ? "" : push.before};
  return intake;
}

}  // namespace

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
    const std::string* named = decision->push ? &decision->push->repo
                               : decision->pull_request ? &decision->pull_request->repo
                                                        : nullptr;
    if (named) {
      repo = nullptr;
      for (const auto& r : verified) {
        if (r.name == *named) repo = &r;
      }
      if (!repo) {
        return ReplyStatus(*w, Status::Unauthenticated("the signature does not match repository '" + *named + "'"));
      }
    }
    if (!decision->start_run) {
      std::string outcome = decision->close_pull_request ? "pull request closed" : decision->reason;
      Status recorded = coordinator.RecordIgnoredDelivery(std::string(webhooks::ForgeName(*forge)), delivery->id,
                                                          delivery->event, repo->id, outcome);
      if (!recorded.ok()) return ReplyStatus(*w, recorded);
      if (!decision->close_pull_request) {
        return ReplyJson(*w, 200, {{"status", "ignored"}, {"reason", decision->reason}});
      }
      auto canceled = coordinator.ClosePullRequest(repo->id, decision->pull_request->number);
      if (!canceled.ok()) return ReplyStatus(*w, canceled.status());
      return ReplyJson(*w, 200, {{"status", "closed"}, {"canceled_runs", *canceled}});
    }
    core::PushIntake intake = IntakeFor(*decision, *forge, *delivery, *repo);
    intake.body_sha256 = webhooks::Sha256Hex(req.body);
    auto answer = decision->pull_request ? coordinator.AcceptPullRequest(intake) : coordinator.AcceptPush(intake);
    if (!answer.ok()) return ReplyStatus(*w, answer.status());
    if (!answer->ignored.empty()) return ReplyJson(*w, 200, {{"status", "ignored"}, {"reason", answer->ignored}});
    if (answer->duplicate) {
      return ReplyJson(*w, 200, {{"run_id", answer->run_id}, {"duplicate", true}});
    }
    if (answer->held) return ReplyJson(*w, 202, {{"run_id", answer->run_id}, {"approval", "awaiting"}});
    ReplyJson(*w, 202, {{"run_id", answer->run_id}});
  });
}

}  // namespace slipway::api
