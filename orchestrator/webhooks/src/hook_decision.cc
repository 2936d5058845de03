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
  if (!IsPushEvent(forge, event)) {
    decision.reason = "event \"" + std::string(event) + "\" does not start runs";
    return decision;
  }
  Result<PushEvent> push = ParsePushEvent(forge, body);
  if (!push.ok()) return push.status();
  if (push->is_tag) {
    decision.reason = "tag push";
  } else if (push->deleted) {
    decision.reason = "branch deleted";
  } else {
    decision.start_run = true;
  }
  decision.push = std::move(*push);
  return decision;
}

}  // namespace slipway::webhooks
