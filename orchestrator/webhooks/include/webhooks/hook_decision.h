// What to do with an authenticated delivery: start a run for a branch or tag push or a pull
// request opened or updated, cancel a closed pull request's runs, or answer 200 with a reason and
// start nothing (ping, a deleted branch or tag, other pull request actions, other events).
//
// Call order in the HTTP layer: VerifySignature → ReadDelivery → dedupe → DecideHook.
// A body that is a push but malformed gives an error Status (400); everything else is a decision.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "webhooks/forge.h"
#include "webhooks/pull_request_event.h"
#include "webhooks/push_event.h"

namespace slipway::webhooks {

struct HookDecision {
  bool start_run = false;
  bool close_pull_request = false;  // a pull request closed (or merged): cancel its unfinished runs
  std::string reason;  // for ignored deliveries: "ping", "tag deleted", "branch deleted", ...
  std::optional<PushEvent> push;  // for push events (started or deleted)
  std::optional<PullRequestEvent> pull_request;  // for pull request events, whatever the action
};

// True for the event names that carry a push payload ("push", "Push Hook", "Tag Push Hook").
bool IsPushEvent(Forge forge, std::string_view event);

Result<HookDecision> DecideHook(Forge forge, std::string_view event, std::string_view body);

}  // namespace slipway::webhooks
