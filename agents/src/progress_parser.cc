#include "agent/progress_parser.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <tuple>

#include <nlohmann/json.hpp>

namespace slipway::agent {
namespace {

// "[stage i/n] ..." with a stage other than "internal".
bool IsInstructionName(std::string_view name) {
  if (name.size() < 6 || name[0] != '[') return false;
  auto close = name.find(']');
  if (close == std::string_view::npos) return false;
  std::string_view inside = name.substr(1, close - 1);
  auto space = inside.rfind(' ');
  if (space == std::string_view::npos || inside.substr(0, space) == "internal") return false;
  std::string_view frac = inside.substr(space + 1);
  auto slash = frac.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == frac.size()) return false;
  for (size_t i = 0; i < frac.size(); ++i) {
    if (i != slash && !std::isdigit(static_cast<unsigned char>(frac[i]))) return false;
  }
  return true;
}

std::string FormatSeconds(long long ms) {
  long long tenths = (ms + 50) / 100;  // rounded half up, like a person reads it
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
}

std::string Number(int n) { return "#" + std::to_string(n); }

}  // namespace

bool BuildStep::IsFrom() const {
  auto close = name.find("] ");
  return close != std::string::npos && name.compare(close + 2, 5, "FROM ") == 0;
}

long long ParseRfc3339Ms(std::string_view text) {
  std::string s(text);
  int year, mon, day, hour, min, sec, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &mon, &day, &hour, &min, &sec,
                  &consumed) != 6) {
    return 0;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  long long ms = static_cast<long long>(timegm(&tm)) * 1000;
  size_t i = static_cast<size_t>(consumed);
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0, frac = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (digits < 3) frac = frac * 10 + (s[i] - '0'), ++digits;
      ++i;
    }
    while (digits++ < 3) frac *= 10;
    ms += frac;
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) == 2) {
      long long offset = (oh * 60LL + om) * 60000;
      ms += s[i] == '+' ? -offset : offset;
    }
  }
  return ms;
}

