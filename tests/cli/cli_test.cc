// Runs the built `slipway` binary on checked-in pipelines: exact lint output and exit codes, and
// plan --json.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/subprocess.h"

namespace {

const std::string kSlipway = std::string(SLIPWAY_BINARY_DIR) + "/cli/slipway";
const std::string kData = std::string(SLIPWAY_TEST_DATA_DIR) + "/pipelines";

slipway::ProcessOutput Run(std::vector<std::string> args, const std::string& cwd = kData) {
  args.insert(args.begin(), kSlipway);
  slipway::ProcessOptions options;
  options.cwd = cwd;
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
  CHECK(bad.err == "slipway plan: unknown flag --bogus (see slipway plan --help)\n");
  CHECK(Run({"plan", "--branch"}).exit_code == 2);
  CHECK(Run({"plan", "--run", "x1"}).exit_code == 2);
  CHECK(Run({"lint", "a", "b"}).exit_code == 2);
  CHECK(Run({"frobnicate"}).exit_code == 2);
  CHECK(Run({}).exit_code == 2);
  auto help = Run({"plan", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.rfind("usage: slipway plan", 0) == 0);
  CHECK(Run({"lint", "--help"}).exit_code == 0);
  auto top = Run({"--help"});
  CHECK(top.exit_code == 0);
  CHECK(top.out.find("  lint ") != std::string::npos);
}
