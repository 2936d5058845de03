#include "webhooks/delivery.h"

#include <optional>

#include "webhooks/signature.h"

namespace slipway::webhooks {
namespace {

constexpr std::size_t kMaxHeaderValue = 128;

Status CheckValue(std::string_view header, std::string_view value) {
  if (value.empty()) return Status::InvalidArgument(std::string(header) + " is empty");
  if (value.size() > kMaxHeaderValue) {
    return Status::InvalidArgument(std::string(header) + " is longer than 128 characters");
  }
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) {
      return Status::InvalidArgument(std::string(header) + " holds a non-printable character");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view DeliveryHeaderName(Forge forge) {
  switch (forge) {
    case Forge::kGitHub: return "X-GitHub-Delivery";
    case Forge::kGitLab: return "X-Gitlab-Event-UUID";
    case Forge::kGitea: return "X-Gitea-Delivery";
  }
  return "X-GitHub-Delivery";
}

std::string_view EventHeaderName(Forge forge) {
  switch (forge) {
    case Forge::kGitHub: return "X-GitHub-Event";
    case Forge::kGitLab: return "X-Gitlab-Event";
    case Forge::kGitea: return "X-Gitea-Event";
  }
  return "X-GitHub-Event";
}

Result<DeliveryInfo> ReadDelivery(Forge forge, const HeaderList& headers, std::string_view body) {
  DeliveryInfo info;
  std::string_view event_header = EventHeaderName(forge);
  std::optional<std::string_view> event = FindHeader(headers, event_header);
  if (!event) return Status::InvalidArgument("missing " + std::string(event_header) + " header");
  if (Status s = CheckValue(event_header, *event); !s.ok()) return s;
  info.event = std::string(*event);

  std::string_view id_header = DeliveryHeaderName(forge);
  std::optional<std::string_view> id = FindHeader(headers, id_header);
  if (id) {
    if (Status s = CheckValue(id_header, *id); !s.ok()) return s;
    info.id = std::string(*id);
  } else {
    info.id = "body-sha256:" + Sha256Hex(body);
    info.id_from_body = true;
  }
  return info;
}

}  // namespace slipway::webhooks
