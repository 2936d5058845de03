// Runs the built `slipway` binary on checked-in pipelines: exact lint output and exit codes, and
// plan --json.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "common/subprocess.h"
#include "support/loopback.h"

namespace {

const std::string kSlipway = std::string(SLIPWAY_BINARY_DIR) + "/cli/slipway";
const std::string kData = std::string(SLIPWAY_TEST_DATA_DIR) + "/pipelines";

slipway::ProcessOutput Run(std::vector<std::string> args, const std::string& cwd = kData,
                           std::vector<std::string> env = {}) {
  args.insert(args.begin(), kSlipway);
  slipway::ProcessOptions options;
  options.cwd = cwd;
  options.extra_env = std::move(env);
  auto out = slipway::RunProcess(args, options);
  REQUIRE(out.ok());
  return *out;
}

}  // namespace

TEST_CASE("slipway lint prints every problem and exits 1") {
  auto out = Run({"lint", "cli/broken/.slipway.yml"});
  CHECK(out.exit_code == 1);
  CHECK(out.out ==
        "cli/broken/.slipway.yml:4:13: error[unknown-target]: stage \"test\" builds target \"tests\", which "
        "Dockerfile does not define (stages: test, runtime)\n"
        "cli/broken/.slipway.yml:6:19: error[unknown-need]: stage \"runtime\" needs \"lint\", which is not a "
        "stage of this pipeline\n"
        "cli/broken/.slipway.yml:7:24: error[bad-size]: \"big\" is not a size (examples: 150MB, 1.5GiB, 200k, "
        "1048576)\n");
  CHECK(out.err.empty());
}

TEST_CASE("slipway lint with no argument reads .slipway.yml in the working directory") {
  auto broken = Run({"lint"}, kData + "/cli/broken");
  CHECK(broken.exit_code == 1);
  CHECK(broken.out.rfind(".slipway.yml:4:13: error[unknown-target]", 0) == 0);

  auto clean = Run({"lint"}, kData + "/cases/derived-from-dockerfile");
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.empty());
  CHECK(clean.err == ".slipway.yml: ok (3 jobs)\n");

  auto missing = Run({"lint", "no/such/file.yml"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.out == "no/such/file.yml:1:1: error[missing-pipeline]: the pipeline file file.yml does not exist\n");
}

TEST_CASE("slipway plan --json prints full job specs") {
  auto out = Run({"plan", "cases/design-example", "--branch", "release/2", "--sha",
                  "89abcdef0123456789abcdef0123456789abcdef", "--run", "5", "--changed", "src/app.py", "README.md",
                  "--json"});
  REQUIRE(out.exit_code == 0);
  auto j = nlohmann::json::parse(out.out);
  CHECK(j["filtered_out"] == false);
  REQUIRE(j["jobs"].size() == 4);
  const auto& rt = j["jobs"][1];
  CHECK(rt["name"] == "runtime-3.11");
  CHECK(rt["target"] == "runtime");
  CHECK(rt["needs"] == nlohmann::json::array({"test-3.11"}));
  CHECK(rt["push"] == true);
  CHECK(rt["tags"][0] == "127.0.0.1:5000/shop:release-2");
  CHECK(rt["tags"][1] == "127.0.0.1:5000/shop:89abcde");
  CHECK(rt["cache_ref"] == "127.0.0.1:5000/shop:cache-runtime-3.11");
  CHECK(rt["budget"]["max_size_bytes"] == 150000000);
  CHECK(rt["build_args"] == nlohmann::json::parse(R"([["APP_ENV","prod"],["PYTHON_VERSION","3.11"]])"));
  CHECK(j["diagnostics"].size() == 2);  // the {branch} and {short_sha} tags collide across the matrix
}

TEST_CASE("slipway plan reports filtered pushes, and text output") {
  auto filtered = Run({"plan", "cases/design-example", "--branch", "dev"});
  CHECK(filtered.exit_code == 0);
  CHECK(filtered.out == "filtered out: branch \"dev\" does not match on.push.branches [main, release/*]\n");

  auto text = Run({"plan", "cases/derived-from-dockerfile"});
  CHECK(text.exit_code == 0);
  CHECK(text.out ==
        "deps\n  target: deps\n  needs: -\n"
        "build\n  target: build\n  needs: deps\n"
        "runtime\n  target: runtime\n  needs: deps, build\n");
}

