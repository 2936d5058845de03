// Delivery identity and event type of a webhook request, read from the forge's headers.
//
//   GitHub  X-GitHub-Delivery    X-GitHub-Event  (push, ping, ...)
//   Gitea   X-Gitea-Delivery     X-Gitea-Event   (push, create, delete, ...)
//   GitLab  X-Gitlab-Event-UUID  X-Gitlab-Event  (Push Hook, Tag Push Hook, ...)
//
// The delivery id is what the store deduplicates on. When a forge sends none (older GitLab
// versions), the id is "body-sha256:<hex>" of the body, so an identical redelivery is still caught.
// Header values are hostile input: ids and event names must be 1..128 printable ASCII characters.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "webhooks/forge.h"

namespace slipway::webhooks {

struct DeliveryInfo {
  std::string id;             // the forge's delivery id, or "body-sha256:<hex>"
  bool id_from_body = false;  // true when the forge sent no delivery id
  std::string event;          // the forge's event name, as sent ("push", "Push Hook", "ping")
};

std::string_view DeliveryHeaderName(Forge forge);
std::string_view EventHeaderName(Forge forge);

// InvalidArgument when the event header is missing, or a header value is empty, too long or
// holds non-printable characters.
Result<DeliveryInfo> ReadDelivery(Forge forge, const HeaderList& headers, std::string_view body);

}  // namespace slipway::webhooks
