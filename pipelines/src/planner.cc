// PlanPipeline: read -> parse -> lint -> Dockerfiles -> targets -> filter -> expand.
#include "pipelines/planner.h"

#include <algorithm>
#include <map>
#include <set>

#include "pipelines/dockerfile.h"
#include "pipelines/dockerfile_rules.h"
#include "pipelines/filters.h"
#include "pipelines/limits.h"
#include "pipelines/matrix.h"
#include "pipelines/pipeline_linter.h"
#include "pipelines/pipeline_parser.h"
#include "pipelines/repo_path.h"
#include "pipelines/semver.h"
#include "pipelines/tag_template.h"

namespace slipway::pipelines {
namespace {

// A stage to expand, from `stages:` or derived from the Dockerfile.
struct PlannedStage {
  std::string key;
  std::string target;
  std::vector<std::string> needs;
  std::string dockerfile;
  std::string context;
  const StageConfig* config = nullptr;  // null when derived
};

// Kahn's algorithm, ties broken by the original order. REQUIRES: no cycles.
std::vector<const PlannedStage*> TopologicalOrder(const std::vector<PlannedStage>& stages) {
  std::vector<const PlannedStage*> out;
  std::set<std::string> done;
  std::vector<bool> placed(stages.size(), false);
  bool progress = true;
  while (out.size() < stages.size() && progress) {
    progress = false;
    for (size_t i = 0; i < stages.size(); ++i) {
      if (placed[i]) continue;
      bool ready = std::all_of(stages[i].needs.begin(), stages[i].needs.end(),
                               [&](const std::string& n) { return done.count(n) > 0; });
      if (!ready) continue;
      placed[i] = true;
      done.insert(stages[i].key);
      out.push_back(&stages[i]);
      progress = true;
      break;
    }
  }
  for (size_t i = 0; i < stages.size(); ++i) {
    if (!placed[i]) out.push_back(&stages[i]);  // only reachable with a cycle
  }
  return out;
}

std::string ListNames(const Dockerfile& df) {
  std::string out;
  for (const DockerStage& s : df.stages) {
    if (s.name.empty()) continue;
    out += out.empty() ? s.name : ", " + s.name;
  }
  return out.empty() ? "none named" : out;
}

class Planner {
 public:
  Planner(const FileReader& read, const PlanContext& ctx, const std::string& path)
      : read_(read), ctx_(ctx), path_(path) {}

  PlanResult Run() {
    std::optional<std::string> text = read_(path_);
    if (!text) {
      diags_.push_back(MakeError(path_, {1, 1}, "missing-pipeline", "the pipeline file " + path_ + " does not exist"));
      return Finish();
    }
    PipelineParse parse = ParsePipeline(*text, path_);
    const Pipeline& p = parse.pipeline;
    Append(std::move(parse.diagnostics));
    Append(LintPipeline(p, path_));
    // A pipeline file refused whole (unreadable, or past a limit) plans nothing further.
    for (const char* refused : {"yaml-syntax", "file-too-large", "not-utf8", "yaml-too-large", "too-many-stages"}) {
      if (HasCode(refused)) return Finish(p);
    }

    std::vector<PlannedStage> stages = CollectStages(p);
    CheckDockerfiles(stages);
    ApplyLintSettings(p);
    std::optional<std::string> reason;
    if (ctx_.apply_filters) reason = FilterRun(p);
    if (reason) {
      result_.filtered_out = true;
      result_.filter_reason = *reason;
    }
    if (!HasErrors(diags_) && !result_.filtered_out) Expand(p, stages);
    if (!HasErrors(diags_) && !result_.filtered_out && result_.jobs.empty() && !stages.empty()) {
      result_.filtered_out = true;
      result_.filter_reason = "no stage's when: holds for this " + ctx_.event + " run";
    }
    return Finish(p);
  }

 private:
  void Append(std::vector<Diagnostic> more) {
    for (Diagnostic& d : more) diags_.push_back(std::move(d));
  }
  // Why the run is filtered out by the pipeline's `on` section, or nullopt.
  std::optional<std::string> FilterRun(const Pipeline& p) const {
    if (ctx_.event == "pull_request") return std::nullopt;
    if (ctx_.event == "tag") {
      std::vector<std::string> patterns;
      for (const auto& t : p.tag_patterns) patterns.push_back(t.value);
      if (MatchesFilter(patterns, ctx_.tag)) return std::nullopt;
      std::string list;
      for (const auto& t : patterns) list += (list.empty() ? "" : ", ") + t;
      return "tag \"" + ctx_.tag + "\" does not match on.tag [" + list + "]";
    }
    PushFilter filter;
    for (const auto& b : p.branches) filter.branches.push_back(b.value);
    for (const auto& q : p.paths) filter.paths.push_back(q.value);
    return FilterPush(filter, ctx_.branch, ctx_.changed_paths);
  }

