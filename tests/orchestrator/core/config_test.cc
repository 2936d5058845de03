#include "core/config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

using slipway::core::LoadServerConfig;

namespace {

// A config file in /tmp, removed afterwards.
struct ConfigFile {
  explicit ConfigFile(const std::string& text) {
    char tmpl[] = "/tmp/slipway-config-XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    path = tmpl;
    std::ofstream(path) << text;
  }
  ~ConfigFile() { std::remove(path.c_str()); }
  std::string path;
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
  CHECK(unknown.status().message() == "unknown flag --frobnicate");
  CHECK_FALSE(LoadServerConfig({"--admin-token"}).ok());  // missing value
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
