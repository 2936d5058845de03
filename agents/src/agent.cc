#include "agent/agent.h"

#include <algorithm>

#include "agent/buildx_runner.h"
#include "agent/job_runner.h"
#include "agent/job_secrets.h"
#include "common/log.h"
#include "common/strings.h"

namespace slipway::agent {

Result<std::map<std::string, std::string>> ParseLabels(const std::string& text) {
  std::map<std::string, std::string> labels;
  for (const std::string& item : SplitNonEmpty(text, ',')) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return Status::InvalidArgument("label is not k=v: " + item);
    labels[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return labels;
}

Agent::Agent(AgentConfig config)
    : config_(config), client_(config), workspace_(config.workdir) {}

Agent::~Agent() {
  Stop();
  for (auto& w : workers_) {
    if (w.joinable()) w.detach();
  }
}

void Agent::Start() {
  RemoveLeftoverSecrets(config_.workdir);  // what jobs left when this agent was last killed
  cache_export_ = DetectCacheExport(config_.docker);
  LogInfo("agent started", {{"name", config_.name}, {"server", config_.server},
                            {"capacity", std::to_string(config_.capacity)}, {"workdir", config_.workdir}});
  for (int i = 0; i < config_.capacity; ++i) workers_.emplace_back([this, i] { Work(i); });
}

void Agent::Stop() { stop_.Cancel(); }

bool Agent::WaitIdle(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running_jobs_.load() > 0 || LiveRenewers() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return running_jobs_.load() == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void Agent::Work(int slot) {
  std::chrono::milliseconds backoff(500);
  const std::chrono::milliseconds kMaxBackoff(30000);
  JobContext ctx;
  ctx.client = &client_;
  ctx.workspace = &workspace_;
  ctx.workdir = config_.workdir;
  ctx.slot = "w" + std::to_string(slot);
  ctx.cache_export = &cache_export_;
  ctx.stop = &stop_;
  ctx.examiner = &examiner_;
  while (!stop_.canceled()) {
    auto lease = client_.LeaseJob(25);
    if (stop_.canceled()) break;
    if (!lease.ok()) {
      LogWarn("lease request failed", {{"error", lease.status().ToString()},
                                       {"retry_ms", std::to_string(backoff.count())}});
      if (stop_.WaitFor(backoff)) break;
      backoff = std::min(backoff * 2, kMaxBackoff);
      continue;
    }
    backoff = std::chrono::milliseconds(500);
    if (!lease->has_value()) continue;
    ++running_jobs_;
    RunLease(ctx, **lease);
    --running_jobs_;
  }
}

}  // namespace slipway::agent