  bool Holds(const RunCondition& c) const {
    if (!c.set) return true;
    if (!ctx_.branch.empty() && !MatchesFilter(c.branches, ctx_.branch)) return false;
    return c.events.empty() || std::find(c.events.begin(), c.events.end(), ctx_.event) != c.events.end();
  }

  bool HasCode(const std::string& code) const {
    return std::any_of(diags_.begin(), diags_.end(), [&](const Diagnostic& d) { return d.code == code; });
  }

  // Dockerfile rules, on each Dockerfile read without errors, knowing what the pipeline builds and
  // pushes from it.
  void CheckDockerfiles(const std::vector<PlannedStage>& stages) {
    std::map<std::string, DockerfileRuleOptions> options;
    for (const PlannedStage& s : stages) {
      auto loaded = dockerfiles_.find(s.dockerfile);
      if (loaded == dockerfiles_.end() || !loaded->second) continue;
      options[s.dockerfile].targets.insert(s.target);
      if (s.config && s.config->push) options[s.dockerfile].runtime_targets.insert(s.target);
    }
    for (const auto& [path, opts] : options) {
      const LoadedDockerfile& df = *dockerfiles_[path];
      if (df.clean) Append(CheckDockerfile(df.dockerfile, df.text, path, opts));
    }
  }

  // lint.ignore drops warnings and Dockerfile rule findings of those codes; lint.fail_on then sets
  // the severity of the remaining rule findings (warning: all errors, never: all warnings).
  // Idempotent; applied before expanding (so silenced errors do not stop it) and when finishing.
  void ApplyLintSettings(const Pipeline& p) {
    std::set<std::string> ignore(p.lint_ignore.begin(), p.lint_ignore.end());
    std::vector<Diagnostic> kept;
    for (Diagnostic& d : diags_) {
      bool rule = IsDockerfileRuleCode(d.code);
      if ((d.severity == Severity::kWarning || rule) && ignore.count(d.code)) continue;
      if (rule && p.lint_fail_on == "warning") d.severity = Severity::kError;
      if (rule && p.lint_fail_on == "never") d.severity = Severity::kWarning;
      kept.push_back(std::move(d));
    }
    diags_ = std::move(kept);
  }

  PlanResult Finish(const Pipeline& p = Pipeline()) {
    ApplyLintSettings(p);
    std::vector<Diagnostic> kept = std::move(diags_);
    SortDiagnostics(kept);
    result_.diagnostics = std::move(kept);
    result_.has_errors = HasErrors(result_.diagnostics);
    if (result_.has_errors) result_.jobs.clear();
    return std::move(result_);
  }

  // Reads and parses a Dockerfile once; nullptr when missing (reported at `pos` in the pipeline).
  const Dockerfile* LoadDockerfile(const std::string& path, Position pos) {
    auto it = dockerfiles_.find(path);
    if (it != dockerfiles_.end()) return it->second ? &it->second->dockerfile : nullptr;
    std::optional<std::string> text = read_(path);
    if (!text) {
      diags_.push_back(MakeError(path_, pos, "missing-dockerfile", "the Dockerfile " + path + " does not exist"));
      dockerfiles_[path] = std::nullopt;
      return nullptr;
    }
    DockerfileParse parse = ParseDockerfile(*text, path);
    bool clean = !HasErrors(parse.diagnostics);
    Append(std::move(parse.diagnostics));
    dockerfiles_[path] = LoadedDockerfile{std::move(parse.dockerfile), std::move(*text), clean};
    return &dockerfiles_[path]->dockerfile;
  }

  // The path with the repository's symbolic links followed; nullopt (reported at pos) when one
  // leads out of the repository. Remembered per path: stages mostly share them.
  std::optional<std::string> Resolve(std::optional<std::string> path, Position pos) {
    if (!path || !ctx_.lookup) return path;
    auto known = resolved_.find(*path);
    if (known == resolved_.end()) known = resolved_.emplace(*path, ResolveRepoSymlinks(*path, ctx_.lookup)).first;
    if (known->second.ok()) return *known->second;
    diags_.push_back(MakeError(path_, pos, "path-escapes-repo", known->second.status().message()));
    return std::nullopt;
  }

