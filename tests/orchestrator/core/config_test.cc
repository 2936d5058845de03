#include "core/config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "api/server_options.h"
#include "support/files.h"

using slipway::core::LoadServerConfig;

namespace {

// A config file in a temp dir, removed afterwards.
struct ConfigFile {
  explicit ConfigFile(const std::string& text) { std::ofstream(path) << text; }
  slipway::testing::TempDir dir;
  std::string path = dir.File("slipway.yml");
};

}  // namespace

TEST_CASE("the config file is read and flags win over it") {
  ConfigFile file(
      "listen: 127.0.0.1:9000\n"
      "data: /var/lib/x\n"
      "admin_token: from-file\n"
      "agent_token: agent-file\n"
      "lease_seconds: 20\n"
      "supersede: false\n"
      "repos:\n"
      "  - {name: acme/app, clone_url: /srv/app.git, forge: gitea, secret: s}\n");
  auto config = LoadServerConfig({"--config", file.path, "--listen", "0.0.0.0:7000", "--admin-token", "from-flag"});
  REQUIRE(config.ok());
  CHECK(config->host == "0.0.0.0");
  CHECK(config->port == 7000);
  CHECK(config->data_dir == "/var/lib/x");
  CHECK(config->admin_token == "from-flag");
  CHECK(config->agent_token == "agent-file");
  CHECK(config->lease_seconds == 20);
  CHECK_FALSE(config->supersede);
  REQUIRE(config->repos.size() == 1);
  CHECK(config->repos[0].name == "acme/app");
  CHECK(config->repos[0].forge == "gitea");
}

TEST_CASE("config errors name the file, line and column") {
  ConfigFile file("admin_token: a\nagent_token: b\nlisen: 1.2.3.4:5\n");
  auto config = LoadServerConfig({"--config", file.path});
  REQUIRE_FALSE(config.ok());
  CHECK(config.status().message() == file.path + ":3:1: unknown key 'lisen'");

  ConfigFile broken("admin_token: [unclosed\n");
  auto bad = LoadServerConfig({"--config", broken.path});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind(broken.path + ":", 0) == 0);
}

