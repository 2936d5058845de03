#include "core/registry_access.h"

#include <catch2/catch.hpp>

#include "../store/temp_database.h"

namespace slipway::core {
namespace {

using store::testing::TempDatabase;

TEST_CASE("registry secrets are named after the host") {
  CHECK(RegistrySecretPrefix("registry.example:5000") == "REGISTRY_REGISTRY_EXAMPLE_5000");
  CHECK(RegistrySecretPrefix("registry-1.docker.io") == "REGISTRY_REGISTRY_1_DOCKER_IO");
}

TEST_CASE("the registry access takes upstream and CA files from the config, credentials from secrets") {
  TempDatabase t;
  SecretBox box{SecretBox::Key{}};
  store::SecretStore secrets(*t.db, box);
  REQUIRE(secrets.Put(std::nullopt, "REGISTRY_REGISTRY_EXAMPLE_5000_USERNAME", "ci", true, 1).ok());
  REQUIRE(secrets.Put(std::nullopt, "REGISTRY_REGISTRY_EXAMPLE_5000_PASSWORD", "pw-1", true, 1).ok());
  REQUIRE(secrets.Put(std::nullopt, "REGISTRY_MIRROR_EXAMPLE_USERNAME", "hub-user", true, 1).ok());
  REQUIRE(secrets.Put(std::nullopt, "REGISTRY_MIRROR_EXAMPLE_PASSWORD", "hub-token", true, 1).ok());

  ServerConfig config;
  config.upstream_registry = "mirror.example";
  config.registries = {{.host = "registry.example:5000", .ca_file = "/etc/ca.crt"},
                       {.host = "open.example", .ca_file = ""}};
  RegistryAccess access = BuildRegistryAccess(config, &secrets);
  CHECK(access.upstream == "mirror.example");
  CHECK(access.hosts["registry.example:5000"].ca_file == "/etc/ca.crt");
  CHECK(access.hosts["registry.example:5000"].credentials.username == "ci");
  CHECK(access.hosts["registry.example:5000"].credentials.password == "pw-1");
  CHECK(access.hosts["mirror.example"].credentials.username == "hub-user");
  CHECK(access.hosts["mirror.example"].credentials.password == "hub-token");
  CHECK(access.hosts["open.example"].credentials.username.empty());

  RegistryAccess anonymous = BuildRegistryAccess(config, nullptr);
  CHECK(anonymous.hosts["registry.example:5000"].credentials.username.empty());
}

}  // namespace
}  // namespace slipway::core
