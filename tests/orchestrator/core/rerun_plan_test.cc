#include "core/rerun_plan.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace slipway::core {
namespace {

// base <- build <- test, base <- docs; in dependency order, as planned.
std::vector<store::Job> ParentJobs(JobStatus build_status) {
  auto job = [](std::string name, std::vector<std::string> needs, JobStatus status) {
    store::Job j;
    j.name = name;
    j.stage = name;
    j.needs = needs;
    j.status = status;
    j.spec_json = nlohmann::json{{"name", name}, {"needs", needs}}.dump();
    return j;
  };
  return {job("base", {}, JobStatus::kSuccess), job("build", {"base"}, build_status), job("test", {"build"}, JobStatus::kSkipped),
          job("docs", {"base"}, JobStatus::kSuccess)};
}

TEST_CASE("a failed-only rerun repeats what did not succeed and what depends on it") {
  auto jobs = ParentJobs(JobStatus::kFailure);
  auto chosen = ChooseRerunJobs(jobs, {.failed_only = true});
  CHECK(chosen == std::set<std::string>{"build", "test"});
  auto planned = RerunJobs(jobs, chosen, 5);
  REQUIRE(planned.size() == 2);
  CHECK(planned[0].name == "build");
  CHECK(planned[0].needs.empty());  // base succeeded: not rerun, its layers come from the cache
  CHECK(nlohmann::json::parse(planned[0].spec_json)["needs"] == nlohmann::json::array());
  CHECK(planned[1].needs == std::vector<std::string>{"build"});
  CHECK(planned[1].max_attempts == 5);
}

TEST_CASE("a named rerun brings its dependents along, an empty selection repeats every job") {
  auto jobs = ParentJobs(JobStatus::kSuccess);
  CHECK(ChooseRerunJobs(jobs, {.jobs = {"base"}}) == std::set<std::string>{"base", "build", "test", "docs"});
  CHECK(ChooseRerunJobs(jobs, {.jobs = {"docs"}}) == std::set<std::string>{"docs"});
  CHECK(ChooseRerunJobs(jobs, {}).size() == 4);
  CHECK(RerunJobs(jobs, ChooseRerunJobs(jobs, {}), 3)[1].needs == std::vector<std::string>{"base"});
}

TEST_CASE("reruns that cannot start say why") {
  CHECK(CheckRerun(4, ParentJobs(JobStatus::kFailure), {.failed_only = true}).ok());
  CHECK(CheckRerun(4, {}, {}).code() == ErrorCode::kConflict);
  Status unknown = CheckRerun(4, ParentJobs(JobStatus::kFailure), {.jobs = {"lint"}});
  CHECK(unknown.code() == ErrorCode::kInvalidArgument);
  CHECK(unknown.message() == "run 4 has no job 'lint'");
  auto all_good = ParentJobs(JobStatus::kSuccess);
  all_good[2].status = JobStatus::kSuccess;
  Status nothing = CheckRerun(4, all_good, {.failed_only = true});
  CHECK(nothing.code() == ErrorCode::kConflict);
  CHECK(nothing.message() == "nothing to rerun: every job of run 4 succeeded");
}

}  // namespace
}  // namespace slipway::core
