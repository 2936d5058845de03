#include "core/registry_access.h"

#include <cctype>

namespace slipway::core {

std::string RegistrySecretPrefix(const std::string& host) {
  std::string out = "REGISTRY_";
  for (char c : host) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                                                       : '_';
  }
  return out;
}

RegistryAccess BuildRegistryAccess(const ServerConfig& config, store::SecretStore* secrets) {
  RegistryAccess access;
  access.upstream = config.upstream_registry;
  for (const auto& r : config.registries) access.hosts[r.host].ca_file = r.ca_file;
  access.hosts.try_emplace(config.upstream_registry);
  if (secrets == nullptr) return access;
  for (auto& [host, entry] : access.hosts) {
    const std::string prefix = RegistrySecretPrefix(host);
    auto username = secrets->Reveal(std::nullopt, prefix + "_USERNAME");
    if (!username.ok()) continue;
    auto password = secrets->Reveal(std::nullopt, prefix + "_PASSWORD");
    entry.credentials = {*username, password.ok() ? *password : ""};
  }
  return access;
}

}  // namespace slipway::core
