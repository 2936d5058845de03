// Fuzzes the Dockerfile reader and every Dockerfile rule, and the stage graph queries the planner
// makes of what the reader returns.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pipelines/dockerfile.h"
#include "pipelines/dockerfile_rules.h"

using namespace slipway::pipelines;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  DockerfileParse parse = ParseDockerfile(text, "Dockerfile", {{"VERSION", "1.2"}});
  const Dockerfile& df = parse.dockerfile;
  for (const DockerStage& stage : df.stages) {
    (void)df.Dependencies(stage.index);
    (void)df.NamedDependencies(stage.index);
    (void)df.BaseImages(stage.index);
    if (!stage.name.empty()) (void)df.FindStage(stage.name);
  }
  (void)CheckDockerfile(df, text, "Dockerfile");
  if (!df.stages.empty()) {
    DockerfileRuleOptions options;
    options.targets = {df.stages.front().name, ""};
    options.runtime_targets = {df.stages.back().name};
    (void)CheckDockerfile(df, text, "Dockerfile", options);
  }
  return 0;
}
