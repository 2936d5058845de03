// Forges that send Slipway webhooks, and the request headers the HTTP layer hands to this module.
//
// The webhook module never sees a socket: the HTTP layer passes the request headers (in arrival
// order, names as sent) and the raw body. Header names compare case-insensitively, as in HTTP.
//
// Thread-safety: plain values and pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slipway::webhooks {

enum class Forge { kGitHub, kGitLab, kGitea };

// "github", "gitlab", "gitea": the path segment of POST /hooks/{forge}.
std::string_view ForgeName(Forge forge);
std::optional<Forge> ForgeFromName(std::string_view name);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The value of the first header called `name` (case-insensitive), or nullopt.
std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name);

// How many headers are called `name` (case-insensitive).
int CountHeader(const HeaderList& headers, std::string_view name);

}  // namespace slipway::webhooks
