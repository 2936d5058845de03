#include "api/routes.h"
#include "webhooks/signature.h"

namespace slipway::api {

bool HasBearer(const http::Request& request, const std::string& token) {
  constexpr std::string_view kPrefix = "Bearer ";
  std::string header = request.Header("Authorization");
  if (token.empty() || header.size() <= kPrefix.size() || header.compare(0, kPrefix.size(), kPrefix) != 0) {
    return false;
  }
  return webhooks::SameSecret(std::string_view(header).substr(kPrefix.size()), token);
}

}  // namespace slipway::api
