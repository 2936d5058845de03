// Limits on what a push may ask of the planner. Every input (a pipeline file, a Dockerfile, a
// glob, a matrix) is read with bounded time and memory; going past a limit is a Diagnostic with a
// stable code, never a crash or an unbounded loop. One place, so the documentation can list them.
#pragma once

#include <cstddef>

namespace slipway::pipelines {

// `.slipway.yml`: bytes (`file-too-large`) and YAML nodes counted with aliases expanded, so a
// "billion laughs" of nested aliases stops here (`yaml-too-large`).
inline constexpr size_t kMaxPipelineBytes = 1 << 20;
inline constexpr size_t kMaxYamlNodes = 50'000;

// Stages in `stages:` (`too-many-stages`) and jobs in one run after matrix expansion
// (`too-many-jobs`).
inline constexpr size_t kMaxStages = 200;
inline constexpr size_t kMaxJobsPerRun = 500;

// A Dockerfile: bytes (`file-too-large`), instructions (`too-many-instructions`), build stages
// (`too-many-stages`), and the length of one value after `ARG` substitution (`arg-too-long`), so
// chained ARGs doubling each other cannot grow without bound.
inline constexpr size_t kMaxDockerfileBytes = 1 << 20;
inline constexpr size_t kMaxDockerfileInstructions = 5'000;
inline constexpr size_t kMaxDockerfileStages = 200;
inline constexpr size_t kMaxExpandedArgBytes = 16 << 10;

// Symbolic links followed in one context or Dockerfile path (repo_path.h), as Linux's limit.
inline constexpr int kMaxSymlinkHops = 40;

// Globs (glob.h): longer patterns or texts never match. The matcher's work is at most
// pattern × text steps.
inline constexpr size_t kMaxGlobPatternBytes = 512;
inline constexpr size_t kMaxGlobTextBytes = 4096;

}  // namespace slipway::pipelines
