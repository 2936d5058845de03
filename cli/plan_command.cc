// slipway plan [DIR] [--branch B] [--sha S] [--run N] [--changed PATH...] [--event E] [--tag T] [--file F] [--json]
#include <iostream>
#include <limits>

#include <nlohmann/json.hpp>

#include "command.h"
#include "common/json_text.h"
#include "local_commands.h"
#include "local_files.h"
#include "pipelines/diagnostic.h"
#include "pipelines/planner.h"

namespace slipway::cli {
namespace {

constexpr const char* kPlanDescription =
    "Shows the jobs a push to DIR (default: the current directory, the repository root) would run:\n"
    "names, targets, needs, build args, tags.";

constexpr const char* kPlanFooter =
    "--json prints {\"jobs\":[...full job specs...],\"diagnostics\":[...],\"filtered_out\":bool,\n"
    "\"filter_reason\":\"...\"}.\n"
    "\n"
    "Exit status: 0 planned (or filtered out), 1 the pipeline has errors, 2 bad usage.\n";

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

void PrintText(const pipelines::PlanResult& r) {
  if (r.filtered_out) {
    std::cout << "filtered out: " << r.filter_reason << "\n";
    return;
  }
  for (const pipelines::JobSpec& j : r.jobs) {
    std::cout << j.name << "\n";
    std::cout << "  target: " << (j.target.empty() ? "(final stage)" : j.target) << "\n";
    std::cout << "  needs: " << (j.needs.empty() ? "-" : Join(j.needs, ", ")) << "\n";
    if (!j.build_args.empty()) {
      std::vector<std::string> args;
      for (const auto& [k, v] : j.build_args) args.push_back(k + "=" + v);
      std::cout << "  build_args: " << Join(args, " ") << "\n";
    }
    if (!j.tags.empty()) std::cout << "  tags: " << Join(j.tags, " ") << "\n";
    if (j.push) std::cout << "  push: yes\n";
  }
}

}  // namespace

int PlanCommand(const std::vector<std::string>& args) {
  std::string dir;
  std::string file = ".slipway.yml";
  bool json = false;
  pipelines::PlanContext ctx;
  ctx.branch = "main";
  ctx.sha = std::string(40, '0');
  std::vector<std::string> changed;
  CLI::App app(kPlanDescription, "slipway plan");
  app.add_option("DIR", dir, "the repository root");
  app.add_option("--branch", ctx.branch, "the pushed branch; on.push.branches is applied to it")->capture_default_str();
  app.add_option("--sha", ctx.sha, "the commit, for {sha} and {short_sha} tags (default 40 zeros)");
  app.add_option("--run", ctx.run_number, "the run number, for {run} tags")
      ->check(InRange({0, std::numeric_limits<long long>::max()}))
      ->type_name("N")
      ->capture_default_str();
  CLI::Option* changed_flag =
      app.add_option("--changed", changed, "the changed paths (until the next flag); on.push.paths is applied to them")
          ->expected(0, CLI::detail::expected_max_vector_size)
          ->type_name("PATH...");
  app.add_option("--event", ctx.event, "the run's trigger, for when: and the on filters")
      ->check(CLI::IsMember({"push", "pull_request", "tag", "manual", "schedule", "base-update"}))
      ->capture_default_str();
  std::string tag;
  app.add_option("--tag", tag,
                 "plan a run of this tag (--event tag): on.tag, {tag} {semver} {major} {minor}; "
                 "it counts as the highest release");
  app.add_option("--file", file, "the pipeline file inside DIR")->capture_default_str();
  app.add_flag("--json", json, "print the plan as JSON");
  app.footer(kPlanFooter);
  if (auto done = ParseCommandFlags(app, "plan", args)) return *done;
  if (!tag.empty()) {
    ctx.event = "tag";
    ctx.tag = tag;
    ctx.branch.clear();
    ctx.repo_tags = std::vector<std::string>{tag};
  }
  if (*changed_flag) {
    ctx.changed_paths.emplace();
    for (const std::string& path : changed) {
      if (!path.empty()) ctx.changed_paths->push_back(path);  // `--changed` alone: no path changed
    }
  }
  pipelines::PlanResult r = pipelines::PlanPipeline(LocalFileReader(dir.empty() ? "." : dir), ctx, file);
  if (json) {
    nlohmann::json out = {{"jobs", nlohmann::json::array()},
                          {"diagnostics", nlohmann::json::array()},
                          {"filtered_out", r.filtered_out},
                          {"filter_reason", r.filter_reason}};
    for (const auto& j : r.jobs) out["jobs"].push_back(pipelines::ToJson(j));
    for (const auto& d : r.diagnostics) out["diagnostics"].push_back(pipelines::ToJson(d));
    std::cout << JsonText(out, 2) << "\n";
  } else {
    for (const auto& d : r.diagnostics) std::cerr << pipelines::FormatDiagnostic(d) << "\n";
    if (!r.has_errors) PrintText(r);
  }
  return r.has_errors ? 1 : 0;
}

}  // namespace slipway::cli
