#include "core/git_credentials.h"

#include <catch2/catch.hpp>

#include "../store/temp_database.h"
#include "store/repo_store.h"

namespace slipway::core {
namespace {

using store::testing::TempDatabase;

const std::string kKey =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

struct Fixture {
  TempDatabase t;
  SecretBox box{SecretBox::Key{}};
  store::SecretStore secrets{*t.db, box};
  int64_t repo_id =
      store::RepoStore(*t.db)
          .Upsert({"acme/shop", "github", "https://git.example/shop.git", "", std::nullopt}, 1)
          ->id;

  void Set(store::SecretScope scope, const std::string& name, const std::string& value) {
    REQUIRE(secrets.Put(scope, name, value, false, 1).ok());
  }
};

TEST_CASE_METHOD(Fixture,
                 "an HTTPS clone URL gets the repository's token and user name, nothing else") {
  CHECK(RepoGitCredential(secrets, repo_id, "https://git.example/shop.git")->empty());
  Set(repo_id, "GIT_TOKEN", "tok-repo-123456");
  Set(repo_id, "GIT_SSH_KEY", kKey);
  auto token = RepoGitCredential(secrets, repo_id, "https://git.example/shop.git");
  REQUIRE(token.ok());
  CHECK(*token == GitCredential{.token = "tok-repo-123456"});
  Set(repo_id, "GIT_USERNAME", "oauth2");
  CHECK(RepoGitCredential(secrets, repo_id, "http://127.0.0.1:8080/shop.git")->username ==
        "oauth2");
  // A path or git:// needs none.
  CHECK(RepoGitCredential(secrets, repo_id, "/srv/git/shop.git")->empty());
  CHECK(RepoGitCredential(secrets, repo_id, "git://127.0.0.1/shop.git")->empty());
}

TEST_CASE_METHOD(Fixture,
                 "a server-wide secret of the same name is never offered to a repository's host") {
  Set(std::nullopt, "GIT_TOKEN", "tok-server-wide-123");
  Set(std::nullopt, "GIT_SSH_KEY", kKey);
  CHECK(RepoGitCredential(secrets, repo_id, "https://git.example/shop.git")->empty());
  CHECK(RepoGitCredential(secrets, repo_id, "git@git.example:acme/shop.git")->empty());
}

TEST_CASE_METHOD(Fixture, "an ssh clone URL gets the deploy key with its pinned known hosts") {
  Set(repo_id, "GIT_TOKEN", "tok-repo-123456");
  Set(repo_id, "GIT_SSH_KEY", kKey);
  auto missing = RepoGitCredential(secrets, repo_id, "ssh://git@git.example/acme/shop.git");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("GIT_SSH_KEY needs GIT_KNOWN_HOSTS") != std::string::npos);

  Set(repo_id, "GIT_KNOWN_HOSTS", "git.example ssh-ed25519 AAAAC3");
  auto key = RepoGitCredential(secrets, repo_id, "git@git.example:acme/shop.git");
  REQUIRE(key.ok());
  CHECK(*key == GitCredential{.ssh_key = kKey, .known_hosts = "git.example ssh-ed25519 AAAAC3"});
}

TEST_CASE("an error about a fetch names the credential it used, or what to set") {
  CHECK(DescribeGitCredential({.token = "t"}) == "with the repository's secret GIT_TOKEN");
  CHECK(DescribeGitCredential({.ssh_key = kKey}).find("GIT_SSH_KEY and GIT_KNOWN_HOSTS") !=
        std::string::npos);
  CHECK(DescribeGitCredential({}).find("a private repository needs the secret GIT_TOKEN") !=
        std::string::npos);
}

}  // namespace
}  // namespace slipway::core
