// The one Status -> HTTP mapping (api/replies.h): every code's HTTP status and the error body.
#include "api/replies.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace slipway::api {
namespace {

class CapturingWriter : public http::ResponseWriter {
 public:
  void Send(http::Response r) override { response = std::move(r); }
  void BeginStream(int, std::string) override {}
  void Write(std::string) override {}
  void Close() override {}
  bool Closed() const override { return false; }
  void OnClose(std::function<void()>) override {}
  http::Response response;
};

TEST_CASE("every error code has its HTTP status and its wire name") {
  const std::vector<std::tuple<ErrorCode, int, std::string>> table = {
      {ErrorCode::kInvalidArgument, 400, "invalid_argument"},
      {ErrorCode::kUnauthenticated, 401, "unauthenticated"},
      {ErrorCode::kPermissionDenied, 403, "permission_denied"},
      {ErrorCode::kNotFound, 404, "not_found"},
      {ErrorCode::kMethodNotAllowed, 405, "method_not_allowed"},
      {ErrorCode::kAlreadyExists, 409, "already_exists"},
      {ErrorCode::kConflict, 409, "conflict"},
      {ErrorCode::kTooLarge, 413, "too_large"},
      {ErrorCode::kInternal, 500, "internal"},
      {ErrorCode::kUnavailable, 503, "unavailable"},
  };
  for (const auto& [code, http_status, name] : table) {
    INFO(name);
    CHECK(HttpStatusFor(code) == http_status);
    CHECK(ErrorCodeName(code) == name);
  }
}

TEST_CASE("an error answers with its mapped status and one JSON body naming code and message") {
  CapturingWriter w;
  ReplyStatus(w, Status::Conflict("lease \"x\" is not held"));
  CHECK(w.response.status == 409);
  CHECK(w.response.content_type == "application/json");
  auto body = nlohmann::json::parse(w.response.body);
  CHECK(body ==
        nlohmann::json{{"error", {{"code", "conflict"}, {"message", "lease \"x\" is not held"}}}});
  CHECK(ErrorBody(Status::NotFound("no run 7")) ==
        nlohmann::json{{"error", {{"code", "not_found"}, {"message", "no run 7"}}}});
}

}  // namespace
}  // namespace slipway::api
