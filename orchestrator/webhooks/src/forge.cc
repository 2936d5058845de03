#include "webhooks/forge.h"

#include <cstddef>

namespace slipway::webhooks {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view ForgeName(Forge forge) {
  switch (forge) {
    case Forge::kGitHub: return "github";
    case Forge::kGitLab: return "gitlab";
    case Forge::kGitea: return "gitea";
  }
  return "github";
}

std::optional<Forge> ForgeFromName(std::string_view name) {
  if (name == "github") return Forge::kGitHub;
  if (name == "gitlab") return Forge::kGitLab;
  if (name == "gitea") return Forge::kGitea;
  return std::nullopt;
}

std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

int CountHeader(const HeaderList& headers, std::string_view name) {
  int n = 0;
  for (const auto& header : headers) {
    if (EqualsIgnoreCase(header.first, name)) ++n;
  }
  return n;
}

}  // namespace slipway::webhooks
