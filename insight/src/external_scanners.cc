// Runs Trivy and Grype and reads their reports (see external_scanners.h).
#include "insight/external_scanners.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "common/subprocess.h"

namespace slipway::insight {
namespace {

Result<std::string> RunScanner(const std::vector<std::string>& argv) {
  if (!ProgramAvailable(argv[0])) return Status::Unavailable(argv[0] + " is not installed");
  auto out = RunProcess(argv);
  if (!out.ok())
    return Status::Unavailable("cannot run " + argv[0] + ": " + out.status().message());
  if (out->exit_code != 0) {
    std::string err = out->err.substr(0, 2000);
    while (!err.empty() && err.back() == '\n') err.pop_back();
    return Status::Unavailable(argv[0] + " exited " + std::to_string(out->exit_code) + ": " + err);
  }
  return out->out;
}

}  // namespace

bool ProgramAvailable(const std::string& program) {
  if (program.empty()) return false;
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

Result<std::vector<Finding>> RunTrivy(const std::string& image_ref, const std::string& program) {
  if (image_ref.empty() || image_ref[0] == '-')
    return Status::InvalidArgument("bad image reference");
  auto json = RunScanner(
      {program, "image", "--format", "json", "--quiet", "--scanners", "vuln", image_ref});
  if (!json.ok()) return json.status();
  return ReadTrivyReport(*json);
}

Result<std::vector<Finding>> RunGrype(const std::string& image_ref, const std::string& program) {
  if (image_ref.empty() || image_ref[0] == '-')
    return Status::InvalidArgument("bad image reference");
  auto json = RunScanner({program, "docker:" + image_ref, "-o", "json", "--quiet"});
  if (!json.ok()) return json.status();
  return ReadGrypeReport(*json);
}

}  // namespace slipway::insight
