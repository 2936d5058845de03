#include "agent/docker_registry_access.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support/files.h"

namespace fs = std::filesystem;
using slipway::agent::DockerRegistryAccess;

TEST_CASE("the agent takes a registry's credentials from the docker config and its CA from certs.d") {
  slipway::testing::TempDir temp;
  const fs::path dir = temp.path();
  fs::create_directories(dir / "certs" / "registry.example:5000");
  std::ofstream(dir / "certs" / "registry.example:5000" / "ca.crt") << "PEM";
  std::ofstream(dir / "config.json")
      << R"({"auths": {"registry.example:5000": {"auth": "Y2k6cGFzczp3aXRoOmNvbG9ucw=="}, "other.example": {}}})";

  auto access = DockerRegistryAccess("registry.example:5000", dir.string(), (dir / "certs").string());
  const auto& entry = access.hosts["registry.example:5000"];
  CHECK(entry.credentials.username == "ci");
  CHECK(entry.credentials.password == "pass:with:colons");
  CHECK(entry.ca_file == (dir / "certs" / "registry.example:5000" / "ca.crt").string());

  auto other = DockerRegistryAccess("other.example", dir.string(), (dir / "certs").string());
  CHECK(other.hosts["other.example"].credentials.username.empty());
  CHECK(other.hosts["other.example"].ca_file.empty());

  std::ofstream(dir / "config.json") << "{not json";
  auto broken = DockerRegistryAccess("registry.example:5000", dir.string(), (dir / "certs").string());
  CHECK(broken.hosts["registry.example:5000"].credentials.username.empty());
  auto missing = DockerRegistryAccess("registry.example:5000", (dir / "none").string(), "/nonexistent");
  CHECK(missing.hosts["registry.example:5000"].credentials.username.empty());
  CHECK(missing.hosts["registry.example:5000"].ca_file.empty());
}
