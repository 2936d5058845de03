#include "pipelines/diagnostic.h"

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

namespace slipway::pipelines {

const char* SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

std::string FormatDiagnostic(const Diagnostic& d) {
  return d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + ": " +
         SeverityName(d.severity) + "[" + d.code + "]: " + d.message;
}

nlohmann::json ToJson(const Diagnostic& d) {
  return {{"file", d.file},   {"line", d.line},
          {"column", d.column}, {"code", d.code},
          {"severity", SeverityName(d.severity)}, {"message", d.message}};
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

void SortDiagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
}

}  // namespace slipway::pipelines
