#include "common/redact.h"

#include <cctype>

namespace slipway {
namespace {

bool IsSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

// Where a URL's authority ends: at '/', '?', '#', whitespace, a quote or the end of the text.
size_t AuthorityEnd(std::string_view text, size_t from) {
  size_t i = from;
  while (i < text.size()) {
    char c = text[i];
    if (c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' ||
        std::isspace(static_cast<unsigned char>(c))) {
      break;
    }
    ++i;
  }
  return i;
}

}  // namespace

std::string RedactUrlCredentials(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (true) {
    size_t sep = text.find("://", pos);
    if (sep == std::string_view::npos) break;
    size_t start = sep;
    while (start > pos && IsSchemeChar(text[start - 1])) --start;
    size_t host = sep + 3;
    size_t end = AuthorityEnd(text, host);
    size_t at = text.substr(host, end - host).rfind('@');
    out.append(text.substr(pos, host - pos));
    if (start < sep && at != std::string_view::npos) {
      out.append("***");
      pos = host + at;  // keeps the '@'
    } else {
      pos = host;
    }
  }
  out.append(text.substr(pos));
  return out;
}

std::string Redact(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out = RedactUrlCredentials(text);
  for (const std::string& secret : secrets) {
    if (secret.size() < kMinSecretLength) continue;
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

std::string UrlCredential(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return "";
  size_t host = sep + 3;
  size_t end = AuthorityEnd(url, host);
  size_t at = url.substr(host, end - host).rfind('@');
  if (at == std::string_view::npos) return "";
  std::string_view info = url.substr(host, at);
  size_t colon = info.find(':');
  return std::string(colon == std::string_view::npos ? info : info.substr(colon + 1));
}

}  // namespace slipway
