// The pull (merge) request event, normalised across forges: what starts a `pull_request` run, and
// what cancels one when the request closes.
//
// Field sources (GitHub and Gitea share a payload shape; GitLab differs):
//   repo            repository.full_name           (GitLab: project.path_with_namespace): the target
//   number          pull_request.number            (GitLab: object_attributes.iid)
//   title           pull_request.title             (GitLab: object_attributes.title)
//   source, target  pull_request.head.ref, .base.ref (GitLab: object_attributes.source_branch, target_branch)
//   head sha        pull_request.head.sha          (GitLab: object_attributes.last_commit.id)
//   source repo     pull_request.head.repo.full_name (GitLab: object_attributes.source.path_with_namespace)
//   fork            the head's repository is not the base's (GitLab: source_project_id differs
//                   from target_project_id); a head whose repository is gone counts as a fork
//   web_url         repository.html_url            (GitLab: project.web_url), http(s) only
// Actions that build: GitHub opened, reopened, synchronize; Gitea the same with "synchronized";
// GitLab open, reopen, and update when it carries new commits (object_attributes.oldrev). Closing
// (GitLab also merge) cancels. Every other action (labeled, edited, ...) does neither.
// The head commit is fetched from the target repository's pull-request ref (head_ref), which the
// forge keeps for forks too. Names and shas are validated as in push_event.h.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "webhooks/forge.h"

namespace slipway::webhooks {

enum class PullRequestAction { kBuild, kClose, kOther };

struct PullRequestEvent {
  Forge forge = Forge::kGitHub;
  std::string repo;  // the target repository, "owner/name"
  std::string action;  // as sent: "opened", "synchronize", "update", ...
  PullRequestAction what = PullRequestAction::kOther;
  int64_t number = 0;
  std::string title;
  std::string source_branch;
  std::string target_branch;
  std::string source_repo;  // "" when the head's repository was deleted
  bool fork = false;
  std::string head_sha;
  std::string head_ref;  // "refs/pull/12/head" (GitHub, Gitea), "refs/merge-requests/12/head" (GitLab)
  std::string web_url;   // the target repository's web page; "" when absent or not http(s)
  std::string author;    // who opened it (login or name)
};

// True for the event names that carry a pull request ("pull_request", "Merge Request Hook").
bool IsPullRequestEvent(Forge forge, std::string_view event);

Result<PullRequestEvent> ParsePullRequestEvent(Forge forge, std::string_view body);

// The URL when it is a plain http(s) address fit for a link (printable ASCII, no quotes, spaces
// or angle brackets, at most 512 bytes), without a trailing '/'; else "".
std::string CleanWebUrl(std::string_view url);

}  // namespace slipway::webhooks