std::string DecodeBase64(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  unsigned int acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else continue;
    acc = (acc << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

void ProgressParser::Feed(std::string_view bytes, std::vector<std::string>* lines) {
  for (char c : bytes) {
    if (depth_ == 0) {
      if (in_text_) {
        if (c == '\n') {
          in_text_ = false;
          HandleText(std::move(text_), lines);
          text_.clear();
        } else if (c != '\r' && text_.size() < 64 * 1024) {
          text_.push_back(c);
        }
        continue;
      }
      if (c == '{') {
        depth_ = 1;
        in_string_ = escape_ = overflow_ = false;
        object_.assign(1, c);
      } else if (!std::isspace(static_cast<unsigned char>(c))) {
        in_text_ = true;
        text_.assign(1, c);
      }
      continue;
    }
    if (!overflow_) {
      if (object_.size() >= kMaxObjectBytes) {
        overflow_ = true;
        object_.clear();
        object_.shrink_to_fit();
      } else {
        object_.push_back(c);
      }
    }
    if (in_string_) {
      if (escape_) escape_ = false;
      else if (c == '\\') escape_ = true;
      else if (c == '"') in_string_ = false;
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{') {
      ++depth_;
    } else if (c == '}' && --depth_ == 0) {
      if (!overflow_) HandleObject(object_, lines);
      object_.clear();
    }
  }
}

void ProgressParser::Finish(std::vector<std::string>* lines) {
  if (in_text_) {
    in_text_ = false;
    HandleText(std::move(text_), lines);
    text_.clear();
  }
  for (auto& [digest, v] : vertexes_) FlushPartial(v, lines);
}

void ProgressParser::HandleText(std::string line, std::vector<std::string>* lines) {
  if (line.starts_with("ERROR")) error_lines_.push_back(line);
  lines->push_back(std::move(line));
}

ProgressParser::Vertex& ProgressParser::VertexFor(const std::string& digest) {
  auto [it, inserted] = vertexes_.try_emplace(digest);
  if (inserted) it->second.number = next_number_++;
  return it->second;
}

void ProgressParser::FlushPartial(Vertex& v, std::vector<std::string>* lines) {
  if (v.partial.empty()) return;
  lines->push_back(Number(v.number) + " " + v.partial);
  v.partial.clear();
}

void ProgressParser::HandleObject(const std::string& text, std::vector<std::string>* lines) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  auto str = [](const nlohmann::json& o, const char* key) -> std::string {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto vs = j.find("vertexes"); vs != j.end() && vs->is_array()) {
    for (const auto& x : *vs) {
      if (!x.is_object()) continue;
      std::string digest = str(x, "digest");
      if (digest.empty()) continue;
      Vertex& v = VertexFor(digest);
      if (std::string name = str(x, "name"); !name.empty()) v.name = name;
      std::string started = str(x, "started");
      bool cached = x.value("cached", false);
      if ((!started.empty() || cached) && !v.announced) {
        v.announced = true;
        lines->push_back(Number(v.number) + " " + v.name);
      }
      if (!started.empty()) v.started_ms = ParseRfc3339Ms(started);
      if (cached && !v.cached) {
        v.cached = true;
        lines->push_back(Number(v.number) + " CACHED");
      }
      std::string error = str(x, "error");
      if (!error.empty()) v.error = error;
      std::string completed = str(x, "completed");
      if (!completed.empty() && !v.done) {
        v.done = true;
        v.completed_ms = ParseRfc3339Ms(completed);
        FlushPartial(v, lines);
        if (!v.error.empty()) {
          lines->push_back(Number(v.number) + " ERROR: " + v.error);
        } else if (!v.cached) {
          long long ms = v.started_ms && v.completed_ms >= v.started_ms ? v.completed_ms - v.started_ms : 0;
          lines->push_back(Number(v.number) + " DONE " + FormatSeconds(ms));
        }
      }
      SyncStep(v, digest);
    }
  }
  if (auto logs = j.find("logs"); logs != j.end() && logs->is_array()) {
    for (const auto& x : *logs) {
      if (!x.is_object()) continue;
      std::string digest = str(x, "vertex");
      if (digest.empty()) continue;
      Vertex& v = VertexFor(digest);
      v.partial += DecodeBase64(str(x, "data"));
      size_t start = 0, nl;
      while ((nl = v.partial.find('\n', start)) != std::string::npos) {
        std::string_view line(v.partial.data() + start, nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines->push_back(Number(v.number) + " " + std::string(line));
        start = nl + 1;
      }
      v.partial.erase(0, start);
    }
  }
}

void ProgressParser::SyncStep(Vertex& v, const std::string& digest) {
  if (v.step < 0) {
    if (!IsInstructionName(v.name)) return;
    v.step = static_cast<int>(steps_.size());
    BuildStep s;
    s.index = v.step;
    s.digest = digest;
    steps_.push_back(std::move(s));
    ++steps_version_;
  }
  BuildStep& s = steps_[static_cast<size_t>(v.step)];
  auto before = std::tie(s.name, s.cached, s.started_ms, s.completed_ms, s.error);
  auto old = std::make_tuple(s.name, s.cached, s.started_ms, s.completed_ms, s.error);
  s.name = v.name;
  s.cached = v.cached;
  s.started_ms = v.started_ms;
  s.completed_ms = v.completed_ms;
  s.error = v.error;
  s.duration_ms = s.started_ms && s.completed_ms >= s.started_ms ? s.completed_ms - s.started_ms : 0;
  if (before != old) ++steps_version_;
}

CacheCount ProgressParser::Cache() const {
  CacheCount c;
  for (const auto& s : steps_) {
    if (s.IsFrom()) continue;
    ++c.steps;
    if (s.cached) ++c.cached;
  }
  return c;
}

const BuildStep* ProgressParser::FailedStep() const {
  for (const auto& s : steps_) {
    if (!s.error.empty()) return &s;
  }
  return nullptr;
}

std::string ProgressParser::FailedName() const {
  if (const BuildStep* s = FailedStep()) return s->name;
  const Vertex* first = nullptr;
  for (const auto& [digest, v] : vertexes_) {
    if (!v.error.empty() && (!first || v.number < first->number)) first = &v;
  }
  return first ? first->name : std::string();
}

}  // namespace slipway::agent
