// Image digests from the real Docker engine and the registry at 127.0.0.1:5000 (label: docker).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "common/image_ref.h"
#include "../test_images.h"
#include "support/engine.h"

using namespace slipway;
using slipway::testing::MustRun;

namespace {

void ImportImage(const std::string& ref, const std::string& content) {
  slipway::testing::ImportTestImage(ref, {{"content", content}});
}

std::string Unique(const std::string& prefix) {
  return prefix + "-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
}

}  // namespace

TEST_CASE("an image's engine digest is the digest its registry serves once pushed") {
  slipway::testing::RequireDockerEngine();
  std::string name = "slipway-test/" + Unique("digest");
  std::string ref = "127.0.0.1:5000/" + name + ":1";
  slipway::testing::ImageCleanup cleanup(ref);
  ImportImage(ref, "one");
  auto engine = EngineImageDigest(ref);
  INFO(engine.status().ToString());
  REQUIRE(engine.ok());
  CHECK(IsImageDigest(*engine));

  auto parsed = ParseImageRef(ref);
  REQUIRE(parsed.ok());
  CHECK(RegistryImageDigest(*parsed).status().code() == ErrorCode::kNotFound);
  auto resolved = ResolveImageDigest(ref);
  REQUIRE(resolved.ok());
  CHECK(resolved->source == "engine");
  CHECK(resolved->digest == *engine);

  MustRun({"docker", "push", "-q", ref});
  auto registry = RegistryImageDigest(*parsed);
  INFO(registry.status().ToString());
  REQUIRE(registry.ok());
  CHECK(*registry == *engine);  // the containerd image store: the id is the manifest digest

  // Gone from the engine: the registry answers for it.
  MustRun({"docker", "image", "rm", ref});
  CHECK(EngineImageDigest(ref).status().code() == ErrorCode::kNotFound);
  resolved = ResolveImageDigest(ref);
  INFO(resolved.status().ToString());
  REQUIRE(resolved.ok());
  CHECK(resolved->source == "registry");
  CHECK(resolved->digest == *engine);

  // New content under the same tag is a new digest.
  ImportImage(ref, "two");
  auto again = ResolveImageDigest(ref);
  REQUIRE(again.ok());
  CHECK(again->source == "engine");
  CHECK(again->digest != *engine);
}

TEST_CASE("an image neither the engine nor any registry has is not found") {
  slipway::testing::RequireDockerEngine();
  // A name without a registry host is looked up on the upstream: here the local registry.
  std::string local = Unique("slipway-test-absent") + ":1";
  slipway::RegistryAccess access;
  access.upstream = "127.0.0.1:5000";
  auto r = ResolveImageDigest(local, "docker", access);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == ErrorCode::kNotFound);
  CHECK(r.status().message().find("upstream 127.0.0.1:5000: registry 127.0.0.1:5000 has no library/") !=
        std::string::npos);
  auto remote = ResolveImageDigest("127.0.0.1:5000/slipway-test/" + Unique("absent") + ":1");
  REQUIRE_FALSE(remote.ok());
  CHECK(remote.status().code() == ErrorCode::kNotFound);
  // A registry that does not answer: unavailable, naming both places asked.
  auto down = ResolveImageDigest("127.0.0.1:1/slipway-test/x:1");
  REQUIRE_FALSE(down.ok());
  CHECK(down.status().code() == ErrorCode::kUnavailable);
  CHECK(down.status().message().find("the engine has no image") != std::string::npos);
}