  bool PastDeadline() {
    if (!ctx_.deadline || std::chrono::steady_clock::now() < *ctx_.deadline) return false;
    if (!HasCode("planning-deadline")) {
      diags_.push_back(MakeError(path_, {1, 1}, "planning-deadline", "planning took longer than its deadline"));
    }
    return true;
  }

  std::vector<PlannedStage> CollectStages(const Pipeline& p) {
    std::vector<PlannedStage> out;
    auto top_dockerfile = Resolve(NormalizeRepoPath(p.dockerfile.value), p.dockerfile.pos);
    auto top_context = Resolve(NormalizeRepoPath(p.context.value), p.context.pos);
    if (p.has_stages) {
      for (const StageConfig& s : p.stages) {
        PlannedStage ps{s.key, s.TargetName(), {}, "", "", &s};
        for (const auto& n : s.needs) ps.needs.push_back(n.value);
        if (PastDeadline()) return out;
        auto df = s.dockerfile ? Resolve(NormalizeRepoPath(s.dockerfile->value), s.dockerfile->pos) : top_dockerfile;
        auto ctx = s.context ? Resolve(NormalizeRepoPath(s.context->value), s.context->pos) : top_context;
        if (!df || !ctx) continue;  // path-escapes-repo already reported
        ps.dockerfile = *df;
        ps.context = *ctx;
        Position df_pos = s.dockerfile ? s.dockerfile->pos : p.dockerfile.pos;
        if (const Dockerfile* d = LoadDockerfile(ps.dockerfile, df_pos)) {
          if (!d->FindStage(ps.target)) {
            Position at = s.target ? s.target->pos : s.pos;
            diags_.push_back(MakeError(path_, at, "unknown-target",
                                       "stage \"" + s.key + "\" builds target \"" + ps.target + "\", which " +
                                           ps.dockerfile + " does not define (stages: " + ListNames(*d) + ")"));
          }
        }
        out.push_back(std::move(ps));
      }
      return out;
    }
    if (!top_dockerfile || !top_context) return out;
    if (PastDeadline()) return out;
    const Dockerfile* d = LoadDockerfile(*top_dockerfile, p.dockerfile.pos);
    if (!d) return out;
    for (const DockerStage& s : d->stages) {
      if (s.name.empty()) continue;
      out.push_back({s.name, s.name, d->NamedDependencies(s.index), *top_dockerfile, *top_context, nullptr});
    }
    if (out.empty() && !d->stages.empty()) {
      // No named stage: one job building the final stage.
      out.push_back({"build", "", {}, *top_dockerfile, *top_context, nullptr});
    }
    return out;
  }

