// Dockerfile reader: the instructions, the build stages and the graph between them.
//
// Reads a Dockerfile as BuildKit's frontend does for the parts Slipway needs: parser directives
// (`# escape=`, `# syntax=`), comments, line continuations with the escape character, heredocs
// (`<<EOF`, `<<-EOF`, quoted delimiters) which are passed over and kept as bodies, keywords in any
// case. Every instruction is kept (keyword upper-cased, arguments, 1-based line and column) for
// Dockerfile-level lint rules built on top of this.
//
// Stages: `FROM [--platform=P] image [AS name]`; names are case-insensitive and stored lower-case.
// Global `ARG`s before the first FROM, with defaults, are substituted in FROM (`$V`, `${V}`,
// `${V:-default}`, `${V:+alt}`); build args passed in override the declared ones. A stage's base is
// an earlier stage when the substituted image names one, else an image. Edges come from
// `FROM <stage>`, `COPY --from=<stage|index>` and `RUN --mount=...,from=<stage|index>`; a --from
// naming no stage is an external image and makes no edge.
//
// Problems are Diagnostics (file = the name passed in): `dockerfile-no-from`,
// `instruction-before-from`, `duplicate-name` (two stages with one name), `unterminated-heredoc`,
// `cycle` (stages copying from each other),
// `bad-from`, `bad-stage-ref` (an index that is not an earlier stage), `undefined-arg` (warning),
// and the limits of limits.h: `file-too-large`, `not-utf8`, `too-many-instructions`,
// `too-many-stages`, `arg-too-long`.
//
// Thread-safety: pure function over the text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipelines/diagnostic.h"

namespace slipway::pipelines {

struct Instruction {
  std::string keyword;  // upper-cased: FROM, RUN, COPY, ...
  std::string args;     // the rest of the logical line; continuation lines joined as BuildKit does
  int line = 1;         // where the instruction starts
  int column = 1;
  std::vector<std::string> heredocs;  // heredoc bodies, in order
};

enum class EdgeKind { kFrom, kCopyFrom, kMountFrom };

struct StageEdge {
  int from = 0;  // the stage depended upon (index)
  int to = 0;    // the dependent stage (index)
  EdgeKind kind = EdgeKind::kFrom;
  int line = 1;
  int column = 1;
};

struct DockerStage {
  int index = 0;
  std::string name;            // lower-case; "" when unnamed
  std::string base_image;      // after substitution; "" when the base is a stage
  std::optional<int> base_stage;
  std::string platform;        // the --platform value, "" when none
  int line = 1;                // the FROM instruction
  int column = 1;
  std::vector<Instruction> instructions;  // FROM first, then the stage's own
  std::vector<std::string> from_images;   // images (not stages) named by COPY --from, RUN --mount from=
};

struct Dockerfile {
  std::map<std::string, std::string> directives;  // escape, syntax, ... (lower-case keys)
  std::vector<Instruction> global_instructions;   // ARGs (and stray lines) before the first FROM
  std::map<std::string, std::optional<std::string>> global_args;  // name -> default
  std::vector<DockerStage> stages;
  std::vector<StageEdge> edges;  // deduplicated by (from, to, kind)

  // The stage with that name (case-insensitive), or nullptr.
  const DockerStage* FindStage(const std::string& name) const;
  // Indexes of the stages `index` depends on directly, ascending.
  std::vector<int> Dependencies(int index) const;
  // The named stages `index` depends on, looking through unnamed stages; in index order.
  std::vector<std::string> NamedDependencies(int index) const;
  // The external images stage `index` is built from, through every stage it depends on: FROM
  // images and --from images, as written after ARG substitution, in stage order, once each.
  // `scratch` and references still holding a `$` (an ARG without a value) are left out.
  std::vector<std::string> BaseImages(int index) const;
};

struct DockerfileParse {
  Dockerfile dockerfile;
  std::vector<Diagnostic> diagnostics;
};

// Whitespace-separated words of an instruction's arguments, honouring single and double quotes
// (which are removed).
std::vector<std::string> SplitWords(const std::string& s);

// The leading `--flag[=value]` words of an instruction's arguments (FROM --platform=..., COPY
// --from=..., RUN --mount=...); `rest`, when given, receives what follows them.
std::vector<std::string> LeadingFlags(const std::string& args, std::string* rest = nullptr);

DockerfileParse ParseDockerfile(const std::string& text, const std::string& file,
                                const std::map<std::string, std::string>& build_args = {});

}  // namespace slipway::pipelines
