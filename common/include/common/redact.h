// Redaction: credentials taken out of text bound for a log line, a job error, an event or an answer.
//
// Two kinds are removed: the user information of URLs (`http://deploy:TOKEN@git.example/app.git`
// becomes `http://***@git.example/app.git`), and each known secret wherever it appears (tokens,
// webhook secrets), replaced by `***`. Secrets shorter than kMinSecretLength are left alone: so
// short a string would blank out ordinary words and could not be a real token anyway.
//
// Redact at the source (the message that names a clone URL) and again where text is stored.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace slipway {

inline constexpr size_t kMinSecretLength = 6;

// Replaces the user information (`user:password@`, `token@`) of every `scheme://` URL in `text`.
std::string RedactUrlCredentials(std::string_view text);

// RedactUrlCredentials, then every occurrence of each secret in `secrets` replaced by "***".
std::string Redact(std::string_view text, const std::vector<std::string>& secrets);

// The password (or the user, when there is no password) of a URL's user information; "" when none.
std::string UrlCredential(std::string_view url);

}  // namespace slipway
