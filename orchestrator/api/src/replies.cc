#include "api/replies.h"

#include "common/json_text.h"

namespace slipway::api {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

void ReplyJson(http::ResponseWriter& writer, int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  r.body = JsonText(body);
  writer.Send(std::move(r));
}

nlohmann::json ErrorBody(const Status& status) {
  return {{"error", {{"code", ErrorCodeName(status.code())}, {"message", status.message()}}}};
}

void ReplyStatus(http::ResponseWriter& writer, const Status& status) {
  ReplyJson(writer, HttpStatusFor(status.code()), ErrorBody(status));
}

Status CheckJsonDepth(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return Status::InvalidArgument("body nests deeper than " + std::to_string(kMaxJsonDepth) +
                                       " levels (at byte " + std::to_string(i + 1) + ")");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return Status::Ok();
}

Result<nlohmann::json> ParseJsonObject(const std::string& body) {
  if (Status s = CheckJsonDepth(body); !s.ok()) return s;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument("body is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  if (!j.is_object()) return Status::InvalidArgument("body must be a JSON object");
  return j;
}

}  // namespace slipway::api
