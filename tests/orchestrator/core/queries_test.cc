// The API's reads (core/queries.h) and secrets as the API manages them (core/secret_admin.h), on
// a real temporary database.
#include "core/queries.h"

#include <catch2/catch.hpp>

#include "../store/temp_database.h"
#include "core/secret_admin.h"

namespace slipway::core {
namespace {

using store::testing::TempDatabase;

constexpr int64_t kNow = 1'764'000'000'000;

struct Fixture {
  TempDatabase temp;
  Queries queries{*temp.db};
  int64_t repo_id = 0;

  Fixture() {
    auto repo =
        store::RepoStore(*temp.db).Upsert({.name = "owner/app",
                                           .forge = "gitea",
                                           .clone_url = "http://user:pw@127.0.0.1:9/app.git",
                                           .secret = "s"},
                                          kNow);
    REQUIRE(repo.ok());
    repo_id = repo->id;
  }

  int64_t AddRun() {
    auto run = store::RunStore(*temp.db).CreateRun({.repo_id = repo_id,
                                                    .branch = "main",
                                                    .sha = std::string(40, 'c'),
                                                    .trigger = "manual",
                                                    .created_at = kNow});
    REQUIRE(run.ok());
    return run->id;
  }
};

TEST_CASE("a page of runs names the cursors to its neighbours only where runs are") {
  Fixture f;
  int64_t first = f.AddRun(), second = f.AddRun(), third = f.AddRun();
  auto newest = f.queries.RunsPage({.limit = 2});
  REQUIRE(newest.ok());
  REQUIRE((*newest)["runs"].size() == 2);
  CHECK((*newest)["runs"][0]["id"] == third);
  CHECK((*newest)["next_before"] == second);
  CHECK_FALSE(newest->contains("prev_after"));

  auto oldest = f.queries.RunsPage({.limit = 2, .before = second});
  REQUIRE(oldest.ok());
  REQUIRE((*oldest)["runs"].size() == 1);
  CHECK((*oldest)["runs"][0]["id"] == first);
  CHECK((*oldest)["prev_after"] == first);
  CHECK_FALSE(oldest->contains("next_before"));
}

TEST_CASE("details of what does not exist are not found, repositories are listed without secrets") {
  Fixture f;
  CHECK(f.queries.RunDetail(99).status().code() == ErrorCode::kNotFound);
  CHECK(f.queries.JobDetail(99).status().code() == ErrorCode::kNotFound);
  CHECK(f.queries.ImageHistory("nobody/here", "runtime", std::nullopt).status().code() ==
        ErrorCode::kNotFound);
  int64_t run = f.AddRun();
  auto detail = f.queries.RunDetail(run);
  REQUIRE(detail.ok());
  CHECK((*detail)["jobs"].empty());
  auto repos = f.queries.RepoList();
  REQUIRE(repos.ok());
  REQUIRE((*repos)["repos"].size() == 1);
  CHECK((*repos)["repos"][0]["clone_url"] == "http://127.0.0.1:9/app.git");
  CHECK_FALSE((*repos)["repos"][0].contains("secret"));
}

TEST_CASE("secrets are set, listed and deleted by repository name or server-wide") {
  Fixture f;
  SecretBox box{SecretBox::Key{}};
  SecretAdmin secrets(*f.temp.db, box);
  CHECK(secrets.Put("nobody/here", "TOKEN", "v", false, kNow).status().code() ==
        ErrorCode::kNotFound);
  auto stored = secrets.Put("owner/app", "TOKEN", "v", true, kNow);
  REQUIRE(stored.ok());
  CHECK(stored->name == "TOKEN");
  CHECK(stored->is_protected);
  CHECK(stored->repo_id == f.repo_id);
  REQUIRE(secrets.Put("", "SHARED", "w", false, kNow).ok());
  auto listed = secrets.List("");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].name == "SHARED");
  REQUIRE(secrets.Delete("owner/app", "TOKEN").ok());
  CHECK(secrets.Delete("owner/app", "TOKEN").code() == ErrorCode::kNotFound);
}

}  // namespace
}  // namespace slipway::core
