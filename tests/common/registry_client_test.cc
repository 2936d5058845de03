#include "common/registry_client.h"

#include <catch2/catch.hpp>

using slipway::ParseAuthChallenge;

TEST_CASE("ParseAuthChallenge reads a bearer challenge with commas inside quotes") {
  auto c = ParseAuthChallenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull,push")");
  CHECK(c[""] == "bearer");
  CHECK(c["realm"] == "https://auth.docker.io/token");
  CHECK(c["service"] == "registry.docker.io");
  CHECK(c["scope"] == "repository:library/python:pull,push");
}

TEST_CASE("ParseAuthChallenge reads basic challenges and unquoted values") {
  auto basic = ParseAuthChallenge(R"(Basic realm="Registry Realm")");
  CHECK(basic[""] == "basic");
  CHECK(basic["realm"] == "Registry Realm");
  auto bare = ParseAuthChallenge("Bearer realm=http://127.0.0.1:9/token, service=test");
  CHECK(bare["realm"] == "http://127.0.0.1:9/token");
  CHECK(bare["service"] == "test");
  CHECK(ParseAuthChallenge("")[""].empty());
}
