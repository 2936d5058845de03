// Structured log lines (logfmt) on stderr: `ts=2026-11-28T01:02:03.456Z level=info msg="run queued" run=12`.
//
// The user information of any URL in a line is redacted (common/redact.h) before it is written.
//
// Thread-safety: each line is written with one call, so lines from several threads do not mix.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace slipway {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

using LogField = std::pair<std::string_view, std::string>;

void SetLogLevel(LogLevel level);
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

inline void LogInfo(std::string_view m, std::initializer_list<LogField> f = {}) { Log(LogLevel::kInfo, m, f); }
inline void LogWarn(std::string_view m, std::initializer_list<LogField> f = {}) { Log(LogLevel::kWarn, m, f); }
inline void LogError(std::string_view m, std::initializer_list<LogField> f = {}) { Log(LogLevel::kError, m, f); }
inline void LogDebug(std::string_view m, std::initializer_list<LogField> f = {}) { Log(LogLevel::kDebug, m, f); }

}  // namespace slipway
