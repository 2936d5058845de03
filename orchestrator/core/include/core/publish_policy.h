// Publish policy: what a repository's pipelines may push and ask for, set per repository by the
// server's administrator (store::PublishPolicy: server config file or POST /api/v1/repos), never by
// a push. Anyone who can push to one registered repository is a possible attacker; the planned
// jobs are checked before any is stored, so a pipeline that asks for more than its repository may
// gets a diagnostic naming the rule, its run ends `error`, and nothing is built or pushed.
//
// Rules (the diagnostic codes):
//   image-prefix   every image a job names (its `image`, its tags, its cache) lies under one of the
//                  repository's image_prefixes, on a path-component boundary ("reg/shop" allows
//                  "reg/shop" and "reg/shop/api", not "reg/shopping"). A repository with no prefixes
//                  set may push anywhere except under another repository's prefixes: existing
//                  installations keep working, and a repository whose images were fenced off cannot
//                  be written to from another one.
//   protected-tag  a tag matching a protected_tags pattern (globs as in on.push: `*`, `?`) is
//                  moved only by a push to the default branch or a protected_branches entry.
//   agent-label    with agent_labels set, each label a job asks agents for is listed, as
//                  "key=value" or "key=*". None set: any label (agents are trusted alike).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "pipelines/diagnostic.h"
#include "pipelines/job_spec.h"
#include "pipelines/pipeline.h"
#include "store/repo_store.h"

namespace slipway::core {

// Checks values an administrator gives (config file, API): prefixes are registry paths
// ("host[:port]/path"), tag patterns use tag characters and `*`, labels are "key=value" or "key=*".
Status ValidatePublishPolicy(const store::PublishPolicy& policy);

// The diagnostics (errors) for jobs of `repo` planned for a push to `branch`. `all_repos` gives the
// prefixes other repositories own; `pipeline` (may be null) the positions to point at.
std::vector<pipelines::Diagnostic> CheckPublishPolicy(const store::Repo& repo,
                                                      const std::vector<store::Repo>& all_repos,
                                                      const std::string& branch,
                                                      const std::vector<pipelines::JobSpec>& jobs,
                                                      const pipelines::Pipeline* pipeline,
                                                      const std::string& pipeline_file = ".slipway.yml");

// Whether runs of `branch` are runs of the repository's default branch or of one of its
// protected_branches: the runs that may move protected tags and receive protected secrets.
bool IsProtectedBranch(const store::Repo& repo, const std::string& branch);

// The repository part of an image reference: "reg:5000/shop:main" -> "reg:5000/shop".
std::string ImageRepository(const std::string& ref);
// Whether `image` (a repository) lies under `prefix` on a path-component boundary.
bool UnderPrefix(const std::string& image, const std::string& prefix);

}  // namespace slipway::core
