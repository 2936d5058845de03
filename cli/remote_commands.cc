#include "remote_commands.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/build_status.h"
#include "common/http_client.h"
#include "format.h"

namespace slipway::cli {
namespace {

using nlohmann::json;

// Flags shared by every remote command, and the positional arguments left over.
struct RemoteArgs {
  std::string server;
  std::string token;
  bool json_output = false;
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // --name value
  std::vector<std::string> switches;                        // --name

  std::string Option(const std::string& name) const {
    for (const auto& [k, v] : options) {
      if (k == name) return v;
    }
    return "";
  }
  bool Switch(const std::string& name) const {
    return std::find(switches.begin(), switches.end(), name) != switches.end();
  }
};

// value_flags take a value; switch_flags do not. Anything else starting with '-' is an error.
bool ParseRemoteArgs(const std::vector<std::string>& args, const std::vector<std::string>& value_flags,
                     const std::vector<std::string>& switch_flags, RemoteArgs* out) {
  const char* server = std::getenv("SLIPWAY_SERVER");
  const char* token = std::getenv("SLIPWAY_TOKEN");
  out->server = server ? server : "http://127.0.0.1:8080";
  out->token = token ? token : "";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto takes = [&](const std::string& f) { return std::find(value_flags.begin(), value_flags.end(), f) != value_flags.end(); };
    auto is_switch = [&](const std::string& f) { return std::find(switch_flags.begin(), switch_flags.end(), f) != switch_flags.end(); };
    if (a == "--server" || a == "--token" || takes(a)) {
      if (i + 1 >= args.size()) {
        std::cerr << "slipway: " << a << " needs a value\n";
        return false;
      }
      const std::string& v = args[++i];
      if (a == "--server") out->server = v;
      else if (a == "--token") out->token = v;
      else out->options.emplace_back(a, v);
    } else if (a == "--json") {
      out->json_output = true;
    } else if (is_switch(a)) {
      out->switches.push_back(a);
    } else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "slipway: unknown flag " << a << "\n";
      return false;
    } else {
      out->positional.push_back(a);
    }
  }
  while (!out->server.empty() && out->server.back() == '/') out->server.pop_back();
  return true;
}

// Calls the API; prints the server's error and returns nullopt unless the status is 2xx.
std::optional<json> Call(const RemoteArgs& r, const std::string& method, const std::string& path,
                         const std::string& body = "") {
  HttpRequest req{.method = method, .url = r.server + path, .body = body, .headers = {}};
  if (!r.token.empty()) req.headers.emplace_back("Authorization", "Bearer " + r.token);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto res = HttpFetch(req);
  if (!res.ok()) {
    std::cerr << "slipway: cannot reach " << r.server << ": " << res.status().message() << "\n";
    return std::nullopt;
  }
  auto j = json::parse(res->body, nullptr, false);
  if (res->status < 200 || res->status >= 300) {
    std::string message = j.is_object() && j.contains("error") ? j["error"].value("message", res->body) : res->body;
    std::cerr << "slipway: " << message << " (HTTP " << res->status << ")\n";
    return std::nullopt;
  }
  return j.is_discarded() ? json(res->body) : j;
}

