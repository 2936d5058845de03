// Diagnostic: one problem found in a pipeline file or a Dockerfile, as data.
//
// Configuration problems are never exceptions: every step (parse, lint, Dockerfile reading, expand)
// appends Diagnostics and carries on, so a user sees all of them at once. `code` is stable and
// machine-readable (`unknown-key`, `cycle`, ...; see docs in pipeline_linter.h); line and column are
// 1-based. FormatDiagnostic gives the compiler-style line users and tests rely on:
//   .slipway.yml:4:5: error[unknown-key]: unknown key "stagse" in the pipeline
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace slipway::pipelines {

enum class Severity { kError, kWarning };

struct Diagnostic {
  std::string file;
  int line = 1;
  int column = 1;
  std::string code;
  Severity severity = Severity::kError;
  std::string message;
};

// 1-based position in a file.
struct Position {
  int line = 1;
  int column = 1;
};

inline Diagnostic MakeError(const std::string& file, Position pos, std::string code,
                            std::string message) {
  return {file, pos.line, pos.column, std::move(code), Severity::kError, std::move(message)};
}
inline Diagnostic MakeWarning(const std::string& file, Position pos, std::string code,
                              std::string message) {
  return {file, pos.line, pos.column, std::move(code), Severity::kWarning, std::move(message)};
}

// "error" or "warning".
const char* SeverityName(Severity severity);

// `file:line:col: error[code]: message` (or `warning[code]`).
std::string FormatDiagnostic(const Diagnostic& d);

// {"file","line","column","code","severity","message"}.
nlohmann::json ToJson(const Diagnostic& d);

bool HasErrors(const std::vector<Diagnostic>& diagnostics);

// Orders by file, then line, then column (stable otherwise), for deterministic output.
void SortDiagnostics(std::vector<Diagnostic>& diagnostics);

}  // namespace slipway::pipelines
