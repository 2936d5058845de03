// An image built and pushed by the real engine (`docker buildx build --push`) to a TLS registry
// with htpasswd users (tls_registry.h): the engine trusts the test CA through
// /etc/docker/certs.d/HOST:PORT/ca.crt, the credentials live in a build-scoped DOCKER_CONFIG (no
// global `docker login`), and the registry client then reads the pushed manifest with what the
// engine uses (agent/docker_registry_access.h) (label: docker).
#include <catch2/catch.hpp>

#include "../test_images.h"
#include "support/engine.h"
#include "agent/docker_registry_access.h"
#include "agent/image_inspector.h"
#include "common/image_ref.h"
#include "tls_registry.h"

using namespace slipway;
using namespace slipway::testing;

namespace {

ProcessOutput Build(const fs::path& context, const std::string& tag, const fs::path& docker_config) {
  auto out = RunProcess({"docker", "buildx", "build", "--push", "--provenance=false", "-t", tag, context.string()},
                        {.extra_env = {"DOCKER_CONFIG=" + docker_config.string()}});
  REQUIRE(out.ok());
  return *out;
}

}  // namespace

TEST_CASE("the engine pushes to a TLS registry with build-scoped credentials, and its sizes are read back") {
  ::slipway::testing::RequireDockerEngine();
  TestPki pki;
  Registry registry(pki, "push", HtpasswdAuth(pki));
  EngineTrust trust(pki, registry.host());
  const fs::path context = pki.dir / "context";
  fs::create_directories(context);
  WriteFile(context / "Dockerfile", "FROM busybox:1.36\nCOPY payload.txt /payload.txt\n");
  WriteFile(context / "payload.txt", std::string(20000, 'p') + "\n");
  const std::string tag = registry.host() + "/team/pushed:1";
  ImageCleanup cleanup(tag);

  // Without credentials the registry refuses the push.
  fs::create_directories(pki.dir / "anonymous");
  ProcessOutput anonymous = Build(context, tag, pki.dir / "anonymous");
  CHECK_FALSE(anonymous.ok());
  CHECK_THAT(anonymous.err, Catch::Contains("https://" + registry.host()) && Catch::Contains("401"));

  fs::create_directories(pki.dir / "docker-config");
  WriteFile(pki.dir / "docker-config" / "config.json",
            R"({"auths": {")" + registry.host() + R"(": {"auth": "dGVzdGVyOnMzY3JldC1wYXNz"}}})");  // tester:s3cret-pass
  ProcessOutput pushed = Build(context, tag, pki.dir / "docker-config");
  INFO(pushed.err);
  REQUIRE(pushed.ok());

  auto ref = ParseImageRef(tag);
  REQUIRE(ref.ok());
  const RegistryAccess access = AccessFor(pki, registry.host(), kPassword);
  auto digest = RegistryImageDigest(*ref, access);
  INFO(digest.status().ToString());
  REQUIRE(digest.ok());
  auto engine = EngineImageDigest(tag);
  REQUIRE(engine.ok());
  CHECK(*digest == *engine);  // containerd image store: the id is the digest the registry serves

  // As the agent reads it: credentials from the build's docker config, the CA the engine trusts.
  auto manifest = agent::FetchRegistryManifest(
      *ref, agent::DockerRegistryAccess(registry.host(), (pki.dir / "docker-config").string()));
  INFO(manifest.status().ToString());
  REQUIRE(manifest.ok());
  REQUIRE(manifest->layers.size() >= 2);  // busybox's layer and the COPY
  CHECK(manifest->CompressedSize() > 0);
  CHECK(manifest->layers.back().size < 20000);  // the payload, gzipped
}
