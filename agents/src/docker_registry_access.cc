#include "agent/docker_registry_access.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "agent/progress_parser.h"  // DecodeBase64

namespace slipway::agent {
namespace {

std::string DefaultDockerConfigDir() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir != nullptr && *dir != '\0') return dir;
  const char* home = std::getenv("HOME");
  return std::string(home == nullptr ? "" : home) + "/.docker";
}

}  // namespace

RegistryAccess DockerRegistryAccess(const std::string& host, const std::string& docker_config_dir,
                                    const std::string& certs_dir) {
  RegistryAccess access;
  RegistryHostConfig& entry = access.hosts[host];
  std::error_code ec;
  const std::filesystem::path ca = std::filesystem::path(certs_dir) / host / "ca.crt";
  if (host.find("..") == std::string::npos && std::filesystem::is_regular_file(ca, ec)) entry.ca_file = ca.string();

  std::ifstream in(std::filesystem::path(docker_config_dir.empty() ? DefaultDockerConfigDir() : docker_config_dir) /
                   "config.json");
  if (!in) return access;
  nlohmann::json config = nlohmann::json::parse(std::istreambuf_iterator<char>(in), {}, nullptr, false);
  if (!config.is_object() || !config.contains("auths") || !config["auths"].is_object()) return access;
  const auto& auths = config["auths"];
  auto it = auths.find(host);
  if (it == auths.end() || !it->is_object() || !it->contains("auth") || !(*it)["auth"].is_string()) return access;
  std::string pair = DecodeBase64((*it)["auth"].get<std::string>());
  auto colon = pair.find(':');
  if (colon == std::string::npos) return access;
  entry.credentials = {pair.substr(0, colon), pair.substr(colon + 1)};
  return access;
}

}  // namespace slipway::agent
