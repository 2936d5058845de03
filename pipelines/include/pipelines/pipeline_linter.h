// Pipeline linter: relations inside a parsed Pipeline, independent of any Dockerfile.
//
// Codes: `unknown-need` (a need naming no stage), `cycle` (message "a -> b -> a"),
// `path-escapes-repo` (context/dockerfile absolute or climbing out), `empty-matrix`,
// `matrix-too-large` (over kMaxMatrixCombinations), `bad-matrix-name`, `unknown-placeholder` (a tag
// template naming no known value), `push-without-image`, and `bad-image`, `no-stages`, and the warning
// `tags-without-image`.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "pipelines/diagnostic.h"
#include "pipelines/pipeline.h"

namespace slipway::pipelines {

std::vector<Diagnostic> LintPipeline(const Pipeline& pipeline, const std::string& file);

}  // namespace slipway::pipelines
