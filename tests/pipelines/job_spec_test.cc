#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "pipelines/job_spec.h"

using namespace slipway::pipelines;

TEST_CASE("JobSpec survives a JSON round trip") {
  JobSpec spec;
  spec.name = "runtime-3.11";
  spec.stage = "runtime";
  spec.context = "app";
  spec.dockerfile = "app/Dockerfile";
  spec.target = "runtime";
  spec.build_args = {{"Z_FIRST", "1"}, {"A_SECOND", "two words"}};
  spec.matrix = {{"PYTHON_VERSION", "3.11"}};
  spec.platforms = {"linux/amd64", "linux/arm64"};
  spec.tags = {"127.0.0.1:5000/shop:main"};
  spec.push = true;
  spec.pull = true;
  spec.image = "127.0.0.1:5000/shop";
  spec.cache_ref = "127.0.0.1:5000/shop:cache-runtime-3.11";
  spec.needs = {"test-3.11"};
  spec.labels = {{"arch", "amd64"}};
  spec.bases = {"busybox:1.36", "127.0.0.1:5000/base/python:3.11"};
  spec.budget.max_size_bytes = 150000000;
  spec.budget.max_growth_percent = 10;
  spec.scan.fail_on = "critical";
  spec.scan.ignore = {{"CVE-2023-1", "2030-01-01", "no fix"}};
  spec.secrets = {{"pip_token", "PYPI_TOKEN", false}, {"npm", "NPM_TOKEN", true}};
  spec.ssh = {{"default", "SSH_KEY"}};

  nlohmann::json j = ToJson(spec);
  CHECK(j["build_args"] == nlohmann::json::parse(R"([["Z_FIRST","1"],["A_SECOND","two words"]])"));
  CHECK_FALSE(j["budget"].contains("min_efficiency"));
  auto back = JobSpecFromJson(nlohmann::json::parse(j.dump()));
  REQUIRE(back.ok());
  CHECK(ToJson(*back) == j);
  CHECK(back->build_args == spec.build_args);
  CHECK(back->pull);
  CHECK(back->budget.max_size_bytes == 150000000LL);
  CHECK_FALSE(back->budget.min_efficiency);
  CHECK(back->scan.ignore.at(0).reason == "no fix");
  CHECK(back->bases == spec.bases);
  CHECK(back->secrets == spec.secrets);
  CHECK(back->ssh == spec.ssh);
}

TEST_CASE("JobSpecFromJson fills defaults and refuses bad input") {
  auto minimal = JobSpecFromJson(nlohmann::json{{"name", "build"}});
  REQUIRE(minimal.ok());
  CHECK(minimal->context == ".");
  CHECK(minimal->dockerfile == "Dockerfile");
  CHECK_FALSE(minimal->push);

  auto as_object = JobSpecFromJson(nlohmann::json::parse(R"({"name":"b","build_args":{"A":"1"}})"));
  REQUIRE(as_object.ok());
  CHECK(as_object->build_args.at(0).second == "1");

  CHECK_FALSE(JobSpecFromJson(nlohmann::json::array()).ok());
  CHECK_FALSE(JobSpecFromJson(nlohmann::json{{"target", "x"}}).ok());
  auto wrong = JobSpecFromJson(nlohmann::json{{"name", "b"}, {"push", "yes"}});
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == slipway::ErrorCode::kInvalidArgument);
  CHECK_FALSE(JobSpecFromJson(nlohmann::json::parse(R"({"name":"b","build_args":[["A"]]})")).ok());
}
