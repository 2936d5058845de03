#include <openssl/crypto.h>

#include "api/routes.h"
#include "webhooks/signature.h"

namespace slipway::api {

bool HasBearer(const http::Request& request, const std::string& token) {
  constexpr std::string_view kPrefix = "Bearer ";
  std::string header = request.Header("Authorization");
  if (token.empty() || header.size() <= kPrefix.size() || header.compare(0, kPrefix.size(), kPrefix) != 0) {
    return false;
  }
  // Digests have a fixed length, so the comparison's time tells nothing about the token.
  std::string given = webhooks::Sha256Hex(std::string_view(header).substr(kPrefix.size()));
  std::string expected = webhooks::Sha256Hex(token);
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace slipway::api
