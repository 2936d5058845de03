// The push event, the one webhook payload that can start a run, normalised across forges.
//
// Field sources (GitHub and Gitea share a payload shape; GitLab differs):
//   repo           repository.full_name            (GitLab: project.path_with_namespace)
//   ref            ref                             ("refs/heads/main", "refs/tags/v1")
//   before, after  before, after
//   head commit    head_commit, else the commit in commits[] whose id is `after`, else the last one
//   changed paths  union of added/modified/removed over commits[]
//   web_url        repository.html_url             (GitLab: project.web_url)
// Every name and sha is validated (see ref_name.h) before it is returned. Malformed JSON gives
// InvalidArgument with the byte offset; a missing or mistyped field gives InvalidArgument naming it.
// Secrets that old Gitea versions put in the body ("secret") are never read.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "webhooks/forge.h"

namespace slipway::webhooks {

struct PushEvent {
  Forge forge = Forge::kGitHub;
  std::string repo;       // "owner/name"
  std::string ref;        // "refs/heads/main"
  std::string branch;     // "main"; "" for a tag push
  std::string tag;        // "v1.2"; "" for a branch push
  bool is_tag = false;
  bool created = false;   // before is all zeros: a new branch or tag
  bool deleted = false;   // after is all zeros, or the payload says "deleted": true
  std::string before;
  std::string after;      // the commit to build (an annotated tag's: head_commit.id)
  std::string head_message;
  std::string head_author;  // the head commit author's name
  std::string web_url;      // repository.html_url (GitLab: project.web_url), http(s) only; else ""
  std::vector<std::string> changed_paths;  // sorted, unique
  // False when the payload lists fewer commits than the push holds (GitLab total_commits_count,
  // Gitea total_commits) or a commit carries no file lists: a paths filter must then assume a match.
  bool paths_complete = true;
};

// Bodies larger than this are refused (TooLarge), as the forges cap theirs.
inline constexpr std::size_t kMaxBodyBytes = 25 * 1024 * 1024;

// Bodies deeper than this many nested arrays/objects are refused before parsing.
inline constexpr int kMaxJsonDepth = 64;

Result<PushEvent> ParsePushEvent(Forge forge, std::string_view body);

}  // namespace slipway::webhooks