TEST_CASE("flags are checked") {
  CHECK_FALSE(LoadServerConfig({"--agent-token", "g"}).ok());  // no admin token
  CHECK_FALSE(LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--listen", "nohost"}).ok());
  CHECK_FALSE(LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--listen", "h:99999"}).ok());
  CHECK_FALSE(LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--lease-seconds", "1"}).ok());
  auto unknown = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--frobnicate"});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() == "The following argument was not expected: --frobnicate");
  CHECK_FALSE(LoadServerConfig({"--admin-token"}).ok());  // missing value
  auto equals = LoadServerConfig({"--admin-token=a", "--agent-token=g", "--lease-seconds=30", "--listen=:9"});
  REQUIRE(equals.ok());
  CHECK(equals->lease_seconds == 30);
  CHECK(equals->port == 9);
}

TEST_CASE("the public URL loses its trailing slash and must be an http(s) URL") {
  auto config = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--public-url", "https://ci.example/"});
  REQUIRE(config.ok());
  CHECK(config->public_url == "https://ci.example");
  auto bad = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--public-url", "ci.example"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("public_url") != std::string::npos);
}

TEST_CASE("a bad number is an error naming it, from a flag or the file") {
  auto flag = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--lease-seconds", "99999"});
  REQUIRE_FALSE(flag.ok());
  CHECK(flag.status().message() == "--lease-seconds: must be a whole number from 2 to 3600, not \"99999\"");
  auto word = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--scan-recheck-seconds", "5s"});
  REQUIRE_FALSE(word.ok());
  CHECK(word.status().message() == "--scan-recheck-seconds: must be a whole number from 1 to 604800, not \"5s\"");

  ConfigFile lease("admin_token: a\nagent_token: g\nlease_seconds: 1\n");
  auto from_file = LoadServerConfig({"--config", lease.path});
  REQUIRE_FALSE(from_file.ok());
  CHECK(from_file.status().message() ==
        lease.path + ":3:16: lease_seconds must be a whole number from 2 to 3600, not \"1\"");
  ConfigFile attempts("admin_token: a\nagent_token: g\nmax_attempts: many\n");
  auto words = LoadServerConfig({"--config", attempts.path});
  REQUIRE_FALSE(words.ok());
  CHECK(words.status().message() ==
        attempts.path + ":3:15: max_attempts must be a whole number from 1 to 100, not \"many\"");
  ConfigFile recheck("admin_token: a\nagent_token: g\nscan:\n  recheck_seconds: 0\n");
  auto nested = LoadServerConfig({"--config", recheck.path});
  REQUIRE_FALSE(nested.ok());
  CHECK(nested.status().message() ==
        recheck.path + ":4:20: scan.recheck_seconds must be a whole number from 1 to 604800, not \"0\"");
}

TEST_CASE("tokens fall back to the environment, and come from files") {
  setenv("SLIPWAY_ADMIN_TOKEN", "admin-env", 1);
  setenv("SLIPWAY_AGENT_TOKEN", "agent-env", 1);
  auto env = LoadServerConfig({});
  REQUIRE(env.ok());
  CHECK(env->admin_token == "admin-env");
  CHECK(env->agent_token == "agent-env");
  CHECK(LoadServerConfig({"--admin-token", "flag"})->admin_token == "flag");  // a flag wins
  ConfigFile file("admin_token: from-file\n");
  CHECK(LoadServerConfig({"--config", file.path})->admin_token == "from-file");  // so does the file

  ConfigFile admin("admin-in-file\n");  // a trailing newline is not part of the token
  auto from_file = LoadServerConfig({"--admin-token-file", admin.path, "--admin-token", "flag"});
  REQUIRE(from_file.ok());
  CHECK(from_file->admin_token == "admin-in-file");
  CHECK(from_file->agent_token == "agent-env");
  auto agent = LoadServerConfig({"--agent-token-file=" + admin.path});
  REQUIRE(agent.ok());
  CHECK(agent->agent_token == "admin-in-file");
  unsetenv("SLIPWAY_ADMIN_TOKEN");
  unsetenv("SLIPWAY_AGENT_TOKEN");

  auto missing = LoadServerConfig({"--admin-token-file", "/nonexistent/token", "--agent-token", "g"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "--admin-token-file: cannot read /nonexistent/token: No such file or directory");
  ConfigFile empty("\n");
  auto blank = LoadServerConfig({"--admin-token", "a", "--agent-token-file", empty.path});
  REQUIRE_FALSE(blank.ok());
  CHECK(blank.status().message() == "--agent-token-file: " + empty.path + " is empty");
  auto none = LoadServerConfig({"--agent-token", "g"});
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message() ==
        "an admin token is required (--admin-token, --admin-token-file or SLIPWAY_ADMIN_TOKEN)");
}

TEST_CASE("scanners come from the scan section or flags, and are checked") {
  ConfigFile file(
      "admin_token: a\nagent_token: g\n"
      "scan:\n  scanners: [osv, trivy]\n  osv_database: /srv/osv\n");
  auto config = LoadServerConfig({"--config", file.path});
  REQUIRE(config.ok());
  CHECK(config->scan.scanners == std::vector<std::string>{"osv", "trivy"});
  CHECK(config->scan.osv_database == "/srv/osv");
  CHECK(config->scan.Uses("trivy"));
  CHECK_FALSE(config->scan.Uses("grype"));

  // An OSV database alone turns the built-in scanner on.
  auto implied = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--osv-database", "/srv/osv"});
  REQUIRE(implied.ok());
  CHECK(implied->scan.scanners == std::vector<std::string>{"osv"});
  // No database, no scanners.
  auto none = LoadServerConfig({"--admin-token", "a", "--agent-token", "g"});
  REQUIRE(none.ok());
  CHECK(none->scan.scanners.empty());

  auto unknown = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--scanners", "osv,clair"});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() == "unknown scanner 'clair' (osv, trivy or grype)");
  auto no_db = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--scanners", "osv"});
  REQUIRE_FALSE(no_db.ok());
  CHECK(no_db.status().message().find("needs an OSV database") != std::string::npos);

  ConfigFile typo("admin_token: a\nagent_token: g\nscan:\n  scaners: [osv]\n");
  auto bad = LoadServerConfig({"--config", typo.path});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == typo.path + ":4:3: unknown key 'scan.scaners'");
}

TEST_CASE("the base check schedule comes from the file or the flag and is checked") {
  CHECK(LoadServerConfig({"--admin-token", "a", "--agent-token", "g"})->base_check == "0 */6 * * *");
  ConfigFile file("admin_token: a\nagent_token: b\nbase_check: \"@daily\"\n");
  CHECK(LoadServerConfig({"--config", file.path})->base_check == "@daily");
  CHECK(LoadServerConfig({"--config", file.path, "--base-check", "off"})->base_check == "off");
  auto bad = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--base-check", "0 */6 * *"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "base_check \"0 */6 * *\": a cron expression has 5 fields (minute hour day-of-month month day-of-week), "
        "this one has 4");
  auto range = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--base-check", "0 30 * * *"});
  REQUIRE_FALSE(range.ok());
  CHECK(range.status().message() == "base_check \"0 30 * * *\": hour field: 30 is out of range 0-23");
}

TEST_CASE("a repository's publish policy and the registry allowlist come from the config file") {
  ConfigFile file(
      "admin_token: a\n"
      "agent_token: b\n"
      "allowed_registries: [127.0.0.1:5000, registry.example]\n"
      "repos:\n"
      "  - {name: acme/app, clone_url: /srv/app.git, image_prefixes: [127.0.0.1:5000/app],\n"
      "     protected_tags: [latest, \"v*\"], protected_branches: [release], agent_labels: [pool=build]}\n"
      "  - {name: acme/plain, clone_url: /srv/plain.git}\n");
  auto config = LoadServerConfig({"--config", file.path});
  REQUIRE(config.ok());
  REQUIRE(config->allowed_registries);
  CHECK(*config->allowed_registries == std::vector<std::string>{"127.0.0.1:5000", "registry.example"});
  REQUIRE(config->repos.size() == 2);
  REQUIRE(config->repos[0].policy);
  CHECK(config->repos[0].policy->image_prefixes == std::vector<std::string>{"127.0.0.1:5000/app"});
  CHECK(config->repos[0].policy->protected_tags == std::vector<std::string>{"latest", "v*"});
  CHECK(config->repos[0].policy->protected_branches == std::vector<std::string>{"release"});
  CHECK(config->repos[0].policy->agent_labels == std::vector<std::string>{"pool=build"});
  CHECK_FALSE(config->repos[1].policy);  // none given: the stored policy stays

  ConfigFile bad("admin_token: a\nagent_token: b\nrepos:\n  - {name: acme/app, clone_url: x, image_prefixes: [app]}\n");
  auto refused = LoadServerConfig({"--config", bad.path});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("image prefix \"app\" must be a lower-case registry path") != std::string::npos);
}

