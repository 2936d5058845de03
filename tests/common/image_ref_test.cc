#include "common/image_ref.h"

#include <catch2/catch.hpp>

using slipway::ErrorCode;
using slipway::ParseImageRef;

TEST_CASE("ParseImageRef splits host, name and tag or digest") {
  auto tagged = ParseImageRef("127.0.0.1:5000/team/app:1.2");
  REQUIRE(tagged.ok());
  CHECK(tagged->host == "127.0.0.1:5000");
  CHECK(tagged->name == "team/app");
  CHECK(tagged->reference == "1.2");
  auto bare = ParseImageRef("registry.example/app");
  REQUIRE(bare.ok());
  CHECK(bare->reference == "latest");
  std::string digest = "sha256:" + std::string(64, 'a');
  auto pinned = ParseImageRef("localhost/app@" + digest);
  REQUIRE(pinned.ok());
  CHECK(pinned->host == "localhost");
  CHECK(pinned->reference == digest);
}

TEST_CASE("ParseImageRef refuses references without a registry host or with odd characters") {
  CHECK(ParseImageRef("busybox:1.36").status().code() == ErrorCode::kInvalidArgument);
  CHECK_FALSE(ParseImageRef("library/busybox:1.36").ok());  // "library" is not a host
  CHECK_FALSE(ParseImageRef("evil@host.example/app:1").ok());
  CHECK_FALSE(ParseImageRef("host.example/app:1?x=1").ok());
  CHECK_FALSE(ParseImageRef("host.example/app name:1").ok());
  CHECK_FALSE(ParseImageRef("host.example/:1").ok());
}

TEST_CASE("ParseImageRef places references without a host on the upstream") {
  auto official = ParseImageRef("python:3.11-slim", "registry-1.docker.io");
  REQUIRE(official.ok());
  CHECK(official->host == "registry-1.docker.io");
  CHECK(official->name == "library/python");
  CHECK(official->reference == "3.11-slim");
  CHECK(official->on_upstream);
  auto two_parts = ParseImageRef("library/x", "mirror.example:5000");
  REQUIRE(two_parts.ok());
  CHECK(two_parts->host == "mirror.example:5000");
  CHECK(two_parts->name == "library/x");
  CHECK(two_parts->reference == "latest");
  auto hub = ParseImageRef("docker.io/busybox:1.36", "mirror.example:5000");
  REQUIRE(hub.ok());
  CHECK(hub->host == "registry-1.docker.io");
  CHECK(hub->name == "library/busybox");
  CHECK_FALSE(hub->on_upstream);
  auto own = ParseImageRef("127.0.0.1:5000/team/app:1", "registry-1.docker.io");
  REQUIRE(own.ok());
  CHECK(own->host == "127.0.0.1:5000");
  CHECK_FALSE(own->on_upstream);
  CHECK_FALSE(ParseImageRef("python 3:1", "registry-1.docker.io").ok());
}

TEST_CASE("IsImageDigest wants sha256 and 64 lower-case hex digits") {
  CHECK(slipway::IsImageDigest("sha256:" + std::string(64, 'f')));
  CHECK_FALSE(slipway::IsImageDigest("sha256:" + std::string(63, 'f')));
  CHECK_FALSE(slipway::IsImageDigest("sha256:" + std::string(64, 'F')));
  CHECK_FALSE(slipway::IsImageDigest("sha512:" + std::string(64, 'f')));
}

TEST_CASE("EngineImageDigest refuses references that could be taken for options") {
  for (const char* ref : {"", "--help", "-q", "a b", "busybox:1.36\n--all"}) {
    INFO(ref);
    CHECK(slipway::EngineImageDigest(ref).status().code() == ErrorCode::kInvalidArgument);
    CHECK(slipway::ResolveImageDigest(ref).status().code() == ErrorCode::kInvalidArgument);
  }
}
