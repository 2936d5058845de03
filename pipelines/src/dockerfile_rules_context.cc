// RuleContext, the RUN command reader and the small text helpers the rules share.
#include "dockerfile_rules_context.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

namespace slipway::pipelines::rules {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

bool IsComment(const std::string& line) {
  std::string_view t = TrimAsciiSpace(line);
  return !t.empty() && t[0] == '#';
}

// Words of a shell text grouped into simple commands: quotes and backslashes as a POSIX shell reads
// them, commands ending at newline ; & | ( ), comments from a word-initial #.
std::vector<std::vector<std::string>> ShellCommands(const std::string& text) {
  std::vector<std::vector<std::string>> out(1);
  std::string cur;
  bool in_word = false;
  char quote = 0;
  auto flush = [&] {
    if (in_word) out.back().push_back(cur);
    cur.clear();
    in_word = false;
  };
  auto end_command = [&] {
    flush();
    if (!out.back().empty()) out.emplace_back();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        cur += c;
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else if (c == '\\' && i + 1 < text.size())
        cur += text[++i];
      else
        cur += c;
    } else if (c == '\\' && i + 1 < text.size()) {
      if (text[i + 1] == '\n') {
        ++i;
        flush();
      } else {
        cur += text[++i];
        in_word = true;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '#' && !in_word) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (IsBlank(c)) {
      flush();
    } else if (c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')') {
      end_command();
    } else {
      cur += c;
      in_word = true;
    }
  }
  end_command();
  if (out.back().empty()) out.pop_back();
  return out;
}

bool IsAssignment(const std::string& word) {
  size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  if (std::isdigit(static_cast<unsigned char>(word[0]))) return false;
  return std::all_of(word.begin(), word.begin() + static_cast<long>(eq), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool IsBoundary(char c) {
  return IsBlank(c) || c == '"' || c == '\'' || c == '=' || c == ',' || c == ';' || c == '&' ||
         c == '|' || c == '(' || c == ')' || c == '[' || c == ']' || c == '`';
}

const DockerfileRule* FindRule(const std::string& code) {
  for (const DockerfileRule& r : DockerfileRules()) {
    if (code == r.code) return &r;
  }
  return nullptr;
}

}  // namespace

const std::string& ShellCommand::Arg(size_t i) const {
  static const std::string kEmpty;
  return i < words.size() ? words[i].text : kEmpty;
}

std::string ShellCommand::Program() const {
  if (words.empty()) return "";
  const std::string& w = words[0].text;
  size_t slash = w.rfind('/');
  return AsciiLower(slash == std::string::npos ? w : w.substr(slash + 1));
}

bool ShellCommand::Has(const std::string& word) const {
  return std::any_of(words.begin(), words.end(), [&](const Word& w) { return w.text == word; });
}

bool ShellCommand::HasPrefix(const std::string& prefix) const {
  return std::any_of(words.begin(), words.end(),
                     [&](const Word& w) { return w.text.starts_with(prefix); });
}

size_t ShellCommand::SubcommandIndex() const {
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i].text;
    if (w == "-o" || w == "-c" || w == "-t") {
      ++i;
      continue;
    }
    if (!w.starts_with('-')) return i;
  }
  return words.size();
}

std::string ShellCommand::Subcommand() const { return Arg(SubcommandIndex()); }

std::vector<KeyValue> KeyValues(const Instruction& ins) {
  std::vector<KeyValue> out;
  std::vector<std::string> words = SplitWords(ins.args);
  if (words.empty()) return out;
  if (ins.keyword == "ENV" && words[0].find('=') == std::string::npos) {
    std::string value;
    for (size_t i = 1; i < words.size(); ++i) value += (i > 1 ? " " : "") + words[i];
    out.push_back({words[0], value, words.size() > 1});
    return out;
  }
  for (const std::string& w : words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos)
      out.push_back({w, "", false});
    else
      out.push_back({w.substr(0, eq), w.substr(eq + 1), true});
  }
  return out;
}

