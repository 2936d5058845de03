#include "webhooks/hook_decision.h"

#include <utility>

namespace slipway::webhooks {

bool IsPushEvent(Forge forge, std::string_view event) {
  if (forge == Forge::kGitLab) return event == "Push Hook" || event == "Tag Push Hook";
  return event == "push";
}

Result<HookDecision> DecideHook(Forge forge, std::string_view event, std::string_view body) {
  HookDecision decision;
  if (event == "ping") {
    decision.reason = "ping";
    return decision;
  }
  if (IsPullRequestEvent(forge, event)) {
    Result<PullRequestEvent> pr = ParsePullRequestEvent(forge, body);
    if (!pr.ok()) return pr.status();
    decision.start_run = pr->what == PullRequestAction::kBuild;
    decision.close_pull_request = pr->what == PullRequestAction::kClose;
    if (pr->what == PullRequestAction::kOther) {
      decision.reason = "pull request action \"" + pr->action + "\" does not start runs";
    }
    decision.pull_request = std::move(*pr);
    return decision;
  }
  if (!IsPushEvent(forge, event)) {
    decision.reason = "event \"" + std::string(event) + "\" does not start runs";
    return decision;
  }
  Result<PushEvent> push = ParsePushEvent(forge, body);
  if (!push.ok()) return push.status();
  if (push->deleted) {
    decision.reason = push->is_tag ? "tag deleted" : "branch deleted";
  } else {
    decision.start_run = true;
  }
  decision.push = std::move(*push);
  return decision;
}

}  // namespace slipway::webhooks
