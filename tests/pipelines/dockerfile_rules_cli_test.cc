// Runs the built `slipway lint` on the shipped examples (they follow every Dockerfile rule) and on
// a repository whose Dockerfile breaks some, with silencing by comment and by lint.ignore.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/subprocess.h"

namespace fs = std::filesystem;

namespace {

const std::string kSlipway = std::string(SLIPWAY_BINARY_DIR) + "/cli/slipway";

slipway::ProcessOutput Lint(const std::string& dir) {
  slipway::ProcessOptions options;
  options.cwd = dir;
  auto out = slipway::RunProcess({kSlipway, "lint"}, options);
  REQUIRE(out.ok());
  return *out;
}

// A scratch repository under the build tree, removed at the end.
struct ScratchRepo {
  fs::path dir = fs::path(SLIPWAY_BINARY_DIR) / "tests" / "pipelines" / "lint-scratch";
  ScratchRepo() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~ScratchRepo() { fs::remove_all(dir); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
  }
};

}  // namespace

TEST_CASE("slipway lint is clean on the examples") {
  for (const char* example : {"hello", "python-app"}) {
    INFO("example " << example);
    auto out = Lint(std::string(SLIPWAY_SOURCE_DIR) + "/examples/" + example);
    CHECK(out.exit_code == 0);
    CHECK(out.out.empty());
    CHECK(out.err == ".slipway.yml: ok (3 jobs)\n");
  }
}

TEST_CASE("slipway lint prints Dockerfile findings, errors exit 1, silencing works") {
  ScratchRepo repo;
  repo.Write("Dockerfile",
             "FROM python:3.12\n"
             "ENV API_TOKEN=abc\n"
             "COPY . .\n"
             "RUN pip install -r requirements.txt\n");
  repo.Write(".slipway.yml", "version: 1\n");
  auto out = Lint(repo.dir.string());
  CHECK(out.exit_code == 1);
  CHECK(out.out ==
        "Dockerfile:1:1: warning[runtime-as-root]: stage 0 ships with no USER, so its process runs "
        "as root; fix: "
        "create an unprivileged user (useradd --system app, or adduser -S app) and add USER app "
        "before CMD\n"
        "Dockerfile:1:6: warning[full-runtime-base]: stage 0 ships on python:3.12, the full image "
        "with compilers "
        "and headers (about 1 GB); fix: FROM python:3.12-slim for the runtime stage and build "
        "anything native in "
        "another stage\n"
        "Dockerfile:2:5: error[secret-in-env]: ENV API_TOKEN puts a secret in the image config, "
        "which anyone who "
        "pulls the image can read; fix: drop it, give the stage `secrets: [{id: api_token, from: "
        "API_TOKEN}]` in .slipway.yml and read it only where needed with RUN "
        "--mount=type=secret,id=api_token (builds get secrets with --secret, never "
        "--build-arg)\n"
        "Dockerfile:3:1: warning[copy-before-install]: COPY of the whole context comes before "
        "\"pip install\" on "
        "line 4, so any source change re-runs the install; fix: COPY requirements*.txt or "
        "pyproject.toml (and its "
        "lock file) first, run the install, then COPY the rest\n"
        "Dockerfile:4:5: warning[pip-cache]: \"pip install\" leaves its download cache in the "
        "layer; fix: pip "
        "install --no-cache-dir, ENV PIP_NO_CACHE_DIR=1, or RUN "
        "--mount=type=cache,target=/root/.cache/pip\n");

  repo.Write("Dockerfile",
             "# slipway:ignore=runtime-as-root,full-runtime-base\n"
             "FROM python:3.12\n"
             "# slipway:ignore=secret-in-env\n"
             "ENV API_TOKEN=abc\n"
             "COPY . .\n"
             "RUN pip install -r requirements.txt\n");
  repo.Write(".slipway.yml", "version: 1\nlint:\n  ignore: [copy-before-install]\n");
  out = Lint(repo.dir.string());
  CHECK(out.exit_code == 0);
  CHECK(out.out.rfind("Dockerfile:6:5: warning[pip-cache]: ", 0) == 0);
  CHECK(out.out.find('\n') == out.out.size() - 1);
  CHECK(out.err == ".slipway.yml: ok (1 job)\n");

  repo.Write(".slipway.yml",
             "version: 1\nlint:\n  ignore: [copy-before-install]\n  fail_on: warning\n");
  out = Lint(repo.dir.string());
  CHECK(out.exit_code == 1);
  CHECK(out.out.rfind("Dockerfile:6:5: error[pip-cache]: ", 0) == 0);
}
