// What the run routes read from a request (api/run_requests.h), and what they refuse.
#include "api/run_requests.h"

#include <catch2/catch.hpp>

#include "http/url.h"

namespace slipway::api {
namespace {

http::Request Get(const std::string& target) {
  http::Request req;
  req.method = "GET";
  req.target = target;
  http::SplitTarget(target, &req.path, &req.query);
  return req;
}

TEST_CASE("the run list's query becomes a filter, bad values name the parameter") {
  auto filter = RunFilterOf(
      Get("/api/v1/runs?repo=owner/app&branch=main&status=failure&limit=900&before=12"));
  REQUIRE(filter.ok());
  CHECK(filter->repo == "owner/app");
  CHECK(filter->branch == "main");
  CHECK(filter->status == RunStatus::kFailure);
  CHECK(filter->limit == store::RunStore::kMaxListLimit);
  CHECK(filter->before == 12);
  CHECK_FALSE(filter->after);

  CHECK(RunFilterOf(Get("/api/v1/runs?status=done"))
            .status()
            .message()
            .starts_with("status must be"));
  CHECK(RunFilterOf(Get("/api/v1/runs?limit=0")).status().message() ==
        "limit must be a positive integer, not '0'");
  CHECK(RunFilterOf(Get("/api/v1/runs?before=1&after=2")).status().message() ==
        "give one of before and after, not both");
}

TEST_CASE("a manual trigger needs a repo and a valid branch, a sha is optional but checked") {
  auto trigger = ManualTriggerOf({{"repo", "owner/app"}, {"branch", "main"}});
  REQUIRE(trigger.ok());
  CHECK(trigger->sha.empty());
  CHECK(ManualTriggerOf({{"repo", "owner/app"}}).status().code() == ErrorCode::kInvalidArgument);
  CHECK(ManualTriggerOf({{"repo", "owner/app"}, {"branch", "-x"}}).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(
      ManualTriggerOf({{"repo", "owner/app"}, {"branch", "main"}, {"sha", "zz"}}).status().code() ==
      ErrorCode::kInvalidArgument);
}

TEST_CASE("a rerun repeats all jobs, the failed ones or those named") {
  auto all = RerunSelectionOf("");
  REQUIRE(all.ok());
  CHECK_FALSE(all->failed_only);
  CHECK(all->jobs.empty());
  auto failed = RerunSelectionOf(R"({"jobs": "failed"})");
  REQUIRE(failed.ok());
  CHECK(failed->failed_only);
  auto named = RerunSelectionOf(R"({"jobs": ["build", "test"]})");
  REQUIRE(named.ok());
  CHECK(named->jobs == std::vector<std::string>{"build", "test"});
  CHECK(RerunSelectionOf(R"({"jobs": []})").status().message() == "\"jobs\" names no job");
  CHECK(RerunSelectionOf(R"({"jobs": [1]})").status().message() == "\"jobs\" must list job names");
  CHECK(RerunSelectionOf(R"({"jobs": "some"})").status().code() == ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::api
