#include "webhooks/ref_name.h"

#include <catch2/catch.hpp>

namespace slipway::webhooks {
namespace {

TEST_CASE("Ordinary branch names pass") {
  for (std::string name : {"main", "release/1.x", "feature/JIRA-12_fix", "v1.2.3", "a-b", "ü-branch",
                           "x@y", "release/2024.11"}) {
    INFO(name);
    CHECK(ValidateBranchName(name).ok());
  }
}

TEST_CASE("Branch names breaking check-ref-format rules are refused") {
  const std::string long_name(256, 'a');
  const std::vector<std::string> names = {"", "-rf", "--upload-pack=x", "a..b", "a@{1}", "@", "/lead", "trail/",
                           "end.", "a//b", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[b", "a\\b",
                           ".dot", "dir/.dot", "x.lock", "dir/x.lock/y", std::string("nl\nx"),
                           std::string("tab\tx"), std::string("del\x7fx"), std::string("nul\0x", 5),
                           long_name};
  for (const std::string& name : names) {
    INFO(name);
    Status s = ValidateBranchName(name);
    CHECK(s.code() == ErrorCode::kInvalidArgument);
    // Control characters are never echoed back.
    CHECK(s.message().find('\n') == std::string::npos);
  }
  CHECK(ValidateBranchName(std::string(255, 'a')).ok());
  CHECK(ValidateBranchName("a..b").message() == "branch \"a..b\" contains \"..\"");
  CHECK(ValidateBranchName("-x").message() == "branch \"-x\" starts with '-'");
}

TEST_CASE("Full refs must start with refs/") {
  CHECK(ValidateRefName("refs/heads/main").ok());
  CHECK(ValidateRefName("refs/tags/v1").ok());
  CHECK(ValidateRefName("heads/main").message() == "ref \"heads/main\" does not start with \"refs/\"");
  CHECK(ValidateRefName("refs/heads/a..b").code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("Shas are 40 or 64 lowercase hex digits") {
  CHECK(ValidateSha(std::string(40, 'a')).ok());
  CHECK(ValidateSha(std::string(64, '0')).ok());
  CHECK_FALSE(ValidateSha(std::string(39, 'a')).ok());
  CHECK_FALSE(ValidateSha(std::string(41, 'a')).ok());
  CHECK_FALSE(ValidateSha(std::string(40, 'A')).ok());
  CHECK_FALSE(ValidateSha(std::string(39, 'a') + "g").ok());
  CHECK_FALSE(ValidateSha("").ok());
  CHECK(IsZeroSha(std::string(40, '0')));
  CHECK_FALSE(IsZeroSha(std::string(39, '0') + "1"));
  CHECK_FALSE(IsZeroSha(""));
}

TEST_CASE("Repository names") {
  CHECK(ValidateRepoName("acme/shop").ok());
  CHECK(ValidateRepoName("group/sub.group/my_repo-2").ok());
  for (std::string name : {"", "shop", "acme/", "/acme/shop", "acme//shop", "acme/..", "./x",
                           "acme/-x", "acme/sh op", "acme/shop;rm", "acme/shöp"}) {
    INFO(name);
    CHECK(ValidateRepoName(name).code() == ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace slipway::webhooks