  void Expand(const Pipeline& p, const std::vector<PlannedStage>& stages) {
    std::string image = p.image ? p.image->value : "";
    std::set<std::string> names;
    std::map<std::string, std::string> tag_owner;  // full reference -> job name
    std::vector<MatrixCombination> combinations = ExpandMatrix(p.matrix);
    if (combinations.size() * stages.size() > kMaxJobsPerRun) {
      diags_.push_back(MakeError(path_, p.has_matrix ? p.matrix_pos : p.stages_pos, "too-many-jobs",
                                 "the pipeline expands to " + std::to_string(combinations.size() * stages.size()) +
                                     " jobs; the limit is " + std::to_string(kMaxJobsPerRun)));
      return;
    }
    std::set<std::string> left_out;  // stages whose when: does not hold
    for (const PlannedStage& s : stages) {
      if (s.config && !Holds(s.config->when)) left_out.insert(s.key);
    }
    const bool highest_release = ctx_.repo_tags && IsHighestRelease(ctx_.tag, *ctx_.repo_tags);
    for (const MatrixCombination& combo : combinations) {
      if (PastDeadline()) return;
      TagValues values{ctx_.branch, ctx_.sha, ctx_.run_number, combo.AsMap(), ctx_.tag, highest_release};
      for (const PlannedStage* s : TopologicalOrder(stages)) {
        if (left_out.count(s->key)) continue;
        JobSpec job;
        job.name = JobName(s->key, combo);
        job.stage = s->key;
        job.context = s->context;
        job.dockerfile = s->dockerfile;
        job.target = s->target;
        job.matrix = combo.AsMap();
        job.image = image;
        if (!image.empty()) job.cache_ref = image + ":" + SanitizeTag("cache-" + job.name);
        for (const std::string& n : s->needs) {
          if (!left_out.count(n)) job.needs.push_back(JobName(n, combo));
        }
        Position pos = s->config ? s->config->pos : Position{1, 1};
        if (const StageConfig* c = s->config) {
          job.build_args = c->build_args;
          job.platforms = c->platforms;
          job.push = c->push && Holds(c->push_when);
          job.pull = c->pull;
          job.timeout_seconds = c->timeout_seconds;
          job.labels = c->labels;
          job.budget = c->budget;
          job.scan = c->scan;
          for (const auto& ref : c->secrets) job.secrets.push_back(ref.value);
          for (const auto& ref : c->ssh) job.ssh.push_back(ref.value);
          // Tags meant for a push that this run does not make are left out with it.
          if (!image.empty() && (job.push || !c->push)) AddTags(*c, values, &job, &tag_owner);
        }
        for (const auto& [axis, value] : combo.values) {
          auto same = std::find_if(job.build_args.begin(), job.build_args.end(),
                                   [&, &axis = axis](const auto& a) { return a.first == axis; });
          if (same != job.build_args.end()) same->second = value;
          else job.build_args.emplace_back(axis, value);
        }
        job.bases = BaseImagesOf(*s, job.build_args);
        if (!names.insert(job.name).second) {
          diags_.push_back(MakeError(path_, pos, "duplicate-name",
                                     "two jobs are both named \"" + job.name + "\" after matrix expansion"));
        }
        result_.jobs.push_back(std::move(job));
      }
    }
  }

  // The external images the stage's target is built from, with the job's build args applied to
  // the Dockerfile's global ARGs (as buildx will apply them).
  std::vector<std::string> BaseImagesOf(const PlannedStage& s,
                                        const std::vector<std::pair<std::string, std::string>>& build_args) {
    auto loaded = dockerfiles_.find(s.dockerfile);
    if (loaded == dockerfiles_.end() || !loaded->second) return {};
    const Dockerfile* df = &loaded->second->dockerfile;
    DockerfileParse with_args;
    if (!build_args.empty()) {
      std::map<std::string, std::string> args;
      for (const auto& [name, value] : build_args) args[name] = value;
      with_args = ParseDockerfile(loaded->second->text, s.dockerfile, args);
      df = &with_args.dockerfile;
    }
    if (df->stages.empty()) return {};
    const DockerStage* target = s.target.empty() ? &df->stages.back() : df->FindStage(s.target);
    return target ? df->BaseImages(target->index) : std::vector<std::string>{};
  }

  void AddTags(const StageConfig& c, const TagValues& values, JobSpec* job,
               std::map<std::string, std::string>* owner) {
    for (const auto& tmpl : c.tags) {
      if (TagSkipped(tmpl.value, values)) continue;  // needs a (highest) version tag this run lacks
      std::string tag = RenderTag(tmpl.value, values);
      if (tag.empty()) {
        diags_.push_back(MakeWarning(path_, tmpl.pos, "empty-tag",
                                     "tag \"" + tmpl.value + "\" renders to nothing for this push; skipped"));
        continue;
      }
      std::string ref = job->image + ":" + tag;
      if (std::find(job->tags.begin(), job->tags.end(), ref) != job->tags.end()) continue;
      auto [it, fresh] = owner->emplace(ref, job->name);
      if (!fresh) {
        diags_.push_back(MakeWarning(path_, tmpl.pos, "tag-collision",
                                     "jobs \"" + it->second + "\" and \"" + job->name + "\" both tag " + ref));
      }
      job->tags.push_back(ref);
    }
  }

  const FileReader& read_;
  const PlanContext& ctx_;
  std::string path_;
  std::vector<Diagnostic> diags_;
  struct LoadedDockerfile {
    Dockerfile dockerfile;
    std::string text;
    bool clean = true;  // read without errors: the rules run on it
  };
  std::map<std::string, std::optional<LoadedDockerfile>> dockerfiles_;
  std::map<std::string, Result<std::string>> resolved_;  // path as written -> with links followed
  PlanResult result_;
};

}  // namespace

PlanResult PlanPipeline(const FileReader& read, const PlanContext& ctx, const std::string& pipeline_path) {
  return Planner(read, ctx, pipeline_path).Run();
}

}  // namespace slipway::pipelines
