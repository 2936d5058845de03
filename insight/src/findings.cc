// Severity normalisation, CVSS v3 base scores and the Trivy and Grype readers (see findings.h).
#include "insight/findings.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace slipway::insight {
namespace {

// CVSS v3 "round up" to one decimal, as the specification defines it.
double RoundUp(double value) {
  long long scaled = std::llround(value * 100000);
  if (scaled % 10000 == 0) return static_cast<double>(scaled) / 100000.0;
  return (std::floor(static_cast<double>(scaled) / 10000.0) + 1) / 10.0;
}

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
    case Severity::kUnknown:
      break;
  }
  return "unknown";
}

Severity ParseSeverity(std::string_view word) {
  std::string w = AsciiUpper(word);
  if (w == "LOW" || w == "NEGLIGIBLE" || w == "MINOR") return Severity::kLow;
  if (w == "MEDIUM" || w == "MODERATE") return Severity::kMedium;
  if (w == "HIGH" || w == "IMPORTANT") return Severity::kHigh;
  if (w == "CRITICAL") return Severity::kCritical;
  return Severity::kUnknown;
}

Severity SeverityFromScore(double score) {
  if (score >= 9.0) return Severity::kCritical;
  if (score >= 7.0) return Severity::kHigh;
  if (score >= 4.0) return Severity::kMedium;
  if (score > 0.0) return Severity::kLow;
  return Severity::kUnknown;
}

double CvssV3BaseScore(std::string_view vector) {
  if (!vector.starts_with("CVSS:3.")) return -1;
  std::map<std::string, std::string> m;
  size_t pos = vector.find('/');
  while (pos != std::string_view::npos) {
    size_t next = vector.find('/', pos + 1);
    std::string_view item = vector.substr(
        pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    size_t colon = item.find(':');
    if (colon != std::string_view::npos)
      m[std::string(item.substr(0, colon))] = std::string(item.substr(colon + 1));
    pos = next;
  }
  for (const char* k : {"AV", "AC", "PR", "UI", "S", "C", "I", "A"}) {
    if (!m.count(k)) return -1;
  }
  bool changed = m["S"] == "C";
  std::map<std::string, double> av = {{"N", 0.85}, {"A", 0.62}, {"L", 0.55}, {"P", 0.2}};
  std::map<std::string, double> ac = {{"L", 0.77}, {"H", 0.44}};
  std::map<std::string, double> pr = {
      {"N", 0.85}, {"L", changed ? 0.68 : 0.62}, {"H", changed ? 0.5 : 0.27}};
  std::map<std::string, double> ui = {{"N", 0.85}, {"R", 0.62}};
  std::map<std::string, double> cia = {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}};
  if (!av.count(m["AV"]) || !ac.count(m["AC"]) || !pr.count(m["PR"]) || !ui.count(m["UI"]) ||
      !cia.count(m["C"]) || !cia.count(m["I"]) || !cia.count(m["A"])) {
    return -1;
  }
  double iss = 1 - (1 - cia[m["C"]]) * (1 - cia[m["I"]]) * (1 - cia[m["A"]]);
  double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  double exploitability = 8.22 * av[m["AV"]] * ac[m["AC"]] * pr[m["PR"]] * ui[m["UI"]];
  if (impact <= 0) return 0;
  double raw = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
  return RoundUp(std::min(raw, 10.0));
}

Result<std::vector<Finding>> ReadTrivyReport(std::string_view json) {
  std::vector<Finding> out;
  try {
    nlohmann::json doc = nlohmann::json::parse(json);
    for (const auto& result : doc.value("Results", nlohmann::json::array())) {
      if (!result.contains("Vulnerabilities") || !result["Vulnerabilities"].is_array()) continue;
      for (const auto& v : result["Vulnerabilities"]) {
        Finding f;
        f.id = v.value("VulnerabilityID", "");
        f.package = v.value("PkgName", "");
        f.installed_version = v.value("InstalledVersion", "");
        f.fixed_version = v.value("FixedVersion", "");
        f.severity = ParseSeverity(v.value("Severity", ""));
        for (const auto& a : v.value("VendorIDs", nlohmann::json::array())) {
          if (a.is_string()) f.aliases.push_back(a);
        }
        f.source = "trivy";
        out.push_back(std::move(f));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("trivy report: ") + e.what());
  }
  SortFindings(&out);
  return out;
}

Result<std::vector<Finding>> ReadGrypeReport(std::string_view json) {
  std::vector<Finding> out;
  try {
    nlohmann::json doc = nlohmann::json::parse(json);
    for (const auto& match : doc.value("matches", nlohmann::json::array())) {
      const auto& v = match.at("vulnerability");
      const auto& artifact = match.at("artifact");
      Finding f;
      f.id = v.value("id", "");
      f.severity = ParseSeverity(v.value("severity", ""));
      if (v.contains("fix") && v["fix"].contains("versions") && !v["fix"]["versions"].empty()) {
        f.fixed_version = v["fix"]["versions"][0].get<std::string>();
      }
      for (const auto& r : match.value("relatedVulnerabilities", nlohmann::json::array())) {
        std::string id = r.value("id", "");
        if (!id.empty() && id != f.id) f.aliases.push_back(id);
      }
      f.package = artifact.value("name", "");
      f.installed_version = artifact.value("version", "");
      f.source = "grype";
      out.push_back(std::move(f));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("grype report: ") + e.what());
  }
  SortFindings(&out);
  return out;
}

void SortFindings(std::vector<Finding>* findings) {
  auto key = [](const Finding& f) {
    return std::make_tuple(-static_cast<int>(f.severity), f.id, f.package, f.installed_version,
                           f.source);
  };
  std::sort(findings->begin(), findings->end(),
            [&](const Finding& a, const Finding& b) { return key(a) < key(b); });
  findings->erase(std::unique(findings->begin(), findings->end(),
                              [&](const Finding& a, const Finding& b) { return key(a) == key(b); }),
                  findings->end());
}

}  // namespace slipway::insight
