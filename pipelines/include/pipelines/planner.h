// PlanPipeline: the one entry point from a repository's files to the run's JobSpecs.
//
// The orchestrator calls it with a reader backed by `git show <sha>:<path>`, the CLI with one backed
// by the filesystem; nothing else here does I/O. Steps: read and parse `.slipway.yml`, lint it, read
// and parse each Dockerfile it uses, check targets, apply the `on.push` filters, then expand matrix
// × stages into JobSpecs with needs. Diagnostics from every step are returned together, sorted; no
// jobs are produced when any is an error or when the push is filtered out (not an error).
// Each Dockerfile read without errors is checked by the Dockerfile rules (dockerfile_rules.h), told
// which targets the pipeline builds and pushes from it. `lint.ignore` drops warnings and rule
// findings of the listed codes; `lint.fail_on` sets what a rule finding does to the run: `error`
// (default: only the error rules, the secrets, fail it), `warning` (every rule finding becomes an
// error) or `never` (rule findings are all warnings; they are reported, the run goes ahead).
//
// Stages absent from the pipeline: every named Dockerfile stage becomes a job, with needs from the
// Dockerfile's stage graph, nothing pushed; a Dockerfile with no named stage gives one job "build"
// with an empty target (the final stage). `dockerfile` paths are relative to the repository root,
// not to `context`. Matrix × stages: each stage's needs point at the same combination's jobs.
// `cache_ref` is `<image>:cache-<job>` when `image` is set. A stage whose `when:` does not hold for
// the run gives no job (needs on it are dropped: the Dockerfile builds what a target uses); one
// whose `push: {when: ...}` does not hold is built without pushing, and without its tags. A run
// whose every stage is left out this way is filtered out. `bases` lists the external images the
// job's target is built from, read with the job's build args (Dockerfile::BaseImages). Tags are rendered (tag_template.h) into
// `<image>:<tag>`; tags are ignored without an image (warning `tags-without-image`), a tag that
// renders empty is dropped (`empty-tag`), two jobs with one tag warn (`tag-collision`).
// Extra codes: `missing-pipeline`, `missing-dockerfile`, `unknown-target`, `duplicate-name` (two
// jobs with one name after expansion), `no-stages` (nothing to build), `too-many-jobs` (over
// kMaxJobsPerRun), `planning-deadline` (the context's deadline passed), `path-escapes-repo` (a
// context or Dockerfile reached through a symbolic link out of the repository, when the context
// gives a lookup of the repository's tree; jobs then name the paths with their links followed).
//
// Thread-safety: reentrant; `read` is called from the calling thread only.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pipelines/diagnostic.h"
#include "pipelines/job_spec.h"
#include "pipelines/repo_path.h"

namespace slipway::pipelines {

struct PlanContext {
  std::string branch;      // "" : unknown or a tag, the branch filter is not applied
  std::string sha;
  long long run_number = 0;
  std::optional<std::vector<std::string>> changed_paths;  // none: the paths filter is not applied
  bool apply_filters = true;  // false (lint): plan every job whatever the on filters say
  RepoLookup lookup;          // none: paths are taken as written (no symbolic links followed)
  std::optional<std::chrono::steady_clock::time_point> deadline;  // none: no deadline
  // The run's trigger, for `when: {event}` and which `on` filter applies: push, pull_request, tag,
  // manual, schedule, base-update. A tag run is filtered by on.tag, a pull request's by nothing,
  // the others by on.push.
  std::string event = "push";
  std::string tag;                     // a tag run's tag ("v1.2.3")
  // Every tag of the repository, for the `latest` rule; none (unknown): `latest` is not moved.
  std::optional<std::vector<std::string>> repo_tags;
};

// Returns the file's content, or nullopt when it does not exist. Paths are already normalised and
// inside the repository.
using FileReader = std::function<std::optional<std::string>(const std::string& repo_relative_path)>;

struct PlanResult {
  std::vector<Diagnostic> diagnostics;
  bool has_errors = false;
  bool filtered_out = false;
  std::string filter_reason;
  std::vector<JobSpec> jobs;  // in dependency order (a job comes after all it needs)
};

PlanResult PlanPipeline(const FileReader& read, const PlanContext& ctx,
                        const std::string& pipeline_path = ".slipway.yml");

}  // namespace slipway::pipelines
