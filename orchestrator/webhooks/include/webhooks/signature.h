// Webhook authentication: the first thing done with a delivery, before any byte of the body is
// parsed.
//
//   GitHub  X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>
//   Gitea   X-Gitea-Signature:   <hex HMAC-SHA256(secret, body)>
//   GitLab  X-Gitlab-Token:      <secret>   (the forge sends the shared token itself)
//
// Every comparison runs in constant time (CRYPTO_memcmp over fixed-size digests), so neither the
// position of the first wrong byte nor, for GitLab tokens, the token's length leaks through timing.
// A missing, repeated, malformed or wrong header, and an empty configured secret, give
// Unauthenticated with a message naming the header.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "webhooks/forge.h"

namespace slipway::webhooks {

// The header that authenticates a delivery from `forge`.
std::string_view SignatureHeaderName(Forge forge);

Status VerifySignature(Forge forge, const HeaderList& headers, std::string_view body,
                       std::string_view secret);

// Lowercase hex HMAC-SHA256 of `data` under `key` (what GitHub and Gitea send).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Whether two secrets (tokens) are equal, in a time that tells nothing of either's content or
// length: their SHA-256 digests are compared with CRYPTO_memcmp. The one comparison of secrets.
bool SameSecret(std::string_view given, std::string_view expected);

}  // namespace slipway::webhooks
