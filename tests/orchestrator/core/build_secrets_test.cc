#include "core/build_secrets.h"

#include <catch2/catch.hpp>

#include "../store/temp_database.h"
#include "pipelines/pipeline_parser.h"

namespace slipway::core {
namespace {

using store::testing::TempDatabase;

struct Fixture {
  TempDatabase t;
  SecretBox box{SecretBox::Key{}};
  store::SecretStore secrets{*t.db, box};
  store::Repo repo;

  Fixture() {
    store::RepoStore repos(*t.db);
    repo = *repos.Upsert({"acme/shop", "github", "http://forge/shop.git", "", std::nullopt}, 1);
    repo.policy.protected_branches = {"release"};
    REQUIRE(secrets.Put(repo.id, "PYPI_TOKEN", "pypi-value", false, 1).ok());
    REQUIRE(secrets.Put(repo.id, "DEPLOY_KEY", "deploy-value", true, 1).ok());
    REQUIRE(secrets.Put(std::nullopt, "SSH_KEY", "server-ssh-key", false, 1).ok());
    REQUIRE(secrets.Put(std::nullopt, "REGISTRY_REG_EXAMPLE_5000_USERNAME", "ci", false, 1).ok());
    REQUIRE(secrets.Put(repo.id, "REGISTRY_REG_EXAMPLE_5000_PASSWORD", "repo-registry-pw", false, 1)
                .ok());
    REQUIRE(secrets.Put(std::nullopt, "REGISTRY_PRIVATE_EXAMPLE_USERNAME", "ops", true, 1).ok());
    REQUIRE(secrets.Put(std::nullopt, "REGISTRY_PRIVATE_EXAMPLE_PASSWORD", "ops-pw", true, 1).ok());
  }
};

const char kPipeline[] = R"(stages:
  app:
    secrets:
      - {id: pip, from: PYPI_TOKEN}
      - {id: deploy, from: DEPLOY_KEY}
      - {id: gone, from: NOT_SET}
    ssh: [default]
)";

pipelines::JobSpec App() {
  pipelines::JobSpec spec;
  spec.name = spec.stage = "app";
  spec.secrets = {
      {"pip", "PYPI_TOKEN", false}, {"deploy", "DEPLOY_KEY", true}, {"gone", "NOT_SET", false}};
  spec.ssh = {{"default", "SSH_KEY"}};
  spec.tags = {"reg.example:5000/shop:main"};
  spec.bases = {"private.example/base:1", "python:3.11-slim"};
  return spec;
}

}  // namespace

TEST_CASE_METHOD(
    Fixture,
    "planning names an unknown secret, and a protected one on an unprotected branch, at from:") {
  auto parsed = pipelines::ParsePipeline(kPipeline, ".slipway.yml");
  auto feature = CheckBuildSecrets(repo, "feature", {App(), App()}, &parsed.pipeline, secrets);
  REQUIRE(feature.size() == 2);  // one each, although two jobs name them
  CHECK(
      pipelines::FormatDiagnostic(feature[0]) ==
      ".slipway.yml:5:28: error[protected-secret]: stage \"app\": secret deploy comes from "
      "DEPLOY_KEY, which is "
      "protected: only runs of main and the protected branches get it, and this run is of feature");
  CHECK(pipelines::FormatDiagnostic(feature[1])
            .starts_with(".slipway.yml:6:26: error[unknown-secret]: stage \"app\": "
                         "secret gone comes from NOT_SET"));
  CHECK(feature[1].message.find("slipway secret set acme/shop NOT_SET") != std::string::npos);
  for (const std::string branch : {"main", "release"}) {
    auto allowed = CheckBuildSecrets(repo, branch, {App()}, &parsed.pipeline, secrets);
    REQUIRE(allowed.size() == 1);
    CHECK(allowed[0].code == "unknown-secret");
  }
  // A registry login is never a build secret.
  pipelines::JobSpec sneaky = App();
  sneaky.secrets = {{"pw", "REGISTRY_REG_EXAMPLE_5000_PASSWORD", false}};
  sneaky.ssh.clear();
  auto refused = CheckBuildSecrets(repo, "main", {sneaky}, nullptr, secrets);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].code == "registry-secret");
  protocol::LeaseOffer offer;
  offer.spec = sneaky;
  AddBuildSecrets(repo, "main", secrets, &offer);
  CHECK(offer.secrets.empty());
  // Without the pipeline (a rerun), the same rule at 1:1.
  auto rerun = CheckBuildSecrets(repo, "feature", {App()}, nullptr, secrets);
  REQUIRE(rerun.size() == 2);
  CHECK(rerun[0].line == 1);
}

TEST_CASE_METHOD(Fixture,
                 "a lease gets its job's values, registry logins by host, protected ones on "
                 "protected branches") {
  protocol::LeaseOffer offer;
  offer.spec = App();
  AddBuildSecrets(repo, "main", secrets, &offer);
  CHECK(offer.secrets == std::vector<protocol::JobSecret>{{"pip", "pypi-value", false},
                                                          {"deploy", "deploy-value", true}});
  CHECK(offer.ssh_keys == std::vector<protocol::JobSecret>{{"default", "server-ssh-key", false}});
  CHECK(offer.registries ==
        std::vector<protocol::RegistryLogin>{{"private.example", "ops", "ops-pw"},
                                             {"reg.example:5000", "ci", "repo-registry-pw"}});

  protocol::LeaseOffer feature;
  feature.spec = App();
  AddBuildSecrets(repo, "feature", secrets, &feature);
  CHECK(feature.secrets == std::vector<protocol::JobSecret>{{"pip", "pypi-value", false}});
  CHECK(feature.registries ==
        std::vector<protocol::RegistryLogin>{{"reg.example:5000", "ci", "repo-registry-pw"}});
}

TEST_CASE("a job's registry hosts are those its references name") {
  pipelines::JobSpec spec = App();
  spec.cache_ref = "cache.example/shop:cache-app";
  CHECK(RegistryHostsOf(spec) ==
        std::vector<std::string>{"cache.example", "private.example", "reg.example:5000"});
}

}  // namespace slipway::core
