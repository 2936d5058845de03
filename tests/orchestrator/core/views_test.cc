#include "core/views.h"

#include <catch2/catch.hpp>

#include "core/badge.h"

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

TEST_CASE("a run's forge links follow each forge's URL shapes") {
  store::Run run;
  run.sha = "3f2a9c1e5b7d4f60a8c2e9b1d3f5a7c9e1b3d5f7";
  run.repo_forge = "github";
  CHECK(RunView(run)["links"] == nlohmann::json{{"commit", nullptr}, {"compare", nullptr}, {"pull_request", nullptr}});
  CHECK(RunView(run)["pull_request"].is_null());

  run.origin.web_url = "https://github.com/acme/shop";
  run.origin.before_sha = std::string(40, '0');  // a new branch: nothing to compare with
  auto links = RunView(run)["links"];
  CHECK(links["commit"] == "https://github.com/acme/shop/commit/" + run.sha);
  CHECK(links["compare"].is_null());
  run.origin.before_sha = "1111111111111111111111111111111111111111";
  CHECK(RunView(run)["links"]["compare"] == "https://github.com/acme/shop/compare/" + run.origin.before_sha + "..." + run.sha);

  run.origin.pr_number = 12;
  run.origin.pr_fork = true;
  run.origin.pr_source_repo = "mallory/shop";
  auto view = RunView(run);
  CHECK(view["links"]["pull_request"] == "https://github.com/acme/shop/pull/12");
  CHECK(view["pull_request"]["number"] == 12);
  CHECK(view["pull_request"]["fork"] == true);
  CHECK(view["pull_request"]["source_repo"] == "mallory/shop");
  run.repo_forge = "gitea";
  CHECK(RunView(run)["links"]["pull_request"] == "https://github.com/acme/shop/pulls/12");
  run.repo_forge = "gitlab";
  run.origin.web_url = "https://gitlab.com/group/shop";
  links = RunView(run)["links"];
  CHECK(links["pull_request"] == "https://gitlab.com/group/shop/-/merge_requests/12");
  CHECK(links["commit"] == "https://gitlab.com/group/shop/-/commit/" + run.sha);
  CHECK(links["compare"] == "https://gitlab.com/group/shop/-/compare/" + run.origin.before_sha + "..." + run.sha);

  CHECK(RunView(run)["approval"].is_null());
  run.approval = store::Approval::kAwaiting;
  CHECK(RunView(run)["approval"] == "awaiting");
}

TEST_CASE("the badge is SVG with the status, its colour, and escaped text") {
  std::string ok = BadgeSvg("slipway", "success");
  CHECK(ok.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(ok.find("<title>slipway: success</title>") != std::string::npos);
  CHECK(ok.find("#3fb950") != std::string::npos);
  CHECK(BadgeSvg("slipway", "failure").find("#e5534b") != std::string::npos);
  CHECK(BadgeSvg("slipway", "unknown").find("#8b949e") != std::string::npos);
  std::string hostile = BadgeSvg("a<b>&\"", "x");
  CHECK(hostile.find("a&lt;b&gt;&amp;&quot;") != std::string::npos);
  CHECK(hostile.find("a<b>") == std::string::npos);
  // Wider text, wider badge.
  CHECK(BadgeSvg("slipway", "success").find("width=\"138\"") != std::string::npos);
  CHECK(BadgeSvg("slipway", "error").find("width=\"124\"") != std::string::npos);
}

}  // namespace slipway::core
