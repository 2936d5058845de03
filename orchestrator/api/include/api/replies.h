// Replies: the one place where a Status becomes an HTTP status, and where JSON bodies and
// errors ({"error":{"code":"not_found","message":"..."}}) are written.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/server.h"

namespace slipway::api {

// The HTTP status for an error code: invalid_argument 400, unauthenticated 401, not_found 404, ...
int HttpStatusFor(ErrorCode code);
// {"error": {"code": "not_found", "message": "..."}}: the body of every error answer.
nlohmann::json ErrorBody(const Status& status);

void ReplyJson(http::ResponseWriter& writer, int status, const nlohmann::json& body);
// An error answers with HttpStatusFor(its code) and ErrorBody(it).
void ReplyStatus(http::ResponseWriter& writer, const Status& status);

// Request bodies nested deeper than this are refused before they are parsed: nesting costs the
// parser and every reader of the tree recursion, and no request of the API needs more than a few.
inline constexpr int kMaxJsonDepth = 64;

// InvalidArgument naming the byte where body's arrays and objects nest deeper than kMaxJsonDepth.
// A scan of the raw bytes, cheap and safe on any input (it need not be valid JSON).
Status CheckJsonDepth(std::string_view body);

// Parses a JSON request body that must be an object; InvalidArgument naming the byte offset otherwise
// (too deep included).
Result<nlohmann::json> ParseJsonObject(const std::string& body);

}  // namespace slipway::api
