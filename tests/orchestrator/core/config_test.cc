#include "core/config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>

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
