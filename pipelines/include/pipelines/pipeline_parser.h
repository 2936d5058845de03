// Pipeline parser: `.slipway.yml` text -> Pipeline plus Diagnostics. Never throws.
//
// Checks shape only: known keys (`unknown-key`), value types (`wrong-type`), scalar formats
// (`bad-size`, `bad-percent`, `bad-value`, `bad-version`, `bad-date`, `bad-cron` for an
// `on.schedule` entry that common/cron.h refuses, naming the field), duplicate keys
// (`duplicate-name`), YAML syntax (`yaml-syntax`, with yaml-cpp's position), and the limits of
// limits.h: `file-too-large`, `not-utf8`, `yaml-too-large`, `too-many-stages`. Relations between
// values (needs, cycles, paths, the Dockerfile) are the linter's and the planner's.
//
// Thread-safety: pure function over the text.
#pragma once

#include <string>
#include <vector>

#include "pipelines/diagnostic.h"
#include "pipelines/limits.h"
#include "pipelines/pipeline.h"

namespace slipway::pipelines {

struct PipelineParse {
  Pipeline pipeline;
  std::vector<Diagnostic> diagnostics;
};

PipelineParse ParsePipeline(const std::string& text, const std::string& file);

}  // namespace slipway::pipelines
