#include "core/views.h"

#include <catch2/catch.hpp>

namespace slipway::core {

TEST_CASE("clone URLs are shown without credentials") {
  CHECK(WithoutCredentials("https://ci:s3cret@git.example.com/acme/shop.git") == "https://git.example.com/acme/shop.git");
  CHECK(WithoutCredentials("https://token@git.example.com/a@b.git") == "https://git.example.com/a@b.git");
  CHECK(WithoutCredentials("ssh://git@host:2222/x.git") == "ssh://host:2222/x.git");
  CHECK(WithoutCredentials("https://git.example.com/acme/shop.git") == "https://git.example.com/acme/shop.git");
  CHECK(WithoutCredentials("/srv/git/shop.git") == "/srv/git/shop.git");
  CHECK(WithoutCredentials("git@github.com:acme/shop.git") == "git@github.com:acme/shop.git");  // no scheme, no password

  store::Repo repo;
  repo.id = 3;
  repo.name = "acme/shop";
  repo.forge = "gitea";
  repo.clone_url = "https://u:p@host/x.git";
  repo.secret = "hook-secret";
  repo.default_branch = "trunk";
  auto view = RepoView(repo);
  CHECK(view["clone_url"] == "https://host/x.git");
  CHECK(view["default_branch"] == "trunk");
  CHECK_FALSE(view.contains("secret"));
}

}  // namespace slipway::core
