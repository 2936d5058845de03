#include "agent/docker_registry_access.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using slipway::agent::DockerRegistryAccess;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("slipway-docker-config-" + std::to_string(getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("the agent takes a registry's credentials from the docker config and its CA from certs.d") {
  TempDir dir;
  fs::create_directories(dir.path / "certs" / "registry.example:5000");
  std::ofstream(dir.path / "certs" / "registry.example:5000" / "ca.crt") << "PEM";
  std::ofstream(dir.path / "config.json")
      << R"({"auths": {"registry.example:5000": {"auth": "Y2k6cGFzczp3aXRoOmNvbG9ucw=="}, "other.example": {}}})";

  auto access = DockerRegistryAccess("registry.example:5000", dir.path.string(), (dir.path / "certs").string());
  const auto& entry = access.hosts["registry.example:5000"];
  CHECK(entry.credentials.username == "ci");
  CHECK(entry.credentials.password == "pass:with:colons");
  CHECK(entry.ca_file == (dir.path / "certs" / "registry.example:5000" / "ca.crt").string());

  auto other = DockerRegistryAccess("other.example", dir.path.string(), (dir.path / "certs").string());
  CHECK(other.hosts["other.example"].credentials.username.empty());
  CHECK(other.hosts["other.example"].ca_file.empty());

  std::ofstream(dir.path / "config.json") << "{not json";
  auto broken = DockerRegistryAccess("registry.example:5000", dir.path.string(), (dir.path / "certs").string());
  CHECK(broken.hosts["registry.example:5000"].credentials.username.empty());
  auto missing = DockerRegistryAccess("registry.example:5000", (dir.path / "none").string(), "/nonexistent");
  CHECK(missing.hosts["registry.example:5000"].credentials.username.empty());
  CHECK(missing.hosts["registry.example:5000"].ca_file.empty());
}
