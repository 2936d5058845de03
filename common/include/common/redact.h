// Redaction: credentials taken out of text bound for a log line, a job error, an event or an answer.
//
// Two kinds are removed: the user information of URLs (`http://deploy:TOKEN@git.example/app.git`
// becomes `http://***@git.example/app.git`), and each known secret wherever it appears (tokens,
// webhook secrets), replaced by `***`. Secrets shorter than kMinSecretLength are left alone: so
// short a string would blank out ordinary words and could not be a real token anyway.
//
// A secret is also hidden in the forms a build can print it in (EncodedForms): base64, with the
// three alignments it can take inside a longer base64 text, and URL (percent) encoding.
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

// Each secret with its encoded forms, longest first (so a form holding another is replaced whole):
// the value, and each of its lines when it has several; its base64, padded; the base64 of its bytes from offset 0, 1 and 2 up to a multiple
// of three, which appears verbatim wherever the value is base64-encoded inside other bytes
// (`echo "$S" | base64`, "user:$S" in an Authorization header); its percent encoding with upper-
// and lower-case hex digits, and with '+' for a space (a form's query). Forms shorter than
// kMinSecretLength are left out.
std::vector<std::string> EncodedForms(const std::vector<std::string>& secrets);

// The password (or the user, when there is no password) of a URL's user information; "" when none.
std::string UrlCredential(std::string_view url);

}  // namespace slipway