ImageName ParseImageName(const std::string& image) {
  ImageName ref;
  std::string rest = image;
  size_t at = rest.find('@');
  if (at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
  }
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  slash = rest.rfind('/');
  ref.repository = AsciiLower(slash == std::string::npos ? rest : rest.substr(slash + 1));
  return ref;
}

std::string FromImageWord(const Instruction& from) {
  std::string rest;
  LeadingFlags(from.args, &rest);
  std::vector<std::string> words = SplitWords(rest);
  return words.empty() ? "" : words[0];
}

RunCommand ReadRun(const Instruction& ins) {
  RunCommand run;
  std::string rest;
  run.flags = LeadingFlags(ins.args, &rest);
  for (const std::string& flag : run.flags) {
    if (!flag.starts_with("--mount=")) continue;
    std::map<std::string, std::string> kv;
    std::string spec = flag.substr(8);
    size_t start = 0;
    while (start <= spec.size()) {
      size_t comma = std::min(spec.find(',', start), spec.size());
      std::string item = spec.substr(start, comma - start);
      size_t eq = item.find('=');
      if (eq != std::string::npos) kv[AsciiLower(item.substr(0, eq))] = item.substr(eq + 1);
      start = comma + 1;
    }
    if (kv["type"] != "cache") continue;
    std::string target = kv.count("target") ? kv["target"]
                         : kv.count("dst")  ? kv["dst"]
                                            : kv["destination"];
    run.cache_targets.push_back(target);
  }
  std::vector<std::vector<std::string>> raw;
  std::string trimmed(TrimAsciiSpace(rest));
  bool exec_form = false;
  if (!trimmed.empty() && trimmed[0] == '[') {
    try {
      nlohmann::json j = nlohmann::json::parse(trimmed);
      if (j.is_array() &&
          std::all_of(j.begin(), j.end(), [](const nlohmann::json& e) { return e.is_string(); })) {
        raw.emplace_back();
        for (const auto& e : j) raw.back().push_back(e.get<std::string>());
        exec_form = true;
      }
    } catch (const nlohmann::json::exception&) {
      // Not JSON: BuildKit runs it with the shell.
    }
  }
  std::string text = exec_form ? "" : rest;
  for (const std::string& body : ins.heredocs) text += "\n" + body;
  for (auto& command : ShellCommands(text)) raw.push_back(std::move(command));

  std::map<std::string, int> seen;
  for (const auto& words : raw) {
    ShellCommand command;
    for (const std::string& w : words) command.words.push_back({w, seen[w]++});
    // Drop what only prefixes the program: assignments, sudo [-flags], env, exec.
    size_t skip = 0;
    while (skip < command.words.size()) {
      const std::string& w = command.words[skip].text;
      if (IsAssignment(w) || w == "sudo" || w == "env" || w == "exec" || w == "nohup") {
        ++skip;
        while (w == "sudo" && skip < command.words.size() &&
               command.words[skip].text.starts_with('-'))
          ++skip;
        continue;
      }
      break;
    }
    command.words.erase(command.words.begin(), command.words.begin() + static_cast<long>(skip));
    if (!command.words.empty()) run.commands.push_back(std::move(command));
  }
  return run;
}

