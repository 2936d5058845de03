// Replies: the one place where a Status becomes an HTTP status, and where JSON bodies and
// errors ({"error":{"code":"not_found","message":"..."}}) are written.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/server.h"

namespace slipway::api {

// The HTTP status for an error code: invalid_argument 400, unauthenticated 401, not_found 404, ...
int HttpStatusFor(ErrorCode code);

void ReplyJson(http::ResponseWriter& writer, int status, const nlohmann::json& body);
void ReplyError(http::ResponseWriter& writer, int status, std::string_view code, std::string_view message);
void ReplyStatus(http::ResponseWriter& writer, const Status& status);

// Parses a JSON request body that must be an object; InvalidArgument naming the byte offset otherwise.
Result<nlohmann::json> ParseJsonObject(const std::string& body);

}  // namespace slipway::api
