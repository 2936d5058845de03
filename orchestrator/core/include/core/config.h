// ServerConfig: slipwayd's settings, from a YAML file (--config) and flags; flags win.
//
//   listen: 127.0.0.1:8080
//   data: /var/lib/slipway
//   admin_token: ...
//   agent_token: ...
//   lease_seconds: 15          # an agent silent this long loses its job (requeued)
//   max_attempts: 3            # tries per job before it ends as error
//   supersede: true            # a newer push to a branch cancels the older run's unstarted work
//   scan:
//     scanners: [osv, trivy]   # osv: built in, on the server; trivy, grype: on the agent, if installed
//     osv_database: /var/lib/slipway/osv   # a folder of OSV records or osv.dev's ecosystem zips
//     recheck_seconds: 300     # when the database changed since, pushed images are scanned again
//   base_check: "0 */6 * * *"  # cron (UTC) of base checks of every repo (common/cron.h); "off": none.
//                              # A repo's on.schedule adds its own times (core/base_watch.h).
//   upstream_registry: registry-1.docker.io  # serves base images named without a registry host
//   registries:                # registries with a private CA; credentials: core/registry_access.h
//     - {host: registry.example:5000, ca_file: /etc/slipway/registry-ca.crt}
//   repos:
//     - {name: owner/app, clone_url: ..., forge: github, secret: ...}
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace slipway::core {

struct RepoConfig {
  std::string name;
  std::string clone_url;
  std::string forge = "github";
  std::string secret;
};

// Vulnerability scanners run on every built image (issue: image insight).
struct ScanConfig {
  std::vector<std::string> scanners;  // "osv", "trivy", "grype"; empty: none
  std::string osv_database;           // what the osv scanner matches against
  int recheck_seconds = 300;          // how often the database is checked for changes (rescans)
  bool Uses(const std::string& scanner) const;
};

struct RegistryConfig {
  std::string host;     // "host[:port]" as image references name it
  std::string ca_file;  // PEM certificates to trust for it; "" for the system's store
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::string data_dir = "./slipway-data";
  std::string admin_token;
  std::string agent_token;
  int lease_seconds = 15;
  int max_attempts = 3;
  bool supersede = true;
  std::string base_check = "0 */6 * * *";  // a cron expression or "off"
  std::vector<RepoConfig> repos;
  ScanConfig scan;
  std::string upstream_registry = "registry-1.docker.io";
  std::vector<RegistryConfig> registries;
  // The key that seals stored secrets (32 bytes, 0600); empty: secrets.key in the data folder,
  // made on first start.
  std::string secrets_key_file;
};

// Reads argv (without argv[0]); a --config file is read first, then the other flags override it.
Result<ServerConfig> LoadServerConfig(const std::vector<std::string>& args);
std::string ServerUsage();

// "host:port" -> host, port. Rejects a missing or bad port.
Status ParseListenAddress(const std::string& text, std::string* host, unsigned short* port);

}  // namespace slipway::core
