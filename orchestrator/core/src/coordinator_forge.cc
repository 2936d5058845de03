// Coordinator, runs from the forge beyond branch pushes: pull requests (a fork's held for
// approval, all canceled when the request closes), tags (the repository's tags for `latest`, the
// publish policy's view of a tag), and scheduled builds of the default branch.
#include "common/log.h"
#include "core/coordinator.h"
#include "core/work_queue.h"

namespace slipway::core {

Result<IntakeAnswer> Coordinator::AcceptPullRequest(const PushIntake& pr) {
  auto repo = repos_.GetById(pr.repo_id);
  if (!repo.ok()) return repo.status();
  const bool fork = pr.origin.pr_fork;
  if (fork && repo->fork_pull_requests == "ignore") {
    const std::string reason = "pull requests from forks are ignored (fork_pull_requests: ignore)";
    auto recorded = runs_.RecordDelivery(pr.forge, pr.delivery_id, pr.event, pr.repo_id, reason, clock_());
    if (!recorded.ok()) return recorded.status();
    return IntakeAnswer{.run_id = recorded->run_id.value_or(0), .duplicate = recorded->duplicate, .ignored = reason};
  }
  const bool hold = fork && repo->fork_pull_requests != "run";
  auto answer = AcceptPush(pr, hold);
  if (!answer.ok() || answer->duplicate) return answer;
  LogInfo("pull request run", {{"repo", pr.repo}, {"pr", std::to_string(pr.origin.pr_number.value_or(0))},
                               {"run", std::to_string(answer->run_id)}, {"fork", fork ? "yes" : "no"},
                               {"held", hold ? "yes" : "no"}});
  return answer;
}

Result<std::vector<int64_t>> Coordinator::ClosePullRequest(int64_t repo_id, int64_t pr_number) {
  auto open = runs_.ListUnfinishedForPullRequest(repo_id, pr_number);
  if (!open.ok()) return open.status();
  std::vector<int64_t> canceled;
  for (const auto& run : *open) {
    Status s = CancelRunFor(run.id, "pull request #" + std::to_string(pr_number) + " closed");
    if (s.ok()) canceled.push_back(run.id);
    else if (s.code() != ErrorCode::kConflict) return s;  // finished meanwhile: nothing to cancel
  }
  return canceled;
}

Status Coordinator::ApproveRun(int64_t run_id) {
  if (Status s = runs_.Approve(run_id, clock_()); !s.ok()) return s;
  hub_.Publish("events", "run", {{"run_id", run_id}, {"status", "pending"}, {"reason", "approved"}});
  QueuePlanning(run_id, [this, run_id] { PlanRun(run_id, std::nullopt); });
  return Status::Ok();
}

Result<store::Run> Coordinator::StartScheduledBuild(const store::Repo& repo) {
  if (Status s = FetchMirror(repo); !s.ok()) return s;
  auto sha = mirror_.ResolveBranch(repo.name, repo.default_branch);
  if (!sha.ok()) return sha.status();
  auto run = runs_.CreateRun({.repo_id = repo.id,
                              .branch = repo.default_branch,
                              .sha = *sha,
                              .message = "scheduled build",
                              .author = "",
                              .trigger = "schedule",
                              .parent_run_id = std::nullopt,
                              .created_at = clock_()});
  if (!run.ok()) return run.status();
  hub_.Publish("events", "run", {{"run_id", run->id}, {"status", "pending"}, {"reason", "schedule"}});
  int64_t id = run->id;
  QueuePlanning(id, [this, id] { PlanRun(id, std::nullopt); });
  return run;
}

std::optional<std::vector<std::string>> Coordinator::TagsForRun(const store::Run& run, const store::Repo& repo) {
  if (run.trigger != "tag") return std::nullopt;
  auto tags = mirror_.ListTags(repo.name);
  if (tags.ok()) return *tags;
  // Unknown: no tag counts as the highest, so `latest` is left alone rather than moved back.
  LogWarn("tags not listed", {{"repo", repo.name}, {"error", tags.status().ToString()}});
  return std::nullopt;
}

// A tag moves protected tags as the branch it was cut from would: its commit must be on the
// default branch or a protected branch, so a tag on an unreviewed commit publishes nothing
// protected.
std::string Coordinator::PolicyBranch(const store::Run& run, const store::Repo& repo) {
  if (run.trigger != "tag") return run.branch;
  std::vector<std::string> trusted = {repo.default_branch};
  trusted.insert(trusted.end(), repo.policy.protected_branches.begin(), repo.policy.protected_branches.end());
  for (const auto& branch : trusted) {
    auto head = mirror_.ResolveBranch(repo.name, branch);
    if (!head.ok()) continue;
    auto on = mirror_.IsAncestor(repo.name, run.sha, *head);
    if (on.ok() && *on) return branch;
  }
  return "tag " + run.origin.tag + " (a commit on no protected branch)";
}

}  // namespace slipway::core
