#include "api/router.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api/replies.h"
#include "http/url.h"

using slipway::api::PathParams;
using slipway::api::Router;

namespace {

class CapturingWriter : public slipway::http::ResponseWriter {
 public:
  void Send(slipway::http::Response r) override { response = std::move(r); }
  void BeginStream(int, std::string) override {}
  void Write(std::string) override {}
  void Close() override {}
  bool Closed() const override { return false; }
  void OnClose(std::function<void()>) override {}
  slipway::http::Response response;
};

slipway::http::Response Dispatch(const Router& router, const std::string& method, const std::string& target) {
  slipway::http::Request req;
  req.method = method;
  req.target = target;
  slipway::http::SplitTarget(target, &req.path, &req.query);
  auto w = std::make_shared<CapturingWriter>();
  router.Dispatch(req, w);
  return w->response;
}

}  // namespace

TEST_CASE("routes capture path parameters, unknown paths are 404 and wrong methods 405") {
  Router router;
  router.Add("GET", "/api/v1/runs/{id}", [](const auto& req, const PathParams& p, auto w) {
    w->Send({.status = 200, .body = p.at("id") + "|" + req.Query("x")});
  });
  auto ok = Dispatch(router, "GET", "/api/v1/runs/42?x=a%2Fb+c");
  CHECK(ok.status == 200);
  CHECK(ok.body == "42|a/b c");

  auto missing = Dispatch(router, "GET", "/api/v1/nope");
  CHECK(missing.status == 404);
  CHECK(nlohmann::json::parse(missing.body)["error"]["code"] == "not_found");

  auto wrong = Dispatch(router, "DELETE", "/api/v1/runs/42");
  CHECK(wrong.status == 405);
  CHECK(nlohmann::json::parse(wrong.body)["error"]["code"] == "method_not_allowed");
}

TEST_CASE("percent-decoding keeps bad escapes as written") {
  CHECK(slipway::http::PercentDecode("%41%2", false) == "A%2");
  CHECK(slipway::http::PercentDecode("a+b", false) == "a+b");
  CHECK(slipway::http::PercentDecode("a+b", true) == "a b");
}

TEST_CASE("a {name...} parameter captures repository names of one or more segments") {
  Router router;
  router.Add("PUT", "/api/v1/repos/{name...}/secrets/{secret}", [](const auto&, const PathParams& p, auto w) {
    w->Send({.status = 200, .body = p.at("name") + "|" + p.at("secret")});
  });
  router.Add("GET", "/api/v1/repos/{name...}/secrets", [](const auto&, const PathParams& p, auto w) {
    w->Send({.status = 200, .body = p.at("name")});
  });
  CHECK(Dispatch(router, "PUT", "/api/v1/repos/acme/shop/secrets/PYPI_TOKEN").body == "acme/shop|PYPI_TOKEN");
  CHECK(Dispatch(router, "PUT", "/api/v1/repos/group/sub/app/secrets/X").body == "group/sub/app|X");
  CHECK(Dispatch(router, "GET", "/api/v1/repos/group/sub/app/secrets").body == "group/sub/app");
  CHECK(Dispatch(router, "GET", "/api/v1/repos/secrets").status == 404);  // the name needs a segment
  CHECK(Dispatch(router, "GET", "/api/v1/repos/acme/shop/other").status == 404);
}

TEST_CASE("body depth is counted outside strings, and a body too deep is refused before parsing") {
  using slipway::api::CheckJsonDepth;
  using slipway::api::kMaxJsonDepth;
  std::string at_limit = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  CHECK(CheckJsonDepth(at_limit).ok());
  auto deep = CheckJsonDepth("[" + at_limit + "]");
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.message() == "body nests deeper than 64 levels (at byte 65)");
  // Brackets inside strings, escaped quotes included, do not count.
  CHECK(CheckJsonDepth("{\"a\":\"\\\"" + std::string(1000, '[') + "\"}").ok());
  // Not JSON at all is the parser's to report; an unterminated string cannot hide nesting from it.
  CHECK(CheckJsonDepth("\"" + std::string(1000, '{')).ok());
  auto parsed = slipway::api::ParseJsonObject(std::string(100000, '['));
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().find("nests deeper than 64") != std::string::npos);
}
