// Pipeline: the in-memory model of `.slipway.yml` (version 1), as parsed, before expansion.
//
// Keeps the 1-based position of every value that a later step may complain about, so the linter and
// expander can point at the right line. Defaults: dockerfile "Dockerfile",
// context ".", no image (nothing pushed), no filters (every push runs), no matrix.
//
// Thread-safety: plain values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipelines/diagnostic.h"
#include "pipelines/job_spec.h"

namespace slipway::pipelines {

// The secret an `ssh:` entry given as a bare id is served from.
inline constexpr char kDefaultSshKeySecret[] = "SSH_KEY";

template <typename T>
struct Located {
  T value{};
  Position pos;
};

// A condition on the run, `when: {branch: [...], event: [...]}`: it holds when every list given
// matches. `branch` holds globs as on.push.branches (`!` excludes) and is not applied to runs
// without a branch (runs of tags); a pull request's run has the branch "pull/N". `event` lists
// triggers: push pull_request tag manual schedule base-update.
struct RunCondition {
  bool set = false;
  Position pos;
  std::vector<std::string> branches;
  std::vector<std::string> events;
};

// One `on.schedule` entry: a cron time (UTC) that checks the bases, or with `build: true` builds
// the default branch's head (a run with trigger schedule).
struct ScheduleEntry {
  std::string cron;
  bool build = false;
};

struct StageConfig {
  std::string key;                             // the stage's name in `stages:`
  Position pos;                                // of the key
  std::optional<Located<std::string>> target;  // absent: the key itself
  std::vector<Located<std::string>> needs;
  bool push = false;
  Position push_pos;
  RunCondition when;       // `when:` the stage runs only when it holds (else no job)
  RunCondition push_when;  // `push: {when: ...}`: the stage pushes only when it holds
  bool pull = false;  // build with --pull: bases asked of their registry, never the engine's copy
  long long timeout_seconds = 0;  // `timeout:`; 0: the server's default
  std::vector<Located<std::string>> tags;
  std::vector<std::pair<std::string, std::string>> build_args;
  std::vector<std::string> platforms;
  std::optional<Located<std::string>> dockerfile;
  std::optional<Located<std::string>> context;
  std::map<std::string, std::string> labels;  // from `labels:` and `runs_on:`
  Budget budget;
  ScanPolicy scan;
  // secrets: [{id, from, env}] and ssh: [id | {id, from}]; `from` is located for plan-time errors.
  std::vector<Located<BuildSecretRef>> secrets;
  std::vector<Located<SshKeyRef>> ssh;

  const std::string& TargetName() const { return target ? target->value : key; }
};

struct MatrixAxis {
  std::string name;
  Position pos;
  std::vector<std::string> values;
};

struct Pipeline {
  int version = 1;
  std::optional<Located<std::string>> image;
  Located<std::string> dockerfile{"Dockerfile", {}};
  bool dockerfile_set = false;
  Located<std::string> context{".", {}};
  std::vector<Located<std::string>> branches;  // on.push.branches
  std::vector<Located<std::string>> paths;     // on.push.paths
  std::vector<Located<std::string>> tag_patterns;  // on.tag: globs of the tags that start runs
  std::vector<ScheduleEntry> schedule;         // on.schedule
  std::vector<std::string> lint_ignore;        // lint.ignore: warning and Dockerfile rule codes not reported
  std::string lint_fail_on = "error";          // lint.fail_on: error | warning | never (Dockerfile rules)
  bool has_stages = false;
  Position stages_pos;
  std::vector<StageConfig> stages;  // file order
  bool has_matrix = false;
  Position matrix_pos;
  std::vector<MatrixAxis> matrix;   // file order
};

}  // namespace slipway::pipelines
