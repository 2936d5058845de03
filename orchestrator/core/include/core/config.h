// ServerConfig: slipwayd's settings, from flags, a YAML file (--config) and, for the tokens, the
// environment (SLIPWAY_ADMIN_TOKEN, SLIPWAY_AGENT_TOKEN) or files (--admin-token-file,
// --agent-token-file). Flags win over the file, the file over the environment. Numbers are
// range-checked wherever they come from.
//
//   listen: 127.0.0.1:8080
//   data: /var/lib/slipway
//   admin_token: ...
//   agent_token: ...           # optional: agents may use per-agent tokens instead
//   tls_cert: /etc/slipway/tls.crt   # with tls_key: HTTPS only (PEM chain and key)
//   tls_key: /etc/slipway/tls.key
//   public_read: false         # true: GETs, SSE and the dashboard's data need no token
//   lease_seconds: 15          # an agent silent this long loses its job (requeued)
//   max_attempts: 3            # tries per job before it ends as error
//   supersede: true            # a newer push to a branch cancels the older run's unstarted work
//   stage_timeout: 60m         # a build running longer ends "timed out" (a stage's `timeout:` wins)
//   max_stage_timeout: 6h      # no build runs longer, whatever its stage or stage_timeout say
//   scan:
//     scanners: [osv, trivy]   # osv: built in, on the server; trivy, grype: on the agent, if installed
//     osv_database: /var/lib/slipway/osv   # a folder of OSV records or osv.dev's ecosystem zips
//     recheck_seconds: 300     # when the database changed since, pushed images are scanned again
//   base_check: "0 */6 * * *"  # cron (UTC) of base checks of every repo (common/cron.h); "off": none.
//                              # A repo's on.schedule adds its own times (core/base_watch.h).
//   allowed_registries: [127.0.0.1:5000]  # the only registries base checks may contact
//                      # (core/base_watch.h); absent: 127.0.0.1, the upstream, the repos' prefixes' hosts
//   http:                      # what one client may hold (HttpLimits; unset ones keep the server's defaults)
//     max_connections: 1024
//     max_connections_per_address: 64
//     head_timeout_seconds: 10   # to send a request's head; body_timeout_seconds: 60 for its body
//     write_timeout_seconds: 30  # a reader that takes none of a write this long is disconnected
//     max_streams: 256           # open SSE streams and streamed logs
//     workers: 4                 # threads for heavy requests (webhooks, finishing jobs, triggers)
//   upstream_registry: registry-1.docker.io  # serves base images named without a registry host
//   registries:                # registries with a private CA; credentials: core/registry_access.h
//     - {host: registry.example:5000, ca_file: /etc/slipway/registry-ca.crt}
//   public_url: https://ci.example.com   # how people reach this server: links in forge statuses
//                                        # and comments (docs/forges.md); absent: no links
//   repos:
//     - {name: owner/app, clone_url: ..., forge: github, secret: ...,
//        image_prefixes: [127.0.0.1:5000/app], protected_tags: [latest, "v*"],
//        protected_branches: [release], agent_labels: ["pool=build"],   # core/publish_policy.h
//        fork_pull_requests: approve}   # run | approve | ignore: a fork's pull requests (docs/forges.md)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/repo_store.h"

namespace slipway::core {

struct RepoConfig {
  std::string name;
  std::string clone_url;
  std::string forge = "github";
  std::string secret;
  std::optional<store::PublishPolicy> policy;  // nullopt: the stored one is kept
  std::optional<std::string> fork_pull_requests;  // nullopt: the stored one is kept ("approve" when new)
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

// The http: section: what one client may hold. Unset limits keep the HTTP server's defaults
// (orchestrator/api maps these to http::ServerOptions).
struct HttpLimits {
  std::optional<int> max_connections;
  std::optional<int> max_connections_per_address;
  std::optional<int> head_timeout_ms;
  std::optional<int> body_timeout_ms;
  std::optional<int> write_timeout_ms;
  std::optional<int> max_streams;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::string data_dir = "./slipway-data";
  std::string admin_token;
  std::string agent_token;  // shared by every agent; empty: per-agent tokens only
  bool public_read = false;  // reads need no viewer token
  std::string tls_cert_file;  // with tls_key_file: HTTPS only (PEM chain and key)
  std::string tls_key_file;
  int lease_seconds = 15;
  int max_attempts = 3;
  bool supersede = true;
  long long stage_timeout_seconds = 3600;
  long long max_stage_timeout_seconds = 6 * 3600;
  std::string base_check = "0 */6 * * *";  // a cron expression or "off"
  std::vector<RepoConfig> repos;
  std::optional<std::vector<std::string>> allowed_registries;  // registry hosts base checks may contact
  ScanConfig scan;
  std::string upstream_registry = "registry-1.docker.io";
  std::vector<RegistryConfig> registries;
  // The key that seals stored secrets (32 bytes, 0600); empty: secrets.key in the data folder,
  // made on first start.
  std::string secrets_key_file;
  std::string public_url;  // without a trailing '/'; "" when unset
  HttpLimits http;  // host and port are the fields above
  int http_workers = 4;
};

// Reads argv (without argv[0]); a --config file is read first, then the other flags override it.
// InvalidArgument naming the flag, or the file's key with FILE:LINE:COL, for a bad setting.
Result<ServerConfig> LoadServerConfig(const std::vector<std::string>& args);
// The --help text.
std::string ServerUsage();

// "host:port" -> host, port. Rejects a missing or bad port.
Status ParseListenAddress(const std::string& text, std::string* host, unsigned short* port);

}  // namespace slipway::core
