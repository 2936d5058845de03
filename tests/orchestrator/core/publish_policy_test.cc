#include "core/publish_policy.h"

#include <catch2/catch.hpp>

#include "pipelines/pipeline_parser.h"

namespace slipway::core {
namespace {

store::Repo RepoWith(int64_t id, const std::string& name, store::PublishPolicy policy) {
  store::Repo repo;
  repo.id = id;
  repo.name = name;
  repo.default_branch = "main";
  repo.policy = std::move(policy);
  return repo;
}

pipelines::JobSpec Job(const std::string& stage, const std::string& image, std::vector<std::string> tags,
                       std::map<std::string, std::string> labels = {}) {
  pipelines::JobSpec job;
  job.name = job.stage = stage;
  job.image = image;
  job.push = !image.empty();
  job.cache_ref = image.empty() ? "" : image + ":cache-" + stage;
  job.tags = std::move(tags);
  job.labels = std::move(labels);
  return job;
}

std::vector<std::string> Lines(const std::vector<pipelines::Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(pipelines::FormatDiagnostic(d));
  return out;
}

}  // namespace

TEST_CASE("image prefixes match on path-component boundaries") {
  CHECK(UnderPrefix("reg:5000/shop", "reg:5000/shop"));
  CHECK(UnderPrefix("reg:5000/shop/api", "reg:5000/shop/"));
  CHECK_FALSE(UnderPrefix("reg:5000/shopping", "reg:5000/shop"));
  CHECK_FALSE(UnderPrefix("other:5000/shop", "reg:5000/shop"));
  CHECK_FALSE(UnderPrefix("reg:5000/shop", ""));
  CHECK(ImageRepository("reg:5000/shop:main") == "reg:5000/shop");
  CHECK(ImageRepository("reg:5000/shop") == "reg:5000/shop");
  CHECK(ImageRepository("reg/shop@sha256:abc") == "reg/shop");
}

TEST_CASE("a pipeline within its repository's policy gets no diagnostic") {
  auto shop = RepoWith(1, "acme/shop", {{"127.0.0.1:5000/shop"}, {"latest"}, {"release"}, {"pool=build", "arch=*"}});
  std::vector<pipelines::JobSpec> jobs = {
      Job("app", "127.0.0.1:5000/shop/app", {"127.0.0.1:5000/shop/app:feature-x"}, {{"pool", "build"}, {"arch", "arm64"}})};
  CHECK(CheckPublishPolicy(shop, {shop}, "feature-x", jobs, nullptr).empty());
  jobs[0].tags.push_back("127.0.0.1:5000/shop/app:latest");
  CHECK(CheckPublishPolicy(shop, {shop}, "main", jobs, nullptr).empty());     // the default branch
  CHECK(CheckPublishPolicy(shop, {shop}, "release", jobs, nullptr).empty());  // a protected branch
}

TEST_CASE("each rule's diagnostic names it and points at the pipeline") {
  const std::string text =
      "version: 1\n"
      "image: 127.0.0.1:5000/elsewhere/app\n"
      "stages:\n"
      "  app:\n"
      "    push: true\n"
      "    tags: [\"latest\"]\n"
      "    labels: {pool: deploy}\n";
  auto parsed = pipelines::ParsePipeline(text, ".slipway.yml");
  REQUIRE(parsed.diagnostics.empty());
  auto shop = RepoWith(1, "acme/shop", {{"127.0.0.1:5000/shop"}, {"latest"}, {}, {"pool=build"}});
  std::vector<pipelines::JobSpec> jobs = {Job("app", "127.0.0.1:5000/elsewhere/app",
                                              {"127.0.0.1:5000/elsewhere/app:latest"}, {{"pool", "deploy"}})};
  auto lines = Lines(CheckPublishPolicy(shop, {shop}, "feature-x", jobs, &parsed.pipeline));
  REQUIRE(lines.size() == 3);  // image, cache and tag name one repository: one image diagnostic
  CHECK(lines[0] ==
        ".slipway.yml:2:8: error[image-prefix]: stage \"app\" names image 127.0.0.1:5000/elsewhere/app, outside the "
        "image prefixes of repository acme/shop (127.0.0.1:5000/shop)");
  CHECK(lines[1] ==
        ".slipway.yml:6:12: error[protected-tag]: stage \"app\" tags 127.0.0.1:5000/elsewhere/app:latest, but tags "
        "matching \"latest\" may be moved only from branch main, not feature-x");
  CHECK(lines[2] ==
        ".slipway.yml:4:3: error[agent-label]: stage \"app\" asks for agent label pool=deploy, not among those "
        "repository acme/shop may use (pool=build)");
}

TEST_CASE("a repository without prefixes may not push under another repository's prefixes") {
  auto open = RepoWith(1, "acme/open", {});
  auto shop = RepoWith(2, "acme/shop", {{"127.0.0.1:5000/shop"}, {}, {}, {}});
  auto into_shop = Job("app", "127.0.0.1:5000/shop", {"127.0.0.1:5000/shop:main"});
  auto lines = Lines(CheckPublishPolicy(open, {open, shop}, "main", {into_shop}, nullptr));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == ".slipway.yml:1:1: error[image-prefix]: stage \"app\" names image 127.0.0.1:5000/shop, under "
                    "127.0.0.1:5000/shop, an image prefix of repository acme/shop");
  // Anywhere else is allowed: existing installations with no prefixes set keep working.
  CHECK(CheckPublishPolicy(open, {open, shop}, "main", {Job("app", "127.0.0.1:5000/open", {})}, nullptr).empty());
  CHECK(CheckPublishPolicy(open, {open, shop}, "main", {Job("app", "127.0.0.1:5000/shopping", {})}, nullptr).empty());
}

TEST_CASE("policy values are checked where an administrator gives them") {
  CHECK(ValidatePublishPolicy({{"127.0.0.1:5000/shop"}, {"latest", "v*"}, {"release/1"}, {"pool=build", "a=*"}}).ok());
  CHECK(ValidatePublishPolicy({{"shop"}, {}, {}, {}}).code() == ErrorCode::kInvalidArgument);
  CHECK(ValidatePublishPolicy({{"Reg/Shop"}, {}, {}, {}}).code() == ErrorCode::kInvalidArgument);
  CHECK(ValidatePublishPolicy({{}, {"bad tag"}, {}, {}}).code() == ErrorCode::kInvalidArgument);
  CHECK(ValidatePublishPolicy({{}, {}, {"two words"}, {}}).code() == ErrorCode::kInvalidArgument);
  CHECK(ValidatePublishPolicy({{}, {}, {}, {"pool"}}).code() == ErrorCode::kInvalidArgument);
  CHECK(ValidatePublishPolicy({{}, {}, {}, {"=x"}}).code() == ErrorCode::kInvalidArgument);
}

}  // namespace slipway::core
