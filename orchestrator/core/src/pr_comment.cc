#include "core/pr_comment.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "core/forge_messages.h"

namespace slipway::core {
namespace {

using nlohmann::json;

constexpr size_t kMaxLayers = 10;
constexpr size_t kMaxFindings = 20;
constexpr size_t kMaxDiagnostics = 20;

std::string_view StatusIcon(JobStatus status) {
  switch (status) {
    case JobStatus::kSuccess:
      return "✅";
    case JobStatus::kFailure:
    case JobStatus::kError:
      return "❌";
    case JobStatus::kPending:
    case JobStatus::kRunning:
      return "⏳";
    default:
      return "⚪";
  }
}

std::string SignedBytes(int64_t delta) {
  return (delta < 0 ? "-" : "+") + HumanBytes(static_cast<uint64_t>(std::llabs(delta)));
}

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.is_object() || !j.contains(key) || !j[key].is_array()) return out;
  for (const auto& item : j[key]) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

void AppendList(std::string& out, const std::string& title, const std::vector<std::string>& items,
                size_t max) {
  if (items.empty()) return;
  out += "- " + title + ":";
  for (size_t i = 0; i < items.size() && i < max; ++i)
    out += (i ? ", " : " ") + MarkdownCode(items[i]);
  if (items.size() > max) out += " and " + std::to_string(items.size() - max) + " more";
  out += "\n";
}

std::string StageRow(const store::Job& job, const json& insight, const json& comparison) {
  std::string size = "—", delta = "—", vulns = "—";
  if (insight.contains("size_bytes") && insight["size_bytes"].is_number_unsigned()) {
    size = HumanBytes(insight["size_bytes"].get<uint64_t>());
  }
  if (comparison.contains("size_delta_bytes") &&
      comparison["size_delta_bytes"].is_number_integer()) {
    delta = SignedBytes(comparison["size_delta_bytes"].get<int64_t>());
    if (comparison.contains("size_delta_percent") && comparison["size_delta_percent"].is_number()) {
      delta += " (" + SignedPercent(comparison["size_delta_percent"].get<double>()) + ")";
    }
    delta += " vs " + MarkdownCode(comparison.value("branch", ""));
  }
  if (insight.contains("not_scanned")) {
    vulns = "not scanned";
  } else if (insight.contains("vulnerabilities") && insight["vulnerabilities"].is_object()) {
    const json& v = insight["vulnerabilities"];
    vulns = std::to_string(v.value("critical", 0)) + " critical, " +
            std::to_string(v.value("high", 0)) + " high, " + std::to_string(v.value("medium", 0)) +
            " medium";
  }
  return "| " + MarkdownText(job.name, 80) + " | " + std::string(StatusIcon(job.status)) + " " +
         std::string(JobStatusName(job.status)) + " | " + size + " | " + delta + " | " + vulns +
         " |\n";
}

std::string StageDetails(const store::Job& job, const json& insight, const json& comparison) {
  std::string out;
  if (comparison.contains("layers") && comparison["layers"].is_array()) {
    size_t shown = 0;
    for (const auto& layer : comparison["layers"]) {
      const std::string change = layer.value("change", "");
      if (change != "added" && change != "grown") continue;
      if (shown++ == kMaxLayers) break;
      const int64_t before = layer.value("before_bytes", int64_t{0}),
                    after = layer.value("after_bytes", int64_t{0});
      out += "- layer " + change + " " + SignedBytes(after - before) + ": " +
             MarkdownCode(layer.value("created_by", "")) + "\n";
    }
  }
  AppendList(out, "new vulnerabilities", Strings(insight, "new_findings"), kMaxFindings);
  AppendList(out, "fixed vulnerabilities", Strings(insight, "fixed_findings"), kMaxFindings);
  if (insight.contains("budget") && insight["budget"].is_object()) {
    auto broken = Strings(insight["budget"], "broken");
    out += "- budget: " + std::string(broken.empty() ? "kept" : "broken") + "\n";
    for (const auto& b : broken) out += "  - " + MarkdownText(b) + "\n";
  }
  if (insight.contains("scan_gate") && insight["scan_gate"].is_object()) {
    const json& gate = insight["scan_gate"];
    auto blocking = Strings(gate, "blocking");
    out += "- scan policy (fail on " + MarkdownText(gate.value("fail_on", "none"), 20) +
           "): " + (blocking.empty() ? "passed" : std::to_string(blocking.size()) + " blocking") +
           "\n";
    AppendList(out, "blocking", blocking, kMaxFindings);
  }
  for (const auto& w : Strings(insight, "warnings")) out += "- note: " + MarkdownText(w) + "\n";
  if (job.status != JobStatus::kSuccess && !job.error.empty())
    out += "- error: " + MarkdownText(job.error, 400) + "\n";
  if (out.empty()) return out;
  return "\n<details><summary>" + MarkdownText(job.name, 80) + "</summary>\n\n" + out +
         "\n</details>\n";
}

std::string DockerfileAdvice(const std::string& diagnostics_json) {
  json list = json::parse(diagnostics_json, nullptr, false);
  if (!list.is_array() || list.empty()) return "";
  std::string out = "\n#### Dockerfile advice\n\n";
  size_t shown = 0;
  for (const auto& d : list) {
    if (!d.is_object()) continue;
    if (shown++ == kMaxDiagnostics) {
      out += "- and " + std::to_string(list.size() - kMaxDiagnostics) + " more\n";
      break;
    }
    const std::string where = d.value("file", "") + ":" + std::to_string(d.value("line", 0)) + ":" +
                              std::to_string(d.value("column", 0));
    out += "- " + MarkdownCode(where) + " " + MarkdownText(d.value("severity", ""), 10) + " " +
           MarkdownCode(d.value("code", ""), 40) + ": " +
           MarkdownText(d.value("message", ""), 300) + "\n";
  }
  return out;
}

}  // namespace

