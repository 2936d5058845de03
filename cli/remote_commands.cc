#include "remote_commands.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "command.h"
#include "common/build_status.h"
#include "common/http_client.h"
#include "common/json_text.h"
#include "common/strings.h"

namespace slipway::cli {
namespace {

using nlohmann::json;

// The server, the token and the output form, flags shared by every remote command.
struct Remote {
  std::string server = "http://127.0.0.1:8080";
  std::string token;
  std::string ca_file;  // https://: the CA certificates to trust; "" for the system's
  bool json_output = false;

  // A request to the server with the token (when given) and the CA file.
  HttpRequest Request(const std::string& method, const std::string& path, const std::string& body = "") const {
    HttpRequest req{.method = method, .url = server + path, .body = body, .headers = {}, .ca_file = ca_file};
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    return req;
  }
};

// A "slipway COMMAND" app with the shared flags declared on it.
std::unique_ptr<CLI::App> RemoteApp(const std::string& command, const std::string& description, Remote* r) {
  auto app = std::make_unique<CLI::App>(description, "slipway " + command);
  app->add_option("--server", r->server, "slipwayd's URL")->envname("SLIPWAY_SERVER")->capture_default_str();
  app->add_option("--token", r->token, "an admin token, or a viewer token for commands that only read")
      ->envname("SLIPWAY_TOKEN");
  AddSecretFileFlag(*app, "--token-file", &r->token, "a file holding the token");
  app->add_option("--ca-file", r->ca_file, "the CA certificates (PEM) to trust for an https:// server")
      ->envname("SLIPWAY_CA_FILE")
      ->type_name("FILE");
  app->add_flag("--json", r->json_output, "print the server's answer as JSON");
  return app;
}

// Parses the shared and the command's own flags; an exit code when the command is done.
std::optional<int> ParseRemote(CLI::App& app, const std::string& command, const std::vector<std::string>& args,
                               Remote* r) {
  if (auto done = ParseCommandFlags(app, command, args)) return done;
  while (!r->server.empty() && r->server.back() == '/') r->server.pop_back();
  return std::nullopt;
}

// "?k=v&k2=v2" of the pairs whose value is not empty, each value percent-encoded.
std::string Query(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string query;
  for (const auto& [k, v] : pairs) {
    if (!v.empty()) query += (query.empty() ? "?" : "&") + k + "=" + PercentEncode(v);
  }
  return query;
}

// Calls the API; prints the server's error and returns nullopt unless the status is 2xx.
std::optional<json> Call(const Remote& r, const std::string& method, const std::string& path,
                         const std::string& body = "") {
  HttpRequest req = r.Request(method, path, body);
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
  return j[key].is_string() ? j[key].get<std::string>() : JsonText(j[key]);
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
  if (insight.contains("not_scanned")) {
    line += ", vulnerabilities: not scanned (" + Str(insight, "not_scanned") + ")";
  } else {
    line += ", vulnerabilities: " + (vulns.empty() ? std::string("none found") : vulns);
  }
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
  Remote r;
  std::string repo, branch, status, limit, before;
  auto app = RemoteApp("runs", "Lists runs, newest first.", &r);
  app->add_option("--repo", repo, "only this repository's runs");
  app->add_option("--branch", branch, "only this branch's runs");
  app->add_option("--status", status, "only runs in this status");
  app->add_option("--limit", limit, "at most N runs (the server takes at most 500)")
      ->check(InRange({1, std::numeric_limits<int>::max()}))
      ->type_name("N");
  app->add_option("--before", before, "only runs older than this run id")
      ->check(InRange({1, std::numeric_limits<long long>::max()}))
      ->type_name("ID");
  if (auto done = ParseRemote(*app, "runs", args, &r)) return *done;
  std::string query =
      Query({{"repo", repo}, {"branch", branch}, {"status", status}, {"limit", limit}, {"before", before}});
  auto j = Call(r, "GET", "/api/v1/runs" + query);
  if (!j) return 1;
  if (r.json_output) {
    std::cout << JsonText(*j, 2) << "\n";
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
  Remote r;
  std::string run;
  auto app = RemoteApp("show", "Shows a run and its jobs, with sizes and cache hits.", &r);
  app->add_option("RUN", run, "the run id")->required();
  if (auto done = ParseRemote(*app, "show", args, &r)) return *done;
  auto j = Call(r, "GET", "/api/v1/runs/" + PercentEncode(run));
  if (!j) return 1;
  if (r.json_output) std::cout << JsonText(*j, 2) << "\n";
  else PrintRun(*j);
  return 0;
}

int WaitCommand(const std::vector<std::string>& args) {
  Remote r;
  std::string run;
  int timeout = 600;
  auto app = RemoteApp("wait", "Waits for a run to finish; exit 0 when it succeeded, 1 otherwise.", &r);
  app->add_option("RUN", run, "the run id")->required();
  app->add_option("--timeout", timeout, "give up after this long")
      ->check(InRange({0, 7 * 24 * 3600}))
      ->type_name("SECONDS")
      ->capture_default_str();
  if (auto done = ParseRemote(*app, "wait", args, &r)) return *done;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
  for (;;) {
    auto j = Call(r, "GET", "/api/v1/runs/" + PercentEncode(run));
    if (!j) return 1;
    std::string status = j->value("status", "");
    if (IsFinalRunStatus(status)) {
      if (r.json_output) std::cout << JsonText(*j, 2) << "\n";
      else PrintRun(*j);
      return status == "success" ? 0 : 1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "slipway: run " << run << " still " << status << " after " << timeout << "s\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

int LogsCommand(const std::vector<std::string>& args) {
  Remote r;
  std::string job;
  bool follow = false;
  auto app = RemoteApp("logs", "Prints a job's log.", &r);
  app->add_option("JOB", job, "the job id")->required();
  app->add_flag("-f,--follow", follow, "follow the log live until the job ends");
  if (auto done = ParseRemote(*app, "logs", args, &r)) return *done;
  std::string path = "/api/v1/jobs/" + PercentEncode(job) + "/log";
  if (!follow) {
    auto res = HttpFetch(r.Request("GET", path));
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
  HttpRequest follow_request = r.Request("GET", path + "?follow=1");
  follow_request.timeout = std::chrono::milliseconds(10000);
  Status s = HttpStream(follow_request, &status, [&](std::string_view chunk) {
                          buffer.append(chunk);
                          size_t nl;
                          while ((nl = buffer.find('\n')) != std::string::npos) {
                            std::string line = buffer.substr(0, nl);
                            buffer.erase(0, nl + 1);
                            if (line.starts_with("event: ")) event = line.substr(7);
                            if (!line.starts_with("data: ")) continue;
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
  Remote r;
  std::string repo, branch, sha;
  auto app = RemoteApp("trigger", "Starts a run of a repo's branch (or commit).", &r);
  app->add_option("REPO", repo, "the repository, owner/name")->required();
  app->add_option("BRANCH", branch, "the branch")->required();
  app->add_option("SHA", sha, "the commit (default: the branch's head)");
  if (auto done = ParseRemote(*app, "trigger", args, &r)) return *done;
  json body = {{"repo", repo}, {"branch", branch}};
  if (!sha.empty()) body["sha"] = sha;
  auto j = Call(r, "POST", "/api/v1/runs", JsonText(body));
  if (!j) return 1;
  if (r.json_output) std::cout << JsonText(*j, 2) << "\n";
  else std::cout << "run " << Str(*j, "id") << " queued\n";
  return 0;
}

int RerunCommand(const std::vector<std::string>& args) {
  Remote r;
  std::string run;
  bool failed = false;
  std::vector<std::string> stages;
  auto app = RemoteApp("rerun", "Reruns a run at the same commit: all jobs, the failed ones, or named stages.", &r);
  app->add_option("RUN", run, "the run id")->required();
  CLI::Option* failed_flag = app->add_flag("--failed", failed, "the failed jobs and their dependents");
  app->add_option("--stage", stages, "this stage and its dependents (repeatable)")
      ->allow_extra_args(false)
      ->excludes(failed_flag)
      ->type_name("S");
  if (auto done = ParseRemote(*app, "rerun", args, &r)) return *done;
  json jobs = "all";
  if (failed) jobs = "failed";
  if (!stages.empty()) jobs = stages;
  auto j = Call(r, "POST", "/api/v1/runs/" + PercentEncode(run) + "/rerun", JsonText(json{{"jobs", jobs}}));
  if (!j) return 1;
  if (r.json_output) std::cout << JsonText(*j, 2) << "\n";
  else std::cout << "run " << Str(*j, "id") << " queued (rerun of " << run << ")\n";
  return 0;
}

namespace {

// `slipway VERB RUN`: POST /api/v1/runs/RUN/VERB, then "run RUN <done>".
int RunAction(const std::vector<std::string>& args, const std::string& verb, const std::string& description,
              const std::string& done) {
  Remote r;
  std::string run;
  auto app = RemoteApp(verb, description, &r);
  app->add_option("RUN", run, "the run id")->required();
  if (auto parsed = ParseRemote(*app, verb, args, &r)) return *parsed;
  auto j = Call(r, "POST", "/api/v1/runs/" + PercentEncode(run) + "/" + verb, "{}");
  if (!j) return 1;
  std::cout << "run " << run << " " << done << "\n";
  return 0;
}

}  // namespace

int CancelCommand(const std::vector<std::string>& args) {
  return RunAction(args, "cancel", "Cancels a run's pending and running jobs.", "canceling");
}

int ApproveCommand(const std::vector<std::string>& args) {
  return RunAction(args, "approve", "Approves a run held for approval (a pull request from a fork); it is then planned.",
                   "approved");
}

int BaseCheckCommand(const std::vector<std::string>& args) {
  Remote r;
  std::string repo;
  auto app = RemoteApp("base-check",
                       "Checks a repo's base images now (admin token); moved ones start base-update runs.", &r);
  app->add_option("REPO", repo, "the repository, owner/name")->required();
  if (auto done = ParseRemote(*app, "base-check", args, &r)) return *done;
  auto j = Call(r, "POST", "/api/v1/base-checks", JsonText(json{{"repo", repo}}));
  if (!j) return 1;
  if (r.json_output) {
    std::cout << JsonText(*j, 2) << "\n";
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

namespace {

// The secrets path of REPO ("server": the server-wide ones), each name segment percent-encoded.
std::string SecretsPath(const std::string& repo) {
  if (repo == "server") return "/api/v1/secrets";
  std::string path = "/api/v1/repos";
  for (const auto& segment : SplitNonEmpty(repo, '/')) path += "/" + PercentEncode(segment);
  return path + "/secrets";
}

}  // namespace

int SecretCommand(const std::vector<std::string>& args) {
  Remote r;
  std::string action, repo, name;
  bool is_protected = false;
  auto app = RemoteApp("secret",
                       "Sets (value from standard input), lists or removes a repository's secrets (admin token); "
                       "REPO \"server\" names the server-wide ones.",
                       &r);
  app->add_option("ACTION", action, "set, list or rm")->required()->check(CLI::IsMember({"set", "list", "rm"}));
  app->add_option("REPO", repo, "the repository, owner/name, or server")->required();
  app->add_option("NAME", name, "the secret's name (set, rm)");
  app->add_flag("--protected", is_protected, "only default-branch, protected-branch and tag runs get it (set)");
  if (auto done = ParseRemote(*app, "secret", args, &r)) return *done;
  if (action != "list" && name.empty()) return UsageError("secret", action + " needs the secret's NAME");
  const std::string path = SecretsPath(repo);
  if (action == "list") {
    auto j = Call(r, "GET", path);
    if (!j) return 1;
    if (r.json_output) {
      std::cout << JsonText(*j, 2) << "\n";
      return 0;
    }
    for (const auto& s : (*j)["secrets"]) {
      std::printf("%-32s %-10s updated %s\n", Str(s, "name").c_str(),
                  s.value("protected", false) ? "protected" : "-", Str(s, "updated_at").c_str());
    }
    return 0;
  }
  if (action == "rm") return Call(r, "DELETE", path + "/" + PercentEncode(name)) ? 0 : 1;
  // The value comes from standard input, never from argv, so it stays out of process lists and
  // shell history; one trailing newline (from echo or a file) is not part of it.
  std::string value{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  if (value.ends_with("\n")) value.pop_back();
  if (value.ends_with("\r")) value.pop_back();
  auto j = Call(r, "PUT", path + "/" + PercentEncode(name), JsonText(json{{"value", value}, {"protected", is_protected}}));
  if (!j) return 1;
  std::cout << "secret " << name << " set for " << repo << (is_protected ? " (protected)" : "") << "\n";
  return 0;
}

}  // namespace slipway::cli

namespace slipway::cli {
namespace {

// A token list's rows: name, role, labels (agent tokens), when made and revoked.
void PrintTokens(const json& list) {
  for (const auto& t : list) {
    std::string labels;
    const json granted = t.value("labels", json::object());  // named: items() must not outlive it
    for (const auto& [k, v] : granted.items()) {
      labels += (labels.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    const bool revoked = !t.value("revoked_at", json()).is_null();
    std::printf("%-24s %-7s %-24s created %s%s\n", Str(t, "name").c_str(), Str(t, "role").c_str(),
                labels.empty() ? "-" : labels.c_str(), Str(t, "created_at").c_str(),
                revoked ? ("  revoked " + Str(t, "revoked_at")).c_str() : "");
  }
}

// create, list and revoke under `base` (admin token). The token is printed once, alone on
// standard output, so that it can be captured; the server keeps only its hash.
int TokenAction(const Remote& r, const std::string& base, const std::string& list_key, const std::string& action,
                const std::string& name, const json& create_body) {
  if (action == "list") {
    auto j = Call(r, "GET", base);
    if (!j) return 1;
    if (r.json_output) std::cout << JsonText(*j, 2) << "\n";
    else PrintTokens((*j)[list_key]);
    return 0;
  }
  if (action == "revoke") {
    auto j = Call(r, "DELETE", base + "/" + PercentEncode(name));
    if (!j) return 1;
    std::cerr << "revoked " << name << "\n";
    return 0;
  }
  auto j = Call(r, "POST", base, JsonText(create_body));
  if (!j) return 1;
  if (r.json_output) {
    std::cout << JsonText(*j, 2) << "\n";
  } else {
    std::cerr << "token " << name << " made; it is shown only now:\n";
    std::cout << Str(*j, "token") << "\n";
  }
  return 0;
}

}  // namespace

int AgentTokenCommand(const std::vector<std::string>& args) {
  Remote r;
  std::string action, name;
  std::vector<std::string> labels;
  auto app = RemoteApp("agent-token",
                       "Makes, lists or revokes per-agent tokens (admin token): a token is bound to one agent "
                       "name and the labels it may claim.",
                       &r);
  app->add_option("ACTION", action, "create, list or revoke")
      ->required()
      ->check(CLI::IsMember({"create", "list", "revoke"}));
  app->add_option("NAME", name, "the agent's name (create, revoke)");
  app->add_option("--labels", labels, "labels the agent may claim (create)")->delimiter(',')->type_name("k=v,...");
  if (auto done = ParseRemote(*app, "agent-token", args, &r)) return *done;
  if (action != "list" && name.empty()) return UsageError("agent-token", action + " needs the agent's NAME");
  json label_map = json::object();
  for (const auto& label : labels) {
    auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0) return UsageError("agent-token", "a label is k=v, not \"" + label + "\"");
    label_map[label.substr(0, eq)] = label.substr(eq + 1);
  }
  return TokenAction(r, "/api/v1/agent-tokens", "agent_tokens", action, name,
                     {{"name", name}, {"labels", label_map}});
}

int TokenCommand(const std::vector<std::string>& args) {
  Remote r;
  std::string action, name, role = "viewer";
  auto app = RemoteApp("token", "Makes, lists or revokes viewer and admin tokens (admin token).", &r);
  app->add_option("ACTION", action, "create, list or revoke")
      ->required()
      ->check(CLI::IsMember({"create", "list", "revoke"}));
  app->add_option("NAME", name, "the token's name (create, revoke)");
  app->add_option("--role", role, "viewer (reads) or admin (create)")
      ->check(CLI::IsMember({"viewer", "admin"}))
      ->capture_default_str();
  if (auto done = ParseRemote(*app, "token", args, &r)) return *done;
  if (action != "list" && name.empty()) return UsageError("token", action + " needs the token's NAME");
  return TokenAction(r, "/api/v1/tokens", "tokens", action, name, {{"name", name}, {"role", role}});
}

}  // namespace slipway::cli
