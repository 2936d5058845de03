// Reruns, decided without touching the store: whether a rerun may start, which of the parent run's
// jobs it repeats, and the jobs it gets.
//
// A rerun repeats chosen jobs of the parent run at the same commit, with the parent's compiled
// specs, plus every job that depends on them. Needs on jobs left out are dropped: those succeeded
// in the parent, and their layers come back from the build cache.
//
// Pure. Thread-safety: plain values and functions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/job_store.h"

namespace slipway::core {

// Which jobs of a run a rerun repeats.
struct RerunSelection {
  bool failed_only = false;
  std::vector<std::string> jobs;  // empty and !failed_only: all
};

// kConflict when the run has no jobs, or only successful ones and failed_only is asked;
// kInvalidArgument when a named job is not in the run.
Status CheckRerun(int64_t run_id, const std::vector<store::Job>& jobs, const RerunSelection& selection);

// The names of the jobs to repeat: those selected and their dependents. REQUIRES: parent_jobs in
// dependency order (as planned and stored).
std::set<std::string> ChooseRerunJobs(const std::vector<store::Job>& parent_jobs, const RerunSelection& selection);

// The chosen jobs as new jobs, in the parent's order, their needs (and their specs' needs) kept
// only on chosen jobs.
std::vector<store::NewJob> RerunJobs(const std::vector<store::Job>& parent_jobs, const std::set<std::string>& chosen,
                                     int max_attempts);

}  // namespace slipway::core
