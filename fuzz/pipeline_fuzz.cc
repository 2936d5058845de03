// Fuzzes PlanPipeline from a pushed commit's files: the pipeline parser, linter, filters, matrix,
// tag templates and the Dockerfile reader and rules behind it. The input is `.slipway.yml`, then a
// line "==> Dockerfile", then the text every other file the pipeline reads is given.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipelines/planner.h"

using namespace slipway::pipelines;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kSeparator = "\n==> Dockerfile\n";
  size_t cut = in.find(kSeparator);
  std::string pipeline(in.substr(0, cut));
  std::optional<std::string> dockerfile;
  if (cut != std::string_view::npos) dockerfile = std::string(in.substr(cut + kSeparator.size()));

  FileReader read = [&](const std::string& path) -> std::optional<std::string> {
    if (path == ".slipway.yml") return pipeline;
    return dockerfile;
  };
  PlanContext ctx{.branch = "main", .sha = "0123456789abcdef0123456789abcdef01234567", .run_number = 7};
  (void)PlanPipeline(read, ctx);
  ctx.changed_paths = std::vector<std::string>{"src/app.py", "docs/README.md"};
  (void)PlanPipeline(read, ctx);
  return 0;
}