std::string MarkdownText(std::string_view text, size_t max_chars) {
  std::string out;
  for (char c : OneLine(text, max_chars)) {
    if (std::string_view("\\`*_{}[]<>()#+-!|~&").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string MarkdownCode(std::string_view text, size_t max_chars) {
  std::string out = "`";
  for (char c : OneLine(text, max_chars)) {
    if (c == '`') {
      out += '\'';
    } else if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out + "`";
}

std::string RenderPrComment(const store::Run& run, const std::vector<store::Job>& jobs,
                            std::string_view default_branch, std::string_view public_url) {
  const JobStatus run_status = *JobStatusFromName(RunStatusName(run.status));
  std::string out = std::string(kPrCommentMarker) + "\n### Slipway run " +
                    std::to_string(run.number) + ": " + std::string(StatusIcon(run_status)) + " " +
                    std::string(RunStatusName(run.status)) + "\n\n";
  out += "Commit " + MarkdownCode(run.sha.substr(0, 12)) + " on " + MarkdownCode(run.branch) +
         ", compared with " + MarkdownCode(default_branch);
  const std::string url = RunPageUrl(public_url, run.id);
  out += url.empty() ? ".\n" : " · [details](" + url + ")\n";
  if (!run.error.empty()) out += "\n" + MarkdownText(run.error, 400) + "\n";
  if (!jobs.empty()) {
    out += "\n| stage | status | size | change | vulnerabilities |\n|---|---|---|---|---|\n";
    std::string details;
    for (const auto& job : jobs) {
      const json insight = ReviewOf(job);
      const json comparison = BaseComparison(insight);
      out += StageRow(job, insight, comparison);
      details += StageDetails(job, insight, comparison);
    }
    out += details;
  }
  out += DockerfileAdvice(run.diagnostics_json);
  if (out.size() > kMaxCommentBytes) {
    out.resize(out.rfind('\n', kMaxCommentBytes - 100) + 1);  // whole lines only
    out += "\n… the rest is on the run's page.\n";
  }
  return out;
}

}  // namespace slipway::core
