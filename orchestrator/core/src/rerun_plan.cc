#include "core/rerun_plan.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace slipway::core {

Status CheckRerun(int64_t run_id, const std::vector<store::Job>& jobs, const RerunSelection& selection) {
  std::string run = "run " + std::to_string(run_id);
  if (jobs.empty()) return Status::Conflict(run + " has no jobs to rerun");
  for (const auto& name : selection.jobs) {
    if (std::none_of(jobs.begin(), jobs.end(), [&](const store::Job& j) { return j.name == name; })) {
      return Status::InvalidArgument(run + " has no job '" + name + "'");
    }
  }
  if (selection.failed_only &&
      std::all_of(jobs.begin(), jobs.end(), [](const store::Job& j) { return j.status == JobStatus::kSuccess; })) {
    return Status::Conflict("nothing to rerun: every job of " + run + " succeeded");
  }
  return Status::Ok();
}

std::set<std::string> ChooseRerunJobs(const std::vector<store::Job>& parent_jobs, const RerunSelection& selection) {
  std::set<std::string> chosen;
  for (const auto& j : parent_jobs) {
    bool named = std::find(selection.jobs.begin(), selection.jobs.end(), j.name) != selection.jobs.end();
    bool pick = selection.failed_only ? j.status != JobStatus::kSuccess : (selection.jobs.empty() || named);
    if (pick) chosen.insert(j.name);
  }
  // Dependents of chosen jobs come along; dependency order lets one pass find them all.
  for (const auto& j : parent_jobs) {
    for (const auto& need : j.needs) {
      if (chosen.count(need)) chosen.insert(j.name);
    }
  }
  return chosen;
}

std::vector<store::NewJob> RerunJobs(const std::vector<store::Job>& parent_jobs, const std::set<std::string>& chosen,
                                     int max_attempts) {
  std::vector<store::NewJob> out;
  for (const auto& j : parent_jobs) {
    if (!chosen.count(j.name)) continue;
    std::vector<std::string> needs;
    for (const auto& n : j.needs) {
      if (chosen.count(n)) needs.push_back(n);
    }
    auto spec = nlohmann::json::parse(j.spec_json, nullptr, false);
    if (spec.is_object()) spec["needs"] = needs;
    out.push_back({.name = j.name, .stage = j.stage, .spec_json = spec.dump(), .needs = needs,
                   .max_attempts = max_attempts});
  }
  return out;
}

}  // namespace slipway::core
