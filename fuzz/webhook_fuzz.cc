// Fuzzes what a webhook body goes through once its signature has passed: the push and pull request
// payload readers of the three forges and the decision made from them, with every event name that
// carries one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "webhooks/delivery.h"
#include "webhooks/forge.h"
#include "webhooks/hook_decision.h"
#include "webhooks/pull_request_event.h"
#include "webhooks/push_event.h"

using namespace slipway::webhooks;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (Forge forge : {Forge::kGitHub, Forge::kGitLab, Forge::kGitea}) {
    (void)ParsePushEvent(forge, body);
    (void)ParsePullRequestEvent(forge, body);
    for (std::string_view event : {"push", "Push Hook", "Tag Push Hook", "pull_request", "Merge Request Hook", "ping"}) {
      (void)DecideHook(forge, event, body);
    }
    // The body's bytes as header values: ids and event names are hostile too.
    HeaderList headers = {{std::string(DeliveryHeaderName(forge)), std::string(body.substr(0, 200))},
                          {std::string(EventHeaderName(forge)), std::string(body.substr(size / 2, 200))}};
    (void)ReadDelivery(forge, headers, body);
  }
  return 0;
}
