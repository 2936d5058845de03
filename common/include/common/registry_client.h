// Requests to an image registry (the Docker registry HTTP API v2), authenticated as the registry
// asks: HTTPS with the certificate verified (common/http_client.h), then on a 401 either basic auth
// or the token flow (`WWW-Authenticate: Bearer realm=...,service=...,scope=...`: GET the realm with
// service and scope, with basic auth when credentials are known, and send the token it returns).
//
// Loopback registries (localhost, 127.0.0.0/8, ::1) are tried over HTTPS first and spoken to over
// plain HTTP when HTTPS fails there and a registry answers over HTTP (Docker-Distribution-API-Version),
// as the Docker engine does; a certificate that does not verify is never a reason to fall back.
//
// Errors name the registry host and never contain a password or a token.
//
// Thread-safety: plain functions; each call makes its own requests.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "common/http_client.h"
#include "common/status.h"

namespace slipway {

struct RegistryCredentials {
  std::string username;
  std::string password;  // or an access token the registry takes as a password
};

struct RegistryHostConfig {
  RegistryCredentials credentials;  // empty username: anonymous
  std::string ca_file;              // PEM certificates to trust for this host; "" for the system's store
};

// What the caller knows about registries; filled from the server's config (and its secrets).
struct RegistryAccess {
  std::map<std::string, RegistryHostConfig> hosts;  // by "host[:port]" as image references name it
  // The registry that serves references naming no registry host ("python:3.11-slim").
  std::string upstream = "registry-1.docker.io";
  std::chrono::milliseconds timeout{10000};
};

// `method` (GET or HEAD) of https://host/v2/<repository>/<path> with `accept` (may be empty),
// authenticating for pull access to `repository`. Any HTTP status after authentication is a
// result; a refused login is Unauthenticated, a certificate that does not verify PermissionDenied.
Result<HttpResponse> RegistryFetch(const RegistryAccess& access, const std::string& host,
                                   const std::string& repository, const std::string& method,
                                   const std::string& path, const std::string& accept);

// The parameters of a `WWW-Authenticate: <scheme> k="v",k2="v2"` challenge; scheme lower-cased
// under the key "" (e.g. {"", "bearer"}, {"realm", "https://auth.example/token"}).
std::map<std::string, std::string> ParseAuthChallenge(const std::string& header);

}  // namespace slipway
