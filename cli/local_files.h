// A pipelines::FileReader over a directory of the local filesystem (the CLI's checkout).
//
// Paths come from the planner already normalised to stay inside the repository; the reader also
// refuses anything that is not a regular file, and files over 8 MiB.
//
// Thread-safety: the returned reader holds only the root path; safe to copy.
#pragma once

#include <string>

#include "pipelines/planner.h"

namespace slipway::cli {

pipelines::FileReader LocalFileReader(const std::string& root);

}  // namespace slipway::cli