TEST_CASE("slipway: bad flags and commands exit 2, --help exits 0") {
  auto bad = Run({"plan", "--bogus"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "slipway plan: The following argument was not expected: --bogus (see slipway plan --help)\n");
  CHECK(Run({"plan", "--branch"}).exit_code == 2);
  CHECK(Run({"plan", "--run", "x1"}).exit_code == 2);
  CHECK(Run({"lint", "a", "b"}).exit_code == 2);
  CHECK(Run({"frobnicate"}).exit_code == 2);
  CHECK(Run({}).exit_code == 2);
  auto run = Run({"plan", "--run", "-1"});
  CHECK(run.exit_code == 2);
  CHECK(run.err == "slipway plan: --run: must be a whole number of at least 0, not \"-1\" (see slipway plan --help)\n");
  auto help = Run({"plan", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("Usage: slipway plan [OPTIONS] [DIR]") != std::string::npos);
  auto lint = Run({"lint", "--help"});
  CHECK(lint.exit_code == 0);
  CHECK(lint.out.find("secret-in-env") != std::string::npos);  // the rule table
  auto top = Run({"--help"});
  CHECK(top.exit_code == 0);
  CHECK(top.out.find("  lint ") != std::string::npos);
}

TEST_CASE("--help exits 0 on every program and every slipway command") {
  for (const char* command : {"lint", "plan", "runs", "show", "logs", "wait", "trigger", "rerun", "cancel", "approve",
                              "base-check", "analyze"}) {
    INFO(command);
    auto help = Run({command, "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find(std::string("Usage: slipway ") + command) != std::string::npos);
    CHECK(Run({command, "-h"}).exit_code == 0);
  }
  for (const char* program : {"/orchestrator/slipwayd", "/agents/slipway-agent"}) {
    INFO(program);
    auto help = slipway::RunProcess({std::string(SLIPWAY_BINARY_DIR) + program, "--help"}, {});
    REQUIRE(help.ok());
    CHECK(help->exit_code == 0);
    CHECK(help->out.find("token-file FILE") != std::string::npos);  // --admin-token-file, --token-file
  }
}

TEST_CASE("slipway-agent: bad numbers and missing tokens are clear errors, the token falls back to the environment") {
  const std::string agent = std::string(SLIPWAY_BINARY_DIR) + "/agents/slipway-agent";
  auto capacity = slipway::RunProcess({agent, "--server=http://127.0.0.1:1", "--token=t", "--name=a", "--capacity=65"}, {});
  REQUIRE(capacity.ok());
  CHECK(capacity->exit_code == 2);
  CHECK(capacity->err ==
        "slipway-agent: --capacity: must be a whole number from 1 to 64, not \"65\" (see slipway-agent --help)\n");
  auto no_token = slipway::RunProcess({agent, "--server", "http://127.0.0.1:1", "--name", "a"}, {});
  REQUIRE(no_token.ok());
  CHECK(no_token->exit_code == 2);
  CHECK(no_token->err.find("an agent token is required") != std::string::npos);
  // With the token from the environment the agent gets as far as its labels.
  slipway::ProcessOptions env;
  env.extra_env = {"SLIPWAY_AGENT_TOKEN=from-env"};
  auto labels = slipway::RunProcess({agent, "--server", "http://127.0.0.1:1", "--name", "a", "--labels", "x"}, env);
  REQUIRE(labels.ok());
  CHECK(labels->exit_code == 2);
  CHECK(labels->err.find("label") != std::string::npos);
  CHECK(labels->err.find("token") == std::string::npos);
}

namespace {

// Accepts one HTTP request on 127.0.0.1, keeps its head and answers `body` with 200. Stands in for
// slipwayd where a test checks only what the CLI sends.
class OneRequestListener {
 public:
  explicit OneRequestListener(std::string body) : body_(std::move(body)) {
    fd_ = slipway::testing::ListenOnLoopback(&port_, 1);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneRequestListener() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The request head; call after the client is done.
  const std::string& head() const { return head_; }

 private:
  void Serve() {
    int conn = accept(fd_, nullptr, nullptr);
    if (conn < 0) return;
    char buf[4096];
    while (head_.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = read(conn, buf, sizeof buf);
      if (n <= 0) break;
      head_.append(buf, static_cast<size_t>(n));
    }
    std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
    (void)!write(conn, reply.data(), reply.size());
    close(conn);
  }

  std::string body_;
  int fd_ = -1;
  int port_ = 0;
  std::string head_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("slipway encodes what it puts in a URL, and reads the server and token from the environment") {
  OneRequestListener server(R"({"runs":[]})");
  auto out = Run({"runs", "--branch=feat/a b&c", "--repo", "acme/app", "--limit", "5"}, kData,
                 {"SLIPWAY_SERVER=" + server.url(), "SLIPWAY_TOKEN=env-token"});
  INFO(out.err);
  CHECK(out.exit_code == 0);
  CHECK(server.head().rfind("GET /api/v1/runs?repo=acme%2Fapp&branch=feat%2Fa%20b%26c&limit=5 HTTP/1.1\r\n", 0) == 0);
  CHECK(server.head().find("Authorization: Bearer env-token\r\n") != std::string::npos);
}

TEST_CASE("slipway reads the token from --token-file, and checks numbers") {
  OneRequestListener server(R"({"id":7,"status":"success"})");
  std::string token_file = std::string(SLIPWAY_BINARY_DIR) + "/tests/cli/token.txt";
  std::ofstream(token_file) << "file-token\n";
  auto out = Run({"show", "a/b", "--json", "--server", server.url(), "--token-file", token_file}, kData,
                 {"SLIPWAY_TOKEN=env-token"});
  INFO(out.err);
  CHECK(out.exit_code == 0);
  CHECK(server.head().rfind("GET /api/v1/runs/a%2Fb HTTP/1.1\r\n", 0) == 0);
  CHECK(server.head().find("Authorization: Bearer file-token\r\n") != std::string::npos);

  auto timeout = Run({"wait", "7", "--timeout", "soon"});
  CHECK(timeout.exit_code == 2);
  CHECK(timeout.err ==
        "slipway wait: --timeout: must be a whole number from 0 to 604800, not \"soon\" (see slipway wait --help)\n");
  auto missing = Run({"show", "7", "--token-file", "/nonexistent/token"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--token-file: cannot read /nonexistent/token") != std::string::npos);
}
