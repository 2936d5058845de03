#include "agent/report.h"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

namespace slipway::agent {
namespace {

TEST_CASE("a failed build reports its failed step and log tail") {
  BuildOutcome o;
  o.exit_code = 1;
  o.failed_step = "[test 3/3] RUN exit 3";
  o.error = "ERROR: failed to solve: exit code: 3";
  o.log_tail = {"#9 tests failed", "#9 ERROR: exit code: 3"};
  o.cache = {4, 2};
  nlohmann::json j = ReportFromOutcome(o);
  CHECK(j["status"] == "failure");
  CHECK(j["failed_step"] == "[test 3/3] RUN exit 3");
  CHECK(j["log_tail"].size() == 2);
  CHECK(j["cache"] == nlohmann::json({{"steps", 4}, {"cached", 2}}));
  CHECK(!j.contains("image"));
}

TEST_CASE("canceled and successful outcomes, image sizes named as in the protocol") {
  BuildOutcome canceled;
  canceled.exit_code = 143;
  canceled.canceled = true;
  CHECK(nlohmann::json(ReportFromOutcome(canceled))["status"] == "canceled");

  BuildOutcome ok;
  ok.exit_code = 0;
  FinishReport r = ReportFromOutcome(ok);
  ImageInfo image;
  image.ref = "127.0.0.1:5000/app:main";
  image.digest = "sha256:" + std::string(64, 'a');
  image.size_bytes = 300;
  image.compressed_size_bytes = 120;
  image.layers.push_back({"sha256:l1", 300, 120, "COPY . /app # buildkit", false});
  image.layers.push_back({"", 0, std::nullopt, "ENV A=b", true});
  r.image = ImageFactsOf(image);
  nlohmann::json j = r;
  CHECK(j["status"] == "success");
  CHECK(j["image"]["size_bytes"] == 300);
  CHECK(j["image"]["compressed_size_bytes"] == 120);
  CHECK(j["image"]["layers"][0]["compressed_size_bytes"] == 120);
  CHECK(j["image"]["layers"][0]["instruction"] == "COPY . /app # buildkit");
  CHECK(!j["image"]["layers"][1].contains("compressed_size_bytes"));
  CHECK(j["bases"] == nlohmann::json::array());

  r.bases.push_back({"busybox:1.36", "sha256:bb", "engine"});
  r.bases.push_back({"127.0.0.1:5000/base:1", "sha256:cc", "registry"});
  CHECK(nlohmann::json(r)["bases"] == nlohmann::json::parse(R"([{"ref":"busybox:1.36","digest":"sha256:bb","source":"engine"},
      {"ref":"127.0.0.1:5000/base:1","digest":"sha256:cc","source":"registry"}])"));
}

TEST_CASE("steps body") {
  BuildStep s;
  s.index = 0;
  s.digest = "sha256:d";
  s.name = "[runtime 1/1] COPY . /";
  s.cached = true;
  s.started_ms = 10;
  s.completed_ms = 15;
  s.duration_ms = 5;
  nlohmann::json j = StepsOf({s});
  CHECK(j == nlohmann::json::parse(R"({"steps":[{"index":0,"digest":"sha256:d","name":"[runtime 1/1] COPY . /",
      "cached":true,"started_ms":10,"completed_ms":15,"duration_ms":5,"error":""}]})"));
}

}  // namespace
}  // namespace slipway::agent
