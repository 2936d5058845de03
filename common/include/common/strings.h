// Small string helpers shared across modules. Prefix and suffix tests are C++20's own
// std::string_view::starts_with / ends_with.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slipway {

// The pieces of `text` between separators, empty pieces left out: "a,,b," -> {"a", "b"}.
std::vector<std::string> SplitNonEmpty(std::string_view text, char separator);

// ASCII case mapping; other bytes (UTF-8 included) are left as they are, whatever the locale.
std::string AsciiLower(std::string_view text);
std::string AsciiUpper(std::string_view text);

// `text` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
std::string_view TrimAsciiSpace(std::string_view text);

// Two lower-case hex digits per byte: "\x01\xab" -> "01ab".
std::string HexEncode(std::string_view bytes);

// Standard base64 (RFC 4648, `+/` and `=` padding): "ci:pass" -> "Y2k6cGFzcw==".
std::string Base64Encode(std::string_view bytes);

// `text` fit for a URL path segment or query value (or a purl's version): every byte but RFC 3986's
// unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX, so "feat/a b&c" becomes "feat%2Fa%20b%26c".
std::string PercentEncode(std::string_view text);


// A size for people, in 1000-based units with one decimal past bytes: "512 B", "20.5 kB", "2.0 MB".
std::string HumanBytes(uint64_t bytes);

}  // namespace slipway
