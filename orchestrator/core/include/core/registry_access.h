// The server's RegistryAccess (common/registry_client.h): the upstream and CA files from its
// configuration, credentials from server-wide secrets named after the registry host:
//
//   REGISTRY_<HOST>_USERNAME and REGISTRY_<HOST>_PASSWORD
//
// where <HOST> is the "host[:port]" upper-cased with every character other than a letter or a
// digit replaced by '_' (registry.example:5000 -> REGISTRY_REGISTRY_EXAMPLE_5000_PASSWORD).
// Credentials are looked up for every configured registry and for the upstream; a host with no
// username secret is spoken to anonymously.
//
// Thread-safety: a plain function; the secret store serialises its own reads.
#pragma once

#include <string>

#include "common/registry_client.h"
#include "core/config.h"
#include "store/secret_store.h"

namespace slipway::core {

// "registry.example:5000" -> "REGISTRY_REGISTRY_EXAMPLE_5000" (append "_USERNAME" or "_PASSWORD").
std::string RegistrySecretPrefix(const std::string& host);

// `secrets` may be null: no credentials.
RegistryAccess BuildRegistryAccess(const ServerConfig& config, store::SecretStore* secrets);

}  // namespace slipway::core
