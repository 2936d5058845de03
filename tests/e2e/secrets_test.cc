// The secrets API end to end against a real slipwayd: values sealed in the database, never in an
// answer, a log or the data folder in plain text; the key file made 0600 on first start.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/http_client.h"
#include "harness.h"

using namespace slipway::e2e;
using nlohmann::json;
using slipway::testing::FilesHolding;

namespace {

HttpResult Call(const Server& server, const std::string& method, const std::string& path, const std::string& body,
                const std::string& token = Server::kAdminToken) {
  return server.Call(method, path, body, token);
}

}  // namespace

TEST_CASE("Secrets are set, listed by name and deleted, their values are never answered or stored plain") {
  TempDir dir;
  const std::string value = "pypi-" + UniqueName("token-value");
  const std::string repo = UniqueName("acme/secret-app");
  {
    Server server(dir.path() + "/data");
    server.AddRepo(repo, dir.path() + "/nowhere.git", "hook-secret");

    auto set = Call(server, "PUT", "/api/v1/repos/" + repo + "/secrets/PYPI_TOKEN",
                    json{{"value", value}, {"protected", true}}.dump());
    INFO(set.body);
    REQUIRE(set.status == 200);
    CHECK(set.json["name"] == "PYPI_TOKEN");
    CHECK(set.json["protected"] == true);
    CHECK(set.body.find(value) == std::string::npos);

    auto server_wide = Call(server, "PUT", "/api/v1/secrets/REGISTRY_PASSWORD", json{{"value", value + "-2"}}.dump());
    REQUIRE(server_wide.status == 200);
    CHECK(server_wide.json["scope"] == "server");

    auto list = Call(server, "GET", "/api/v1/repos/" + repo + "/secrets", "");
    REQUIRE(list.status == 200);
    REQUIRE(list.json["secrets"].size() == 1);
    CHECK(list.json["secrets"][0]["name"] == "PYPI_TOKEN");
    CHECK(list.json["secrets"][0].contains("created_at"));
    CHECK(list.body.find(value) == std::string::npos);

    // Without the admin token: nothing, not even names.
    CHECK(Call(server, "GET", "/api/v1/repos/" + repo + "/secrets", "", "").status == 401);
    CHECK(Call(server, "PUT", "/api/v1/repos/" + repo + "/secrets/X", json{{"value", "v"}}.dump(), "wrong").status ==
          401);
    // Bad requests say what is wrong; an unknown repository is 404.
    auto bad_name = Call(server, "PUT", "/api/v1/repos/" + repo + "/secrets/9lives", json{{"value", "v"}}.dump());
    CHECK(bad_name.status == 400);
    CHECK(bad_name.json["error"]["message"].get<std::string>().find("secret name") != std::string::npos);
    CHECK(Call(server, "PUT", "/api/v1/repos/" + repo + "/secrets/X", R"({"value": 5})").status == 400);
    CHECK(Call(server, "PUT", "/api/v1/repos/" + repo + "/secrets/X", json{{"value", "v"}, {"protected", "yes"}}.dump())
              .status == 400);
    CHECK(Call(server, "GET", "/api/v1/repos/nobody/here/secrets", "").status == 404);

    CHECK(Call(server, "DELETE", "/api/v1/repos/" + repo + "/secrets/PYPI_TOKEN", "").status == 204);
    CHECK(Call(server, "DELETE", "/api/v1/repos/" + repo + "/secrets/PYPI_TOKEN", "").status == 404);
    CHECK(Call(server, "GET", "/api/v1/repos/" + repo + "/secrets", "").json["secrets"].empty());
    CHECK(server.process().Output().find(value) == std::string::npos);
  }
  // After a clean stop (WAL folded in), no file of the data folder holds a value in plain text.
  CHECK(FilesHolding(dir.path() + "/data", value).empty());
  struct stat st {};
  REQUIRE(stat((dir.path() + "/data/secrets.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("slipway secret sets a value read from standard input, lists names only, and removes it") {
  TempDir dir;
  const std::string value = UniqueName("cli-secret-value");
  const std::string repo = UniqueName("acme/cli-app");
  Server server(dir.path() + "/data");
  server.AddRepo(repo, dir.path() + "/nowhere.git", "hook-secret");
  const std::string slipway = BinaryDir() + "/cli/slipway";
  const std::string common = " --server=" + server.url() + " --token=" + Server::kAdminToken;
  // The value goes in through a pipe ($1), never as an argument of slipway.
  std::string set = Run({"sh", "-c", "printf '%s\\n' \"$1\" | \"$2\" secret set \"$3\" PIP_TOKEN --protected" + common, "sh",
                         value, slipway, repo});
  CHECK(set.find("secret PIP_TOKEN set for " + repo + " (protected)") != std::string::npos);
  std::string listed = Run({slipway, "secret", "list", repo, "--server=" + server.url(),
                            std::string("--token=") + Server::kAdminToken});
  CHECK(listed.find("PIP_TOKEN") != std::string::npos);
  CHECK(listed.find("protected") != std::string::npos);
  CHECK(listed.find(value) == std::string::npos);
  // Sealed at rest: no file of the data folder holds the value.
  CHECK(FilesHolding(dir.path() + "/data", value).empty());
  Run({slipway, "secret", "rm", repo, "PIP_TOKEN", "--server=" + server.url(), std::string("--token=") + Server::kAdminToken});
  auto empty = Call(server, "GET", "/api/v1/repos/" + repo + "/secrets", "");
  CHECK(empty.json["secrets"].empty());
}

TEST_CASE("slipwayd refuses to start with a secrets key others can read") {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/data");
  const std::string key = dir.path() + "/data/secrets.key";
  { std::ofstream(key) << std::string(32, 'k'); }
  chmod(key.c_str(), 0644);
  Process slipwayd({BinaryDir() + "/orchestrator/slipwayd", "--listen", "127.0.0.1:0", "--data", dir.path() + "/data",
                    "--admin-token", "a", "--agent-token", "b"},
                   "slipwayd");
  CHECK(slipwayd.Wait() == 1);
  CHECK(slipwayd.Output().find("chmod 600") != std::string::npos);
}
