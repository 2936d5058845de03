// slipway plan [DIR] [--branch B] [--sha S] [--run N] [--changed PATH...] [--file F] [--json]
#include <iostream>

#include <nlohmann/json.hpp>

#include "command.h"
#include "common/json_text.h"
#include "local_commands.h"
#include "local_files.h"
#include "pipelines/diagnostic.h"
#include "pipelines/planner.h"

namespace slipway::cli {
namespace {

constexpr const char* kPlanHelp =
    "usage: slipway plan [DIR] [--branch B] [--sha S] [--run N] [--changed PATH...] [--file F] [--json]\n"
    "\n"
    "Shows the jobs a push to DIR (default: the current directory, the repository root) would run:\n"
    "names, targets, needs, build args, tags.\n"
    "\n"
    "  --branch B        the pushed branch (default main); on.push.branches is applied to it\n"
    "  --sha S           the commit (default 40 zeros), for {sha} and {short_sha} tags\n"
    "  --run N           the run number, for {run} tags (default 0)\n"
    "  --changed PATH... the changed paths (until the next flag); on.push.paths is applied to them\n"
    "  --file F          the pipeline file inside DIR (default .slipway.yml)\n"
    "  --json            print {\"jobs\":[...full job specs...],\"diagnostics\":[...],\n"
    "                    \"filtered_out\":bool,\"filter_reason\":\"...\"}\n"
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
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) return false;
      *out = args[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      std::cout << kPlanHelp;
      return 0;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--branch") {
      if (!value(&ctx.branch)) return UsageError("plan", "--branch needs a value");
    } else if (a == "--sha") {
      if (!value(&ctx.sha)) return UsageError("plan", "--sha needs a value");
    } else if (a == "--file") {
      if (!value(&file)) return UsageError("plan", "--file needs a value");
    } else if (a == "--run") {
      std::string n;
      if (!value(&n)) return UsageError("plan", "--run needs a value");
      try {
        size_t used = 0;
        ctx.run_number = std::stoll(n, &used);
        if (used != n.size() || ctx.run_number < 0) throw std::invalid_argument(n);
      } catch (const std::exception&) {
        return UsageError("plan", "--run needs a non-negative number, not \"" + n + "\"");
      }
    } else if (a == "--changed") {
      if (!ctx.changed_paths) ctx.changed_paths.emplace();
      while (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) ctx.changed_paths->push_back(args[++i]);
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError("plan", "unknown flag " + a);
    } else if (dir.empty()) {
      dir = a;
    } else {
      return UsageError("plan", "only one DIR may be given");
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
