#include "common/http_client.h"

#include <catch2/catch.hpp>

using slipway::ParseHttpUrl;

TEST_CASE("ParseHttpUrl splits host, port and target") {
  auto u = ParseHttpUrl("http://127.0.0.1:8080/api/v1/runs?limit=5");
  REQUIRE(u.ok());
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == "8080");
  CHECK(u->target == "/api/v1/runs?limit=5");
  auto v6 = ParseHttpUrl("http://[::1]:5000");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == "5000");
  CHECK(v6->target == "/");
  CHECK(ParseHttpUrl("http://example.org/x")->port == "80");
  auto tls = ParseHttpUrl("https://registry-1.docker.io/v2/");
  REQUIRE(tls.ok());
  CHECK(tls->tls);
  CHECK(tls->port == "443");
  CHECK_FALSE(ParseHttpUrl("http://example.org/x")->tls);
}

TEST_CASE("ParseHttpUrl refuses what it cannot speak") {
  CHECK_FALSE(ParseHttpUrl("https://").ok());
  CHECK_FALSE(ParseHttpUrl("ftp://x").ok());
  CHECK_FALSE(ParseHttpUrl("http://").ok());
}

TEST_CASE("HttpFetch reports an unreachable server as unavailable") {
  auto r = slipway::HttpFetch({.url = "http://127.0.0.1:1/", .timeout = std::chrono::milliseconds(2000)});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == slipway::ErrorCode::kUnavailable);
}
