#include "common/redact.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/strings.h"

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

// Percent encoding of every byte but the unreserved ones; `space_plus`: ' ' as '+'.
std::string PercentForm(std::string_view text, bool lower_hex, bool space_plus) {
  static constexpr char kUpper[] = "0123456789ABCDEF", kLower[] = "0123456789abcdef";
  const char* hex = lower_hex ? kLower : kUpper;
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else if (c == ' ' && space_plus) {
      out += '+';
    } else {
      out += {'%', hex[u >> 4], hex[u & 15]};
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> EncodedForms(const std::vector<std::string>& secrets) {
  std::set<std::string> forms;
  for (const std::string& secret : secrets) {
    if (secret.size() < kMinSecretLength) continue;
    forms.insert(secret);
    // A value of several lines (a private key) reaches a log one line at a time.
    for (const std::string& line : SplitNonEmpty(secret, '\n')) {
      forms.insert(std::string(TrimAsciiSpace(line)));
    }
    forms.insert(Base64Encode(secret));
    for (size_t offset = 0; offset < 3 && offset < secret.size(); ++offset) {
      size_t whole = (secret.size() - offset) / 3 * 3;
      forms.insert(Base64Encode(std::string_view(secret).substr(offset, whole)));
    }
    forms.insert(PercentForm(secret, false, false));
    forms.insert(PercentForm(secret, true, false));
    forms.insert(PercentForm(secret, false, true));
  }
  std::vector<std::string> out;
  for (const std::string& f : forms) {
    if (f.size() >= kMinSecretLength) out.push_back(f);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

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