RuleContext::RuleContext(const Dockerfile& df, const std::string& text, std::string file,
                         const DockerfileRuleOptions& options)
    : df_(df), file_(std::move(file)) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines_.push_back(std::move(line));
    start = nl + 1;
  }
  for (const Instruction& ins : df.global_instructions) starts_.push_back(ins.line);
  for (const DockerStage& s : df.stages) {
    for (const Instruction& ins : s.instructions) starts_.push_back(ins.line);
  }
  std::sort(starts_.begin(), starts_.end());
  if (df.stages.empty()) return;

  int final_stage = static_cast<int>(df.stages.size()) - 1;
  auto resolve = [&](const std::string& name) -> int {
    if (name.empty()) return final_stage;
    const DockerStage* s = df.FindStage(name);
    return s ? s->index : -1;
  };
  std::vector<int> todo;
  if (options.targets.empty()) todo.push_back(final_stage);
  for (const std::string& name : options.targets) {
    if (int i = resolve(name); i >= 0) todo.push_back(i);
  }
  while (!todo.empty()) {
    int s = todo.back();
    todo.pop_back();
    if (!reached_.insert(s).second) continue;
    for (int d : df.Dependencies(s)) todo.push_back(d);
  }
  for (const std::string& name : options.runtime_targets) {
    if (int i = resolve(name); i >= 0) runtime_.insert(i);
  }
  if (runtime_.empty() && reached_.count(final_stage)) runtime_.insert(final_stage);
}

std::vector<int> RuleContext::Chain(int stage) const {
  std::vector<int> chain{stage};
  while (df_.stages[chain.back()].base_stage && chain.size() <= df_.stages.size()) {
    chain.push_back(*df_.stages[chain.back()].base_stage);
  }
  return chain;
}

std::string RuleContext::StageLabel(int stage) const {
  const DockerStage& s = df_.stages[stage];
  return s.name.empty() ? "stage " + std::to_string(stage) : "stage \"" + s.name + "\"";
}

int RuleContext::EndLine(const Instruction& ins) const {
  auto next = std::upper_bound(starts_.begin(), starts_.end(), ins.line);
  return next == starts_.end() ? static_cast<int>(lines_.size()) : *next - 1;
}

Position RuleContext::Locate(const Instruction& ins, const std::string& word,
                             int occurrence) const {
  if (word.empty()) return {ins.line, ins.column};
  int last = std::min(EndLine(ins), static_cast<int>(lines_.size()));
  for (int line = ins.line; line <= last; ++line) {
    const std::string& text = lines_[line - 1];
    if (line != ins.line && IsComment(text)) continue;
    size_t from = line == ins.line ? static_cast<size_t>(ins.column - 1) : 0;
    for (size_t at = text.find(word, from); at != std::string::npos; at = text.find(word, at + 1)) {
      bool left = at == 0 || IsBoundary(text[at - 1]);
      size_t end = at + word.size();
      bool right = end >= text.size() || IsBoundary(text[end]) ||
                   (text[end] == '\\' && end + 1 >= text.size());
      if (!left || !right) continue;
      if (occurrence-- == 0) return {line, static_cast<int>(at) + 1};
    }
  }
  return {ins.line, ins.column};
}

bool RuleContext::Silenced(int line_before, const std::string& code) const {
  // The block of comment lines directly above.
  for (int line = line_before; line >= 1 && line <= static_cast<int>(lines_.size()); --line) {
    const std::string& text = lines_[line - 1];
    if (!IsComment(text)) return false;
    size_t at = text.find("slipway:ignore=");
    if (at == std::string::npos) continue;
    std::string list = text.substr(at + 15);
    size_t end = 0;
    while (end < list.size() && !IsBlank(list[end])) ++end;
    list = list.substr(0, end);
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = std::min(list.find(',', start), list.size());
      if (list.substr(start, comma - start) == code) return true;
      start = comma + 1;
    }
  }
  return false;
}

void RuleContext::Report(const Instruction& ins, Position pos, const std::string& code,
                         const std::string& message) {
  if (Silenced(ins.line - 1, code) || (pos.line != ins.line && Silenced(pos.line - 1, code)))
    return;
  for (const Diagnostic& d : findings_) {
    if (d.code == code && d.line == pos.line && d.column == pos.column) return;
  }
  const DockerfileRule* rule = FindRule(code);
  Severity severity = rule ? rule->severity : Severity::kWarning;
  findings_.push_back({file_, pos.line, pos.column, code, severity, message});
}

}  // namespace slipway::pipelines::rules