TEST_CASE("a repository's fork_pull_requests comes from the config file, checked") {
  ConfigFile file("admin_token: a\nagent_token: b\nrepos:\n"
                  "  - {name: acme/app, clone_url: x, fork_pull_requests: ignore}\n"
                  "  - {name: acme/plain, clone_url: y}\n");
  auto config = LoadServerConfig({"--config", file.path});
  REQUIRE(config.ok());
  CHECK(config->repos[0].fork_pull_requests == "ignore");
  CHECK_FALSE(config->repos[1].fork_pull_requests);  // none given: the stored choice stays
  ConfigFile bad("admin_token: a\nagent_token: b\nrepos:\n  - {name: acme/app, clone_url: x, fork_pull_requests: yes}\n");
  auto refused = LoadServerConfig({"--config", bad.path});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find(":4:56: repo acme/app: fork_pull_requests must be run, approve or ignore") !=
        std::string::npos);
}

TEST_CASE("a repository's clone URL in the config file carries no credential") {
  ConfigFile bad("admin_token: a\nagent_token: b\nrepos:\n"
                 "  - {name: acme/app, clone_url: 'https://ci:tok-config-123@git.example/app.git'}\n");
  auto refused = LoadServerConfig({"--config", bad.path});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("repo acme/app") != std::string::npos);
  CHECK(refused.status().message().find("set the repository's secret GIT_TOKEN") != std::string::npos);
  CHECK(refused.status().message().find("tok-config-123") == std::string::npos);

  ConfigFile ssh("admin_token: a\nagent_token: b\nrepos:\n  - {name: acme/app, clone_url: 'git@git.example:acme/app.git'}\n");
  CHECK(LoadServerConfig({"--config", ssh.path}).ok());
}

TEST_CASE("the http section sets the limits on clients, unknown keys and values under 1 are errors") {
  ConfigFile file(
      "admin_token: a\nagent_token: g\n"
      "http:\n  max_connections: 50\n  max_connections_per_address: 5\n  head_timeout_seconds: 3\n"
      "  body_timeout_seconds: 20\n  write_timeout_seconds: 7\n  max_streams: 9\n  workers: 2\n");
  auto config = LoadServerConfig({"--config", file.path});
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CHECK(config->http.max_connections == 50);
  CHECK(config->http.max_connections_per_address == 5);
  CHECK(config->http.head_timeout_ms == 3000);
  CHECK(config->http.body_timeout_ms == 20000);
  CHECK(config->http.write_timeout_ms == 7000);
  CHECK(config->http.max_streams == 9);
  CHECK(config->http_workers == 2);
  // The server takes them; untouched limits keep its defaults.
  slipway::http::ServerOptions options = slipway::api::ServerOptionsFor(*config);
  CHECK(options.max_connections == 50);
  CHECK(options.max_streams == 9);
  CHECK(options.port == 8080);
  auto defaults = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--listen", "0.0.0.0:9000"});
  REQUIRE(defaults.ok());
  CHECK_FALSE(defaults->http.max_connections_per_address);
  options = slipway::api::ServerOptionsFor(*defaults);
  CHECK(options.host == "0.0.0.0");
  CHECK(options.port == 9000);
  CHECK(options.max_connections_per_address == 64);
  CHECK(options.head_timeout_ms == 10000);

  ConfigFile zero("admin_token: a\nagent_token: g\nhttp:\n  max_streams: 0\n");
  auto bad = LoadServerConfig({"--config", zero.path});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().starts_with(zero.path + ":4:16: http.max_streams must be a whole number"));
  ConfigFile unknown("admin_token: a\nagent_token: g\nhttp:\n  keepalive: 3\n");
  auto odd = LoadServerConfig({"--config", unknown.path});
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.status().message() == unknown.path + ":4:3: unknown key 'http.keepalive'");
}

