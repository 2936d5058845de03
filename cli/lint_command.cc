// slipway lint [FILE]
#include <filesystem>
#include <iostream>

#include "command.h"
#include "local_commands.h"
#include "local_files.h"
#include "pipelines/diagnostic.h"
#include "pipelines/dockerfile_rules.h"
#include "pipelines/planner.h"

namespace slipway::cli {
namespace {

constexpr const char* kLintDescription =
    "Checks a pipeline file (default: .slipway.yml in the current directory) and the Dockerfiles it\n"
    "uses. Prints one line per problem, FILE:LINE:COL: error[CODE]: MESSAGE (or warning[CODE]).\n"
    "The pipeline's directory is taken as the repository root. on.push filters are not applied.";

constexpr const char* kLintFooter =
    "Dockerfile rules (each message ends with \"; fix: ...\"); secrets are errors, the rest warnings:\n"
    "%RULES%"
    "\n"
    "Silence a rule for the repository with `lint: {ignore: [CODE, ...]}` in the pipeline, or for one\n"
    "instruction with a comment on the line before it: `# slipway:ignore=CODE[,CODE]`.\n"
    "`lint: {fail_on: warning}` makes every rule finding an error, `fail_on: never` none.\n"
    "\n"
    "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 bad usage.\n";

// The help's footer with the rule table in place of %RULES%.
std::string LintFooter() {
  std::string rules;
  for (const pipelines::DockerfileRule& r : pipelines::DockerfileRules()) {
    std::string code = r.code;
    rules += "  " + code + std::string(code.size() < 24 ? 24 - code.size() : 1, ' ') + r.summary + "\n";
  }
  std::string footer = kLintFooter;
  footer.replace(footer.find("%RULES%"), 7, rules);
  return footer;
}

}  // namespace

int LintCommand(const std::vector<std::string>& args) {
  std::string file;
  CLI::App app(kLintDescription, "slipway lint");
  app.add_option("FILE", file, "the pipeline file");
  app.footer(LintFooter());
  if (auto done = ParseCommandFlags(app, "lint", args)) return *done;
  if (file.empty()) file = ".slipway.yml";
  std::filesystem::path path(file);
  std::string root = path.parent_path().string();
  std::string name = path.filename().string();
  if (name.empty()) return UsageError("lint", "\"" + file + "\" is not a file");

  pipelines::PlanContext ctx;
  ctx.branch = "main";
  ctx.sha = std::string(40, '0');
  ctx.apply_filters = false;
  pipelines::PlanResult result = pipelines::PlanPipeline(LocalFileReader(root), ctx, name);
  for (pipelines::Diagnostic d : result.diagnostics) {
    if (!root.empty()) d.file = (std::filesystem::path(root) / d.file).string();
    std::cout << pipelines::FormatDiagnostic(d) << "\n";
  }
  if (result.has_errors) return 1;
  std::cerr << file << ": ok (" << result.jobs.size() << (result.jobs.size() == 1 ? " job" : " jobs") << ")\n";
  return 0;
}

}  // namespace slipway::cli
