// Shared by the Dockerfile rule files: the Dockerfile under check with its raw lines and stage
// roles, a reader of RUN commands (flags, mounts, simple commands split on && || ; |), word
// positions, and the finding sink that honours `# slipway:ignore=` comments.
//
// Thread-safety: a RuleContext belongs to one CheckDockerfile call.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/strings.h"
#include "pipelines/diagnostic.h"
#include "pipelines/dockerfile.h"
#include "pipelines/dockerfile_rules.h"
#include "pipelines/glob.h"

namespace slipway::pipelines::rules {

// A word of a shell command; `occurrence` counts identical words earlier in the instruction, so
// RuleContext::Locate finds this very one in the raw text.
struct Word {
  std::string text;
  int occurrence = 0;
};

// One simple command, leading `VAR=value`, `sudo`, `env` and `exec` removed.
struct ShellCommand {
  std::vector<Word> words;

  const std::string& Arg(size_t i) const;  // "" past the end
  // The program's file name (`/venv/bin/pip` -> `pip`), lower-case.
  std::string Program() const;
  bool Has(const std::string& word) const;
  bool HasPrefix(const std::string& prefix) const;
  // The first word after the program that is not an option (skipping the value of -o, -c, -t).
  std::string Subcommand() const;
  // Index of the word Subcommand() returned, or words.size().
  size_t SubcommandIndex() const;
};

struct RunCommand {
  std::vector<std::string> flags;          // leading --flags, as written
  std::vector<std::string> cache_targets;  // target= of every --mount=type=cache
  std::vector<ShellCommand> commands;      // shell form, exec form and heredoc bodies
  bool HasCacheMount() const { return !cache_targets.empty(); }
};

RunCommand ReadRun(const Instruction& ins);

// NAME=value pairs of an ARG (value "" when none) or ENV (also the `ENV NAME value` form).
struct KeyValue {
  std::string key;
  std::string value;
  bool has_value = false;
};
std::vector<KeyValue> KeyValues(const Instruction& ins);


// The parts of a FROM image the rules look at (not a full reference: see common/image_ref.h).
struct ImageName {
  std::string repository;  // last path component, lower-case: "python"
  std::string tag;         // "" when none
  std::string digest;      // "" when none
};
ImageName ParseImageName(const std::string& image);
// The image word of a FROM as written (before ARG substitution).
std::string FromImageWord(const Instruction& from);

class RuleContext {
 public:
  RuleContext(const Dockerfile& df, const std::string& text, std::string file,
              const DockerfileRuleOptions& options);

  const Dockerfile& dockerfile() const { return df_; }
  bool IsReached(int stage) const { return reached_.count(stage) > 0; }
  const std::set<int>& runtime_stages() const { return runtime_; }
  // `stage`, the stage it is FROM, and so on; the last one has an image base.
  std::vector<int> Chain(int stage) const;
  // "stage \"name\"" or "stage 2".
  std::string StageLabel(int stage) const;

  // Where `word` (its occurrence-th appearance, bounded by spaces, quotes, = , ; & | ( ) [ ]) is in
  // the instruction's raw lines; the instruction's position when not found.
  Position Locate(const Instruction& ins, const std::string& word, int occurrence = 0) const;

  // Records a finding unless a `# slipway:ignore=` comment silences `code` on the line before the
  // instruction or before `pos`. The severity comes from the rule table.
  void Report(const Instruction& ins, Position pos, const std::string& code,
              const std::string& message);

  std::vector<Diagnostic> TakeFindings() { return std::move(findings_); }

 private:
  int EndLine(const Instruction& ins) const;
  bool Silenced(int line_before, const std::string& code) const;

  const Dockerfile& df_;
  std::vector<std::string> lines_;
  std::vector<int> starts_;  // every instruction's first line, ascending
  std::string file_;
  std::set<int> runtime_;
  std::set<int> reached_;
  std::vector<Diagnostic> findings_;
};

// The rule families, one file each.
// copy-before-install, no-cache-mount
void CheckCacheOrder(RuleContext& ctx);
// apt-recommends, apt-lists, pip-cache
void CheckPackageHygiene(RuleContext& ctx);
// full-runtime-base, build-tools-in-runtime, runtime-as-root
void CheckRuntimeStage(RuleContext& ctx);
// unpinned-base, add-url, unreachable-stage
void CheckBasesAndSources(RuleContext& ctx);
// secret-in-arg, secret-in-env
void CheckSecrets(RuleContext& ctx);

}  // namespace slipway::pipelines::rules
