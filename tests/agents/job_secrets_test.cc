// JobSecrets: a lease's secrets in a job-scoped folder (files 0600, a DOCKER_CONFIG of its own),
// masked in text, and gone once the job ends.
#include "agent/job_secrets.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "support/files.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

int Mode(const fs::path& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

protocol::LeaseOffer Lease() {
  protocol::LeaseOffer lease;
  lease.spec.secrets = {{"pip_token", "PYPI_TOKEN", false}, {"npm", "NPM_TOKEN", true}};
  lease.spec.ssh = {{"default", "SSH_KEY"}};
  lease.secrets = {{"pip_token", "pypi-secret-value", false}, {"npm", "npm-secret-value", true}};
  lease.ssh_keys = {
      {"default",
       "-----BEGIN OPENSSH PRIVATE KEY-----\nkey-body-value\n-----END OPENSSH PRIVATE KEY-----",
       false}};
  lease.registries = {{"127.0.0.1:5001", "ci-user", "registry-password"}};
  return lease;
}

}  // namespace

TEST_CASE("a lease's secrets are written 0600 in the job's folder, and removed with it") {
  testing::TempDir tmp;
  const fs::path base = fs::path(tmp.path()) / "agent-docker";
  fs::create_directories(base / "cli-plugins");
  std::ofstream(base / "config.json") << R"({"credsStore": "desktop", "currentContext": "default",
      "auths": {"other.example": {"auth": "b3RoZXI6cHc="}}, "credHelpers": {"127.0.0.1:5001": "gcr"}})";
  const fs::path dir = fs::path(tmp.path()) / "secrets" / "w0";
  {
    auto secrets = JobSecrets::Write(dir.string(), Lease(), base.string());
    INFO(secrets.status().ToString());
    REQUIRE(secrets.ok());
    const JobSecrets& s = **secrets;
    CHECK(Mode(dir) == 0700);
    REQUIRE(s.secret_files().count("pip_token") == 1);
    CHECK(Read(s.secret_files().at("pip_token")) == "pypi-secret-value");
    CHECK(Mode(s.secret_files().at("pip_token")) == 0600);
    // An env secret is never written: buildx reads it from its own environment.
    CHECK(s.secret_files().count("npm") == 0);
    CHECK(s.secret_envs().at("npm") == "SLIPWAY_SECRET_0");
    CHECK(std::find(s.environment().begin(), s.environment().end(),
                    "SLIPWAY_SECRET_0=npm-secret-value") != s.environment().end());
    CHECK(Read(s.ssh_files().at("default")).ends_with("-----END OPENSSH PRIVATE KEY-----\n"));
    CHECK(Mode(s.ssh_files().at("default")) == 0600);

    // The job's DOCKER_CONFIG: the agent's config, with the lease's login and no helper for it.
    REQUIRE_FALSE(s.docker_config_dir().empty());
    CHECK(std::find(s.environment().begin(), s.environment().end(),
                    "DOCKER_CONFIG=" + s.docker_config_dir()) != s.environment().end());
    const fs::path config_file = fs::path(s.docker_config_dir()) / "config.json";
    CHECK(Mode(config_file) == 0600);
    auto config = nlohmann::json::parse(Read(config_file));
    CHECK(config["auths"]["127.0.0.1:5001"]["auth"] == Base64Encode("ci-user:registry-password"));
    CHECK(config["auths"]["other.example"]["auth"] == "b3RoZXI6cHc=");
    CHECK(config["currentContext"] == "default");
    CHECK_FALSE(config.contains("credsStore"));
    CHECK_FALSE(config["credHelpers"].contains("127.0.0.1:5001"));
    CHECK(fs::is_symlink(fs::path(s.docker_config_dir()) / "cli-plugins"));
    // The agent's own config is left as it was.
    CHECK(Read(base / "config.json").find("registry-password") == std::string::npos);

    // Masking: every value, in its encoded forms.
    CHECK(s.Mask("token pypi-secret-value and " + Base64Encode("registry-password")) ==
          "token *** and ***");
    CHECK(s.Mask("auth " + Base64Encode("ci-user:registry-password")) == "auth ***");
    CHECK(s.Mask("key-body-value") == "***");
  }
  // Gone with the job, the links removed and not followed.
  CHECK_FALSE(fs::exists(dir));
  CHECK(fs::exists(base / "cli-plugins"));
}

TEST_CASE("a secret the job names but the lease lacks fails the job, leaving nothing behind") {
  testing::TempDir tmp;
  const fs::path dir = fs::path(tmp.path()) / "secrets" / "w1";
  protocol::LeaseOffer lease = Lease();
  lease.secrets.erase(lease.secrets.begin());  // pip_token withheld
  auto secrets = JobSecrets::Write(dir.string(), lease, tmp.path());
  REQUIRE_FALSE(secrets.ok());
  CHECK(secrets.status().message().find("secret pip_token (from PYPI_TOKEN)") != std::string::npos);
  CHECK_FALSE(fs::exists(dir));

  lease = Lease();
  lease.secrets[0].id = "../escape";
  lease.spec.secrets[0].id = "../escape";
  CHECK_FALSE(JobSecrets::Write(dir.string(), lease, tmp.path()).ok());
  CHECK_FALSE(fs::exists(fs::path(tmp.path()) / "secrets" / "escape"));
}

TEST_CASE("leftover secrets of a killed agent are removed at start") {
  testing::TempDir tmp;
  fs::create_directories(fs::path(SecretsRoot(tmp.path())) / "w0");
  std::ofstream(fs::path(SecretsRoot(tmp.path())) / "w0" / "secret-x") << "left-behind-value";
  RemoveLeftoverSecrets(tmp.path());
  CHECK_FALSE(fs::exists(SecretsRoot(tmp.path())));
}

}  // namespace slipway::agent
