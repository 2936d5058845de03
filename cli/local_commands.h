// The CLI's offline commands, working on a checkout without a server:
//   slipway lint [FILE]   diagnostics for the pipeline file and the Dockerfiles it uses
//   slipway plan [DIR]    the jobs a push would run, as text or --json
// Both call pipelines::PlanPipeline with a reader over the local filesystem.
//
// Thread-safety: run from main only.
#pragma once

#include <string>
#include <vector>

namespace slipway::cli {

int LintCommand(const std::vector<std::string>& args);
int PlanCommand(const std::vector<std::string>& args);

}  // namespace slipway::cli
