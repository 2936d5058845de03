// Trivy and Grype, when installed, run against a local image through common/subprocess.h (argv,
// no shell); their JSON is read into the shared finding model (findings.h).
//
// Thread-safety: independent calls may run on different threads.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "insight/findings.h"

namespace slipway::insight {

// Whether an executable of this name is on PATH (or the path given exists and is executable).
bool ProgramAvailable(const std::string& program);

// `trivy image --format json --quiet --scanners vuln IMAGE`. Unavailable when the program is not
// installed or fails (its message included).
Result<std::vector<Finding>> RunTrivy(const std::string& image_ref,
                                      const std::string& program = "trivy");
// `grype IMAGE -o json --quiet`, the image taken from the local engine (docker: prefix).
Result<std::vector<Finding>> RunGrype(const std::string& image_ref,
                                      const std::string& program = "grype");

}  // namespace slipway::insight
