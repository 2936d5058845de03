#include "webhooks/signature.h"

#include <array>
#include <cstddef>
#include <optional>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "common/strings.h"

namespace slipway::webhooks {
namespace {

using Digest = std::array<unsigned char, SHA256_DIGEST_LENGTH>;

Digest Hmac(std::string_view key, std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

Digest Sha256(std::string_view data) {
  Digest out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::string ToHex(const Digest& d) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes exactly 64 hex digits; nullopt for anything else.
std::optional<Digest> FromHex(std::string_view hex) {
  if (hex.size() != SHA256_DIGEST_LENGTH * 2) return std::nullopt;
  Digest d{};
  for (std::size_t i = 0; i < d.size(); ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return d;
}

bool SameDigest(const Digest& a, const Digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The single value of header `name`, or an Unauthenticated status.
Result<std::string_view> SingleHeader(const HeaderList& headers, std::string_view name) {
  int count = CountHeader(headers, name);
  if (count == 0) return Status::Unauthenticated("missing " + std::string(name) + " header");
  if (count > 1) return Status::Unauthenticated("repeated " + std::string(name) + " header");
  return *FindHeader(headers, name);
}

Status VerifyHmacHeader(std::string_view header_name, std::string_view value,
                        std::string_view prefix, std::string_view body, std::string_view secret) {
  if (value.substr(0, prefix.size()) != prefix) {
    return Status::Unauthenticated(std::string(header_name) + " must start with \"" +
                                   std::string(prefix) + "\"");
  }
  std::optional<Digest> sent = FromHex(value.substr(prefix.size()));
  if (!sent) {
    return Status::Unauthenticated(std::string(header_name) + " must hold 64 hex digits" +
                                   (prefix.empty() ? "" : " after \"" + std::string(prefix) + "\""));
  }
  if (!SameDigest(*sent, Hmac(secret, body))) {
    return Status::Unauthenticated(std::string(header_name) + " does not match the body");
  }
  return Status::Ok();
}

}  // namespace

std::string_view SignatureHeaderName(Forge forge) {
  switch (forge) {
    case Forge::kGitHub: return "X-Hub-Signature-256";
    case Forge::kGitLab: return "X-Gitlab-Token";
    case Forge::kGitea: return "X-Gitea-Signature";
  }
  return "X-Hub-Signature-256";
}

Status VerifySignature(Forge forge, const HeaderList& headers, std::string_view body,
                       std::string_view secret) {
  if (secret.empty()) {
    return Status::Unauthenticated("no webhook secret is configured for " +
                                   std::string(ForgeName(forge)));
  }
  std::string_view name = SignatureHeaderName(forge);
  Result<std::string_view> value = SingleHeader(headers, name);
  if (!value.ok()) return value.status();
  switch (forge) {
    case Forge::kGitHub: return VerifyHmacHeader(name, *value, "sha256=", body, secret);
    case Forge::kGitea: return VerifyHmacHeader(name, *value, "", body, secret);
    case Forge::kGitLab:
      if (!SameSecret(*value, secret)) {
        return Status::Unauthenticated(std::string(name) + " does not match the configured token");
      }
      return Status::Ok();
  }
  return Status::Internal("unknown forge");
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  return ToHex(Hmac(key, data));
}

std::string Sha256Hex(std::string_view data) { return ToHex(Sha256(data)); }

bool SameSecret(std::string_view given, std::string_view expected) {
  // Comparing digests keeps the time independent of both the content and the length.
  return SameDigest(Sha256(given), Sha256(expected));
}

}  // namespace slipway::webhooks
