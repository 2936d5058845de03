// What to do with an authenticated delivery: start a run for a push, or answer 200 with a reason
// and start nothing (ping, tag push, branch deletion, events Slipway does not build).
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
#include "webhooks/push_event.h"

namespace slipway::webhooks {

struct HookDecision {
  bool start_run = false;
  std::string reason;             // for ignored deliveries: "ping", "tag push", "branch deleted", ...
  std::optional<PushEvent> push;  // set when start_run, and for ignored pushes (tags, deletions)
};

// True for the event names that carry a push payload ("push", "Push Hook", "Tag Push Hook").
bool IsPushEvent(Forge forge, std::string_view event);

Result<HookDecision> DecideHook(Forge forge, std::string_view event, std::string_view body);

}  // namespace slipway::webhooks
