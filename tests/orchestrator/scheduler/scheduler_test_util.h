// Small builders shared by the scheduler tests.
#pragma once

#include <string>
#include <vector>

#include "scheduler/scheduler.h"

namespace slipway::scheduler::testing {

inline JobNode Job(int64_t id, std::string name, std::vector<std::string> needs = {},
                   std::map<std::string, std::string> labels = {}) {
  JobNode job;
  job.job_id = id;
  job.name = std::move(name);
  job.needs = std::move(needs);
  job.labels = std::move(labels);
  return job;
}

inline RunInfo Run(int64_t id, std::string repo = "acme/shop", std::string branch = "main") {
  RunInfo run;
  run.run_id = id;
  run.repo = std::move(repo);
  run.branch = std::move(branch);
  return run;
}

inline AgentInfo Agent(std::string name, int capacity = 1, std::map<std::string, std::string> labels = {}) {
  AgentInfo agent;
  agent.name = std::move(name);
  agent.capacity = capacity;
  agent.labels = std::move(labels);
  return agent;
}

// Lease ids "lease-1", "lease-2", ... so tests can name them.
inline SchedulerOptions CountingIds(int64_t lease_ms = 15000, int max_attempts = 3) {
  SchedulerOptions options;
  options.lease_ms = lease_ms;
  options.default_max_attempts = max_attempts;
  options.new_lease_id = [n = 0]() mutable { return "lease-" + std::to_string(++n); };
  return options;
}

inline const Change* FindJobChange(const std::vector<Change>& changes, const std::string& name) {
  for (const Change& c : changes) {
    if (c.kind == Change::Kind::kJob && c.job_name == name) return &c;
  }
  return nullptr;
}

inline const Change* FindRunChange(const std::vector<Change>& changes, int64_t run_id) {
  for (const Change& c : changes) {
    if (c.kind == Change::Kind::kRun && c.run_id == run_id) return &c;
  }
  return nullptr;
}

}  // namespace slipway::scheduler::testing
