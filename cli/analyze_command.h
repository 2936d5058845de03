// slipway analyze IMAGE [--json] [--osv PATH] [--sbom] [--archive FILE]: the insight report of a
// local image, read from the local Docker engine with `docker save` (no server needed).
//
// Thread-safety: run from main only.
#pragma once

#include <string>
#include <vector>

namespace slipway::cli {

int AnalyzeCommand(const std::vector<std::string>& args);

}  // namespace slipway::cli
