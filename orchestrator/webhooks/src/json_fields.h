// Reading forge payloads: the body parsed with its depth bounded first, and typed fields read
// with errors that name the field's path. Shared by the push and pull-request parsers.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace slipway::webhooks {

// The body as JSON: TooLarge over kMaxBodyBytes, InvalidArgument when deeper than kMaxJsonDepth
// (checked before the recursive parser runs) or not valid JSON (with the byte offset).
Result<nlohmann::json> ParseBody(std::string_view body);

// The string at obj[key]; InvalidArgument naming `path` when absent or not a string.
Result<std::string> RequiredString(const nlohmann::json& obj, const char* key, const std::string& path);
// The string at obj[key], or "" when absent or of another type.
std::string OptionalString(const nlohmann::json& obj, const char* key);
Result<const nlohmann::json*> RequiredObject(const nlohmann::json& obj, const char* key, const std::string& path);
// A positive integer at obj[key]; InvalidArgument naming `path` otherwise.
Result<long long> RequiredPositive(const nlohmann::json& obj, const char* key, const std::string& path);

}  // namespace slipway::webhooks
