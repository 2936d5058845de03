#include "agent/build_command.h"

#include <algorithm>
#include <catch2/catch.hpp>

namespace slipway::agent {
namespace {

pipelines::JobSpec Spec() {
  pipelines::JobSpec s;
  s.name = "runtime";
  s.target = "runtime";
  s.dockerfile = "docker/Dockerfile";
  s.context = "app";
  s.build_args = {{"APP_ENV", "prod"}, {"PYTHON_VERSION", "3.11"}};
  s.platforms = {"linux/amd64"};
  s.tags = {"127.0.0.1:5000/shop:main", "127.0.0.1:5000/shop:abc1234"};
  s.push = true;
  s.cache_ref = "127.0.0.1:5000/shop/cache:runtime";
  return s;
}

BuildInvocation Inv(bool cache_export = true) {
  BuildInvocation inv;
  inv.checkout_dir = "/w/jobs/w0";
  inv.metadata_file = "/w/jobs/w0.metadata.json";
  inv.cache_export = cache_export;
  return inv;
}

TEST_CASE("argv for a pushed stage with a registry cache") {
  auto argv = BuildxArgv(Spec(), Inv());
  REQUIRE(argv.ok());
  CHECK(*argv == std::vector<std::string>{
                     "docker", "buildx", "build", "--target", "runtime", "--file", "/w/jobs/w0/docker/Dockerfile",
                     "--progress=rawjson", "--metadata-file", "/w/jobs/w0.metadata.json",
                     "--build-arg", "APP_ENV=prod", "--build-arg", "PYTHON_VERSION=3.11",
                     "--platform", "linux/amd64",
                     "--tag", "127.0.0.1:5000/shop:main", "--tag", "127.0.0.1:5000/shop:abc1234", "--push",
                     "--cache-from", "type=registry,ref=127.0.0.1:5000/shop/cache:runtime",
                     "--cache-to", "type=registry,ref=127.0.0.1:5000/shop/cache:runtime,mode=max",
                     "/w/jobs/w0/app"});
}

TEST_CASE("argv for a loaded stage, defaults, no cache export") {
  pipelines::JobSpec s;
  s.target = "test";
  s.cache_ref = "127.0.0.1:5000/shop/cache:test";
  auto argv = BuildxArgv(s, Inv(/*cache_export=*/false));
  REQUIRE(argv.ok());
  CHECK(*argv == std::vector<std::string>{"docker", "buildx", "build", "--target", "test", "--file",
                                          "/w/jobs/w0/Dockerfile", "--progress=rawjson", "--metadata-file",
                                          "/w/jobs/w0.metadata.json", "--load", "--cache-from",
                                          "type=registry,ref=127.0.0.1:5000/shop/cache:test", "/w/jobs/w0"});
}

TEST_CASE("a stage with pull asks the registry for its bases (--pull)") {
  pipelines::JobSpec s;
  s.target = "runtime";
  s.pull = true;
  auto argv = BuildxArgv(s, Inv());
  REQUIRE(argv.ok());
  CHECK(*argv == std::vector<std::string>{"docker", "buildx", "build", "--target", "runtime", "--file",
                                          "/w/jobs/w0/Dockerfile", "--progress=rawjson", "--metadata-file",
                                          "/w/jobs/w0.metadata.json", "--load", "--pull", "/w/jobs/w0"});
  s.pull = false;
  auto without = BuildxArgv(s, Inv());
  REQUIRE(without.ok());
  CHECK(std::find(without->begin(), without->end(), "--pull") == without->end());
}

TEST_CASE("hostile build arg values stay one argv element") {
  pipelines::JobSpec s;
  s.target = "t";
  s.build_args = {{"X", "$(rm -rf /); echo `id` && --push"}, {"Y", "a b\nc"}};
  auto argv = BuildxArgv(s, Inv());
  REQUIRE(argv.ok());
  CHECK(argv->at(10) == "--build-arg");
  CHECK(argv->at(11) == "X=$(rm -rf /); echo `id` && --push");
  CHECK(argv->at(13) == "Y=a b\nc");
  CHECK(argv->size() == 16);
}

TEST_CASE("values that could pass for options, or paths leaving the checkout, are refused") {
  auto refused = [](pipelines::JobSpec s) { return !BuildxArgv(s, Inv()).ok(); };
  pipelines::JobSpec s = Spec();
  s.target = "--output=type=local,dest=/";
  CHECK(refused(s));
  s = Spec();
  s.tags.push_back("-o/tmp");
  CHECK(refused(s));
  s = Spec();
  s.tags = {"a:b c"};
  CHECK(refused(s));
  s = Spec();
  s.platforms = {"linux/amd64\n--push"};
  CHECK(refused(s));
  s = Spec();
  s.build_args = {{"BAD NAME", "v"}};
  CHECK(refused(s));
  s = Spec();
  s.build_args = {{"--secret", "v"}};
  CHECK(refused(s));
  s = Spec();
  s.dockerfile = "../../etc/passwd";
  CHECK(refused(s));
  s = Spec();
  s.context = "/etc";
  CHECK(refused(s));
  s = Spec();
  s.cache_ref = "r,mode=max,dest=/tmp";
  CHECK(refused(s));
  s = Spec();
  s.tags.clear();
  CHECK(refused(s));  // push needs a tag
}

TEST_CASE("secrets and ssh keys are passed by file or variable, never by value") {
  BuildInvocation inv = Inv();
  inv.secret_files = {{"pip_token", "/w/secrets/w0/secret-pip_token"}};
  inv.secret_envs = {{"npm", "SLIPWAY_SECRET_0"}};
  inv.ssh_files = {{"default", "/w/secrets/w0/ssh-default"}};
  auto argv = BuildxArgv(Spec(), inv);
  REQUIRE(argv.ok());
  auto has_pair = [&](const std::string& a, const std::string& b) {
    for (size_t i = 0; i + 1 < argv->size(); ++i) {
      if ((*argv)[i] == a && (*argv)[i + 1] == b) return true;
    }
    return false;
  };
  CHECK(has_pair("--secret", "id=pip_token,src=/w/secrets/w0/secret-pip_token"));
  CHECK(has_pair("--secret", "id=npm,env=SLIPWAY_SECRET_0"));
  CHECK(has_pair("--ssh", "default=/w/secrets/w0/ssh-default"));

  // An id that would add a key to the option value is refused.
  inv.secret_files = {{"x,src=/etc/shadow", "/w/secrets/w0/secret-x"}};
  auto bad = BuildxArgv(Spec(), inv);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("secret id") != std::string::npos);
  inv.secret_files = {};
  inv.ssh_files = {{"-x", "/k"}};
  CHECK_FALSE(BuildxArgv(Spec(), inv).ok());
}

TEST_CASE("ResolveInside joins and normalises") {
  CHECK(*ResolveInside("/r", ".") == "/r");
  CHECK(*ResolveInside("/r", "") == "/r");
  CHECK(*ResolveInside("/r", "./a//b/") == "/r/a/b");
  CHECK(!ResolveInside("/r", "a/../../x").ok());
  CHECK(!ResolveInside("relative", "a").ok());
}

}  // namespace
}  // namespace slipway::agent