std::string Str(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "-";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

std::string Duration(const json& ms) {
  if (!ms.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", ms.get<double>() / 1000.0);
  return buf;
}

std::string Bytes(const json& n) {
  if (!n.is_number() || n.get<double>() < 0) return "-";
  return HumanBytes(n.get<uint64_t>());
}

bool Usage(const char* text) {
  std::cerr << "usage: " << text << "\n";
  return false;
}

// "efficiency 97.0%, wasted 300.0 kB, 3 packages, vulnerabilities: 1 critical, 2 medium, +2.0 MB on main"
std::string InsightLine(const json& insight) {
  char efficiency[32];
  std::snprintf(efficiency, sizeof efficiency, "%.1f%%", insight.value("efficiency", 1.0) * 100);
  std::string line = std::string("efficiency ") + efficiency + ", wasted " + Bytes(insight["wasted_bytes"]) + ", " +
                     Str(insight, "packages") + " packages";
  std::string vulns;
  for (const char* severity : {"critical", "high", "medium", "low", "unknown"}) {
    int n = insight.contains("vulnerabilities") ? insight["vulnerabilities"].value(severity, 0) : 0;
    if (n > 0) vulns += (vulns.empty() ? "" : ", ") + std::to_string(n) + " " + severity;
  }
  line += ", vulnerabilities: " + (vulns.empty() ? std::string("none found") : vulns);
  const json& previous = insight.contains("previous") ? insight["previous"] : json();
  if (previous.is_object() && previous.contains("branch") && previous["branch"].contains("size_delta_bytes")) {
    int64_t delta = previous["branch"]["size_delta_bytes"].get<int64_t>();
    line += ", " + std::string(delta >= 0 ? "+" : "-") + Bytes(json(delta >= 0 ? delta : -delta)) + " on " +
            Str(previous["branch"], "branch");
  }
  return line;
}

void PrintRun(const json& run) {
  std::printf("run %s  %s #%s  %s@%s  %s  (%s, %s)\n", Str(run, "id").c_str(), Str(run, "repo").c_str(),
              Str(run, "number").c_str(), Str(run, "branch").c_str(), Str(run, "short_sha").c_str(),
              Str(run, "status").c_str(), Str(run, "trigger").c_str(), Duration(run["duration_ms"]).c_str());
  if (run.value("message", "") != "") std::printf("  %s\n", run["message"].get<std::string>().c_str());
  if (run.value("error", "") != "") std::printf("  error: %s\n", run["error"].get<std::string>().c_str());
  for (const auto& d : run.value("diagnostics", json::array())) {
    std::printf("  %s:%s:%s: %s[%s]: %s\n", Str(d, "file").c_str(), Str(d, "line").c_str(), Str(d, "column").c_str(),
                Str(d, "severity").c_str(), Str(d, "code").c_str(), Str(d, "message").c_str());
  }
  if (!run.contains("jobs")) return;
  std::printf("  %-6s %-22s %-9s %8s %10s %10s %7s  %s\n", "JOB", "NAME", "STATUS", "TIME", "SIZE", "PUSHED", "CACHED",
              "DIGEST");
  for (const auto& job : run["jobs"]) {
    const json& image = job.contains("image") ? job["image"] : json();
    const json& cache = job.contains("cache") ? job["cache"] : json();
    std::string cached = cache.is_object() ? std::to_string(cache.value("cached", 0)) + "/" +
                                                 std::to_string(cache.value("steps", 0))
                                           : "-";
    std::string digest = image.is_object() ? image.value("digest", "-").substr(0, 19) : "-";
    std::printf("  %-6s %-22s %-9s %8s %10s %10s %7s  %s\n", Str(job, "id").c_str(), Str(job, "name").c_str(),
                Str(job, "status").c_str(), Duration(job["duration_ms"]).c_str(),
                Bytes(image.is_object() ? image["size_bytes"] : json()).c_str(),
                Bytes(image.is_object() && image.contains("compressed_size_bytes") ? image["compressed_size_bytes"] : json()).c_str(),
                cached.c_str(), digest.c_str());
    if (job.value("failed_step", "") != "") std::printf("         failed step: %s\n", job["failed_step"].get<std::string>().c_str());
    if (job.value("error", "") != "") std::printf("         error: %s\n", job["error"].get<std::string>().c_str());
    if (job.contains("insight") && job["insight"].is_object()) {
      std::printf("         image: %s\n", InsightLine(job["insight"]).c_str());
    }
  }
}

bool IsFinalRunStatus(const std::string& s) {
  auto status = RunStatusFromName(s);
  return status && IsFinal(*status);
}

}  // namespace

int RunsCommand(const std::vector<std::string>& args) {
  RemoteArgs r;
  if (!ParseRemoteArgs(args, {"--repo", "--branch", "--status", "--limit", "--before"}, {}, &r) || !r.positional.empty()) {
    Usage("slipway runs [--repo R] [--branch B] [--status S] [--limit N] [--before ID] [--json]");
    return 2;
  }
  std::string query;
  for (const auto& [k, v] : r.options) query += (query.empty() ? "?" : "&") + k.substr(2) + "=" + v;
  auto j = Call(r, "GET", "/api/v1/runs" + query);
  if (!j) return 1;
  if (r.json_output) {
    std::cout << j->dump(2) << "\n";
    return 0;
  }
  std::printf("%-6s %-24s %-5s %-16s %-8s %-9s %-8s %8s  %s\n", "RUN", "REPO", "#", "BRANCH", "SHA", "STATUS", "TRIGGER",
              "TIME", "MESSAGE");
  for (const auto& run : (*j)["runs"]) {
    std::printf("%-6s %-24s %-5s %-16s %-8s %-9s %-8s %8s  %s\n", Str(run, "id").c_str(), Str(run, "repo").c_str(),
                Str(run, "number").c_str(), Str(run, "branch").c_str(), Str(run, "short_sha").c_str(),
                Str(run, "status").c_str(), Str(run, "trigger").c_str(), Duration(run["duration_ms"]).c_str(),
                run.value("message", "").substr(0, 50).c_str());
  }
  return 0;
}

int ShowCommand(const std::vector<std::string>& args) {
  RemoteArgs r;
  if (!ParseRemoteArgs(args, {}, {}, &r) || r.positional.size() != 1) {
    Usage("slipway show RUN [--json]");
    return 2;
  }
  auto j = Call(r, "GET", "/api/v1/runs/" + r.positional[0]);
  if (!j) return 1;
  if (r.json_output) std::cout << j->dump(2) << "\n";
  else PrintRun(*j);
  return 0;
}

int WaitCommand(const std::vector<std::string>& args) {
  RemoteArgs r;
  if (!ParseRemoteArgs(args, {"--timeout"}, {}, &r) || r.positional.size() != 1) {
    Usage("slipway wait RUN [--timeout SECONDS] [--json]   (exit 0 when the run succeeds)");
    return 2;
  }
  int timeout = r.Option("--timeout").empty() ? 600 : std::atoi(r.Option("--timeout").c_str());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
  for (;;) {
    auto j = Call(r, "GET", "/api/v1/runs/" + r.positional[0]);
    if (!j) return 1;
    std::string status = j->value("status", "");
    if (IsFinalRunStatus(status)) {
      if (r.json_output) std::cout << j->dump(2) << "\n";
      else PrintRun(*j);
      return status == "success" ? 0 : 1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "slipway: run " << r.positional[0] << " still " << status << " after " << timeout << "s\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

int LogsCommand(const std::vector<std::string>& args) {
  RemoteArgs r;
  if (!ParseRemoteArgs(args, {}, {"-f", "--follow"}, &r) || r.positional.size() != 1) {
    Usage("slipway logs JOB [-f]");
    return 2;
  }
  std::string path = "/api/v1/jobs/" + r.positional[0] + "/log";
  if (!r.Switch("-f") && !r.Switch("--follow")) {
    auto res = HttpFetch({.method = "GET", .url = r.server + path, .body = "", .headers = {}});
    if (!res.ok() || res->status != 200) {
      std::cerr << "slipway: " << (res.ok() ? res->body : res.status().message()) << "\n";
      return 1;
    }
    std::cout << res->body;
    return 0;
  }
  // Server-sent events: print each "log" event's data; stop at "end".
  int status = 0;
  std::string buffer, event;
  bool ended = false;
  long long last_seq = -1;
  Status s = HttpStream({.method = "GET", .url = r.server + path + "?follow=1", .body = "", .headers = {},
                         .timeout = std::chrono::milliseconds(10000)},
                        &status, [&](std::string_view chunk) {
                          buffer.append(chunk);
                          size_t nl;
                          while ((nl = buffer.find('\n')) != std::string::npos) {
                            std::string line = buffer.substr(0, nl);
                            buffer.erase(0, nl + 1);
                            if (line.rfind("event: ", 0) == 0) event = line.substr(7);
                            if (line.rfind("data: ", 0) != 0) continue;
                            auto j = json::parse(line.substr(6), nullptr, false);
                            if (event == "end") {
                              ended = true;
                              return false;
                            }
                            if (event == "log" && j.is_object() && j.value("seq", -1LL) > last_seq) {
                              last_seq = j.value("seq", -1LL);
                              std::cout << j.value("data", "") << std::flush;
                            }
                          }
                          return true;
                        });
  if (!s.ok() || status != 200) {
    std::cerr << "slipway: cannot follow the log: " << (s.ok() ? "HTTP " + std::to_string(status) : s.message()) << "\n";
    return 1;
  }
  return ended ? 0 : 1;
}

int TriggerCommand(const std::vector<std::string>& args) {
  RemoteArgs r;
  if (!ParseRemoteArgs(args, {}, {}, &r) || r.positional.size() < 2 || r.positional.size() > 3) {
    Usage("slipway trigger REPO BRANCH [SHA]");
    return 2;
  }
  json body = {{"repo", r.positional[0]}, {"branch", r.positional[1]}};
  if (r.positional.size() == 3) body["sha"] = r.positional[2];
  auto j = Call(r, "POST", "/api/v1/runs", body.dump());
  if (!j) return 1;
  if (r.json_output) std::cout << j->dump(2) << "\n";
  else std::cout << "run " << Str(*j, "id") << " queued\n";
  return 0;
}

int RerunCommand(const std::vector<std::string>& args) {
  RemoteArgs r;
  if (!ParseRemoteArgs(args, {"--stage"}, {"--failed"}, &r) || r.positional.size() != 1 ||
      (r.Switch("--failed") && !r.Option("--stage").empty())) {
    Usage("slipway rerun RUN [--failed | --stage S [--stage S2 ...]]");
    return 2;
  }
  json jobs = "all";
  if (r.Switch("--failed")) jobs = "failed";
  for (const auto& [k, v] : r.options) {
    if (k != "--stage") continue;
    if (!jobs.is_array()) jobs = json::array();
    jobs.push_back(v);
  }
  auto j = Call(r, "POST", "/api/v1/runs/" + r.positional[0] + "/rerun", json{{"jobs", jobs}}.dump());
  if (!j) return 1;
  if (r.json_output) std::cout << j->dump(2) << "\n";
  else std::cout << "run " << Str(*j, "id") << " queued (rerun of " << r.positional[0] << ")\n";
  return 0;
}

int CancelCommand(const std::vector<std::string>& args) {
  RemoteArgs r;
  if (!ParseRemoteArgs(args, {}, {}, &r) || r.positional.size() != 1) {
    Usage("slipway cancel RUN");
    return 2;
  }
  auto j = Call(r, "POST", "/api/v1/runs/" + r.positional[0] + "/cancel", "{}");
  if (!j) return 1;
  std::cout << "run " << r.positional[0] << " canceling\n";
  return 0;
}

int BaseCheckCommand(const std::vector<std::string>& args) {
  RemoteArgs r;
  if (!ParseRemoteArgs(args, {}, {}, &r) || r.positional.size() != 1) {
    Usage("slipway base-check REPO [--json]   (admin token; starts base-update runs for moved bases)");
    return 2;
  }
  auto j = Call(r, "POST", "/api/v1/base-checks", json{{"repo", r.positional[0]}}.dump());
  if (!j) return 1;
  if (r.json_output) {
    std::cout << j->dump(2) << "\n";
    return 0;
  }
  if ((*j)["branches"].empty()) std::printf("no successful build of %s has recorded its bases yet\n", Str(*j, "repo").c_str());
  for (const auto& branch : (*j)["branches"]) {
    std::printf("%s@%s (run %s): %s\n", Str(branch, "branch").c_str(), Str(branch, "sha").substr(0, 7).c_str(),
                Str(branch, "built_run_id").c_str(), Str(branch, "note").c_str());
    for (const auto& base : branch["bases"]) {
      std::string now = base["current"].is_string() ? Str(base, "current").substr(0, 19) : Str(base, "error");
      std::printf("  %-10s %s  %s -> %s\n", Str(base, "status").c_str(), Str(base, "ref").c_str(),
                  Str(base, "recorded").substr(0, 19).c_str(), now.c_str());
    }
    if (branch["started_run_id"].is_number()) std::printf("  started run %s\n", Str(branch, "started_run_id").c_str());
  }
  return 0;
}

}  // namespace slipway::cli