TEST_CASE("the upstream registry and registries with their CA files come from the file") {
  ConfigFile file(
      "admin_token: a\nagent_token: b\n"
      "upstream_registry: mirror.example:5000\n"
      "registries:\n"
      "  - {host: registry.example, ca_file: /etc/slipway/ca.crt}\n");
  auto config = LoadServerConfig({"--config", file.path});
  REQUIRE(config.ok());
  CHECK(config->upstream_registry == "mirror.example:5000");
  REQUIRE(config->registries.size() == 1);
  CHECK(config->registries[0].host == "registry.example");
  CHECK(config->registries[0].ca_file == "/etc/slipway/ca.crt");
  auto defaults = LoadServerConfig({"--admin-token", "a", "--agent-token", "b"});
  REQUIRE(defaults.ok());
  CHECK(defaults->upstream_registry == "registry-1.docker.io");

  ConfigFile bad("admin_token: a\nagent_token: b\nupstream_registry: \"bad host/\"\n");
  auto refused = LoadServerConfig({"--config", bad.path});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() == "upstream_registry \"bad host/\" is not a registry host");
}

TEST_CASE("stage timeouts come from the file or flags, as durations") {
  auto defaults = LoadServerConfig({"--admin-token", "a", "--agent-token", "g"});
  REQUIRE(defaults.ok());
  CHECK(defaults->stage_timeout_seconds == 3600);
  CHECK(defaults->max_stage_timeout_seconds == 6 * 3600);

  ConfigFile file("stage_timeout: 20m\nmax_stage_timeout: 2h\n");
  auto config = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--config", file.path, "--max-stage-timeout", "3h"});
  REQUIRE(config.ok());
  CHECK(config->stage_timeout_seconds == 1200);
  CHECK(config->max_stage_timeout_seconds == 3 * 3600);

  ConfigFile bad("stage_timeout: soon\n");
  auto not_duration = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--config", bad.path});
  REQUIRE_FALSE(not_duration.ok());
  CHECK(not_duration.status().message() == bad.path + ":1:16: stage_timeout is not a duration (90s, 10m, 1h)");
  auto flag = LoadServerConfig({"--admin-token", "a", "--agent-token", "g", "--stage-timeout", "1d"});
  REQUIRE_FALSE(flag.ok());
  CHECK(flag.status().message().find("\"1d\" is not a duration") != std::string::npos);
}

TEST_CASE("TLS files go together, reads are private unless public_read, the agent token is optional") {
  auto plain = LoadServerConfig({"--admin-token", "a"});
  REQUIRE(plain.ok());
  CHECK(plain->agent_token.empty());
  CHECK_FALSE(plain->public_read);
  CHECK(plain->tls_cert_file.empty());
  auto half = LoadServerConfig({"--admin-token", "a", "--tls-cert", "c.pem"});
  REQUIRE_FALSE(half.ok());
  CHECK(half.status().message() == "--tls-cert and --tls-key go together");
  ConfigFile file("admin_token: a\ntls_cert: /etc/c.pem\ntls_key: /etc/k.pem\npublic_read: true\n");
  auto config = LoadServerConfig({"--config", file.path});
  REQUIRE(config.ok());
  CHECK(config->tls_cert_file == "/etc/c.pem");
  CHECK(config->tls_key_file == "/etc/k.pem");
  CHECK(config->public_read);
  auto flags = LoadServerConfig({"--admin-token", "a", "--public-read", "--tls-cert", "c", "--tls-key", "k"});
  REQUIRE(flags.ok());
  CHECK(flags->public_read);
  CHECK(flags->tls_key_file == "k");
}
