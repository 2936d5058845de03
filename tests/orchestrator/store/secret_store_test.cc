#include <algorithm>
#include <catch2/catch.hpp>

#include "store/repo_store.h"
#include "store/secret_store.h"
#include "temp_database.h"

namespace slipway::store {
namespace {

using testing::TempDatabase;

struct Fixture {
  TempDatabase t;
  SecretBox box{SecretBox::Key{}};
  SecretStore secrets{*t.db, box};
  int64_t repo_id = 0;
  int64_t other_repo_id = 0;

  Fixture() {
    RepoStore repos(*t.db);
    repo_id = repos.Upsert({"acme/shop", "github", "http://forge/shop.git", "", std::nullopt}, 1)->id;
    other_repo_id = repos.Upsert({"acme/other", "github", "http://forge/other.git", "", std::nullopt}, 1)->id;
  }

  // Every text the database holds in the secrets table, to prove no value is stored plain.
  std::string RawTable() {
    Connection conn = t.db->Lock();
    auto stmt = conn.Prepare("SELECT name || sealed FROM secrets");
    REQUIRE(stmt.ok());
    std::string all;
    while (*stmt->Step()) all += stmt->ColumnText(0);
    return all;
  }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "A repository's secret is stored sealed, listed by name and revealed") {
  REQUIRE(secrets.Put(repo_id, "PYPI_TOKEN", "s3cr3t-pypi", true, 10).ok());
  CHECK(RawTable().find("s3cr3t-pypi") == std::string::npos);
  auto list = secrets.List(repo_id);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].name == "PYPI_TOKEN");
  CHECK((*list)[0].is_protected);
  CHECK((*list)[0].created_at == 10);
  CHECK(*secrets.Reveal(repo_id, "PYPI_TOKEN") == "s3cr3t-pypi");
  CHECK(secrets.Reveal(other_repo_id, "PYPI_TOKEN").status().code() == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(Fixture, "Setting a secret again replaces its value and keeps its creation time") {
  REQUIRE(secrets.Put(repo_id, "TOKEN", "one", false, 10).ok());
  REQUIRE(secrets.Put(repo_id, "TOKEN", "two", true, 20).ok());
  auto list = secrets.List(repo_id);
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].created_at == 10);
  CHECK((*list)[0].updated_at == 20);
  CHECK((*list)[0].is_protected);
  CHECK(*secrets.Reveal(repo_id, "TOKEN") == "two");
}

TEST_CASE_METHOD(Fixture, "A repository's own secret wins over a server-wide one of the same name") {
  REQUIRE(secrets.Put(std::nullopt, "REGISTRY_PASSWORD", "server-wide", false, 1).ok());
  CHECK(*secrets.Reveal(other_repo_id, "REGISTRY_PASSWORD") == "server-wide");
  REQUIRE(secrets.Put(repo_id, "REGISTRY_PASSWORD", "own", false, 2).ok());
  CHECK(*secrets.Reveal(repo_id, "REGISTRY_PASSWORD") == "own");
  CHECK(secrets.List(std::nullopt)->size() == 1);
  CHECK(secrets.List(repo_id)->size() == 1);
}

TEST_CASE_METHOD(Fixture, "Deleting a secret removes it, deleting a missing one is not found") {
  REQUIRE(secrets.Put(repo_id, "TOKEN", "v", false, 1).ok());
  REQUIRE(secrets.Delete(repo_id, "TOKEN").ok());
  CHECK(secrets.List(repo_id)->empty());
  CHECK(secrets.Delete(repo_id, "TOKEN").code() == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(Fixture, "Bad names and values are refused before anything is stored") {
  CHECK(secrets.Put(repo_id, "1ABC", "v", false, 1).code() == ErrorCode::kInvalidArgument);
  CHECK(secrets.Put(repo_id, "A-B", "v", false, 1).code() == ErrorCode::kInvalidArgument);
  CHECK(secrets.Put(repo_id, "", "v", false, 1).code() == ErrorCode::kInvalidArgument);
  CHECK(secrets.Put(repo_id, "A", "", false, 1).code() == ErrorCode::kInvalidArgument);
  CHECK(secrets.Put(repo_id, "A", std::string(SecretStore::kMaxValueBytes + 1, 'x'), false, 1).code() ==
        ErrorCode::kTooLarge);
  CHECK(secrets.List(repo_id)->empty());
}

TEST_CASE_METHOD(Fixture, "A secret's row moved to another repository no longer opens") {
  REQUIRE(secrets.Put(repo_id, "TOKEN", "v", false, 1).ok());
  {
    Connection conn = t.db->Lock();
    auto stmt = conn.Prepare("UPDATE secrets SET repo_id = ?1");
    REQUIRE(stmt.ok());
    stmt->BindInt(1, other_repo_id);
    REQUIRE(stmt->Run().ok());
  }
  CHECK(secrets.Reveal(other_repo_id, "TOKEN").status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE_METHOD(Fixture, "A repository's secrets go with it") {
  REQUIRE(secrets.Put(repo_id, "TOKEN", "v", false, 1).ok());
  Connection conn = t.db->Lock();
  auto stmt = conn.Prepare("DELETE FROM repos WHERE id = ?1");
  REQUIRE(stmt.ok());
  stmt->BindInt(1, repo_id);
  REQUIRE(stmt->Run().ok());
  auto count = conn.Prepare("SELECT COUNT(*) FROM secrets");
  REQUIRE(*count->Step());
  CHECK(count->ColumnInt(0) == 0);
}

TEST_CASE_METHOD(
    Fixture,
    "Find and RevealEntry prefer the repository's secret and tell whether it is protected") {
  REQUIRE(secrets.Put(std::nullopt, "TOKEN", "server-value", false, 1).ok());
  REQUIRE(secrets.Put(repo_id, "TOKEN", "repo-value", true, 2).ok());
  auto own = secrets.RevealEntry(repo_id, "TOKEN");
  REQUIRE(own.ok());
  CHECK(own->value == "repo-value");
  CHECK(own->is_protected);
  auto other = secrets.RevealEntry(other_repo_id, "TOKEN");
  REQUIRE(other.ok());
  CHECK(other->value == "server-value");
  CHECK_FALSE(other->is_protected);
  auto info = secrets.Find(repo_id, "TOKEN");
  REQUIRE(info.ok());
  CHECK(info->repo_id == repo_id);
  CHECK(secrets.Find(repo_id, "ABSENT").status().code() == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(Fixture, "RevealAll opens every value, and each write moves the generation") {
  const uint64_t before = SecretStore::Generation();
  REQUIRE(secrets.Put(std::nullopt, "A", "value-a", false, 1).ok());
  REQUIRE(secrets.Put(repo_id, "B", "value-b", false, 1).ok());
  CHECK(SecretStore::Generation() == before + 2);
  auto all = secrets.RevealAll();
  REQUIRE(all.ok());
  std::sort(all->begin(), all->end());
  CHECK(*all == std::vector<std::string>{"value-a", "value-b"});
  REQUIRE(secrets.Delete(repo_id, "B").ok());
  CHECK(SecretStore::Generation() == before + 3);
}

}  // namespace slipway::store
