// Dockerfile reading in three passes: physical lines -> logical instructions (directives,
// comments, continuations, heredocs) -> stages and edges.
#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "common/strings.h"
#include "pipelines/dockerfile.h"
#include "pipelines/input_text.h"
#include "pipelines/limits.h"

namespace slipway::pipelines {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    std::string line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = nl + 1;
  }
  return lines;
}

struct HeredocMarker {
  std::string word;
  bool strip_tabs = false;
};

// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` in a RUN/COPY/ADD line (not `<<<`).
std::vector<HeredocMarker> FindHeredocs(const std::string& args) {
  std::vector<HeredocMarker> out;
  size_t i = 0;
  while ((i = args.find("<<", i)) != std::string::npos) {
    size_t j = i + 2;
    if (j < args.size() && args[j] == '<') {
      i = j + 1;
      while (i < args.size() && args[i] == '<') ++i;
      continue;
    }
    HeredocMarker m;
    if (j < args.size() && args[j] == '-') { m.strip_tabs = true; ++j; }
    char quote = 0;
    if (j < args.size() && (args[j] == '"' || args[j] == '\'')) quote = args[j++];
    size_t start = j;
    while (j < args.size() && (std::isalnum(static_cast<unsigned char>(args[j])) || args[j] == '_')) ++j;
    m.word = args.substr(start, j - start);
    if (quote && j < args.size() && args[j] == quote) ++j;
    if (!m.word.empty()) out.push_back(m);
    i = j;
  }
  return out;
}

class Reader {
 public:
  Reader(const std::string& file, const std::map<std::string, std::string>& build_args)
      : file_(file), build_args_(build_args) {}

  DockerfileParse Run(const std::string& text) {
    if (auto refused = CheckInputText(text, file_, "the Dockerfile", kMaxDockerfileBytes)) {
      diags_.push_back(std::move(*refused));
      return {std::move(df_), std::move(diags_)};
    }
    ReadInstructions(SplitLines(text));
    if (!WithinLimits()) return {std::move(df_), std::move(diags_)};
    BuildStages();
    return {std::move(df_), std::move(diags_)};
  }

 private:
  void Error(int line, int column, std::string code, std::string message) {
    diags_.push_back(MakeError(file_, {line, column}, std::move(code), std::move(message)));
  }
  void Warning(int line, int column, std::string code, std::string message) {
    diags_.push_back(MakeWarning(file_, {line, column}, std::move(code), std::move(message)));
  }

  // Instructions and stages within limits.h, so the stage graph's work stays small.
  bool WithinLimits() {
    if (instructions_.size() > kMaxDockerfileInstructions) {
      const Instruction& past = instructions_[kMaxDockerfileInstructions];
      Error(past.line, past.column, "too-many-instructions",
            "the Dockerfile has " + std::to_string(instructions_.size()) + " instructions; the limit is " +
                std::to_string(kMaxDockerfileInstructions));
      return false;
    }
    size_t froms = 0;
    for (const Instruction& ins : instructions_) {
      if (ins.keyword != "FROM" || ++froms <= kMaxDockerfileStages) continue;
      Error(ins.line, ins.column, "too-many-stages",
            "the Dockerfile has more than " + std::to_string(kMaxDockerfileStages) + " stages, the limit");
      return false;
    }
    return true;
  }

  // Parser directives: `# name=value` lines at the very top.
  size_t ReadDirectives(const std::vector<std::string>& lines) {
    size_t i = 0;
    for (; i < lines.size(); ++i) {
      std::string t(TrimAsciiSpace(lines[i]));
      if (t.empty() || t[0] != '#') break;
      std::string body(TrimAsciiSpace(t.substr(1)));
      size_t eq = body.find('=');
      if (eq == std::string::npos) break;
      std::string name = AsciiLower(TrimAsciiSpace(body.substr(0, eq)));
      if (name.empty() || name.find(' ') != std::string::npos) break;
      if (name != "escape" && name != "syntax" && name != "check") break;
      std::string value(TrimAsciiSpace(body.substr(eq + 1)));
      if (name == "escape") {
        if (value == "`" || value == "\\") escape_ = value[0];
        else Error(static_cast<int>(i) + 1, 1, "bad-directive", "escape must be ` or \\, not \"" + value + "\"");
      }
      df_.directives[name] = value;
    }
    return i;
  }

  static bool IsComment(const std::string& line) {
    size_t k = 0;
    while (k < line.size() && IsSpace(line[k])) ++k;
    return k < line.size() && line[k] == '#';
  }

  void ReadInstructions(const std::vector<std::string>& lines) {
    size_t i = ReadDirectives(lines);
    while (i < lines.size()) {
      const std::string& first = lines[i];
      if (TrimAsciiSpace(first).empty() || IsComment(first)) { ++i; continue; }
      Instruction ins;
      ins.line = static_cast<int>(i) + 1;
      size_t lead = 0;
      while (lead < first.size() && IsSpace(first[lead])) ++lead;
      ins.column = static_cast<int>(lead) + 1;
      std::string text = first.substr(lead);
      ++i;
      // Continuations: the escape character, then only whitespace, at the end of the line.
      while (true) {
        std::string trimmed(TrimAsciiSpace(text));  // text starts at the keyword: no leading space
        if (trimmed.empty() || trimmed.back() != escape_) break;
        text = trimmed.substr(0, trimmed.size() - 1);
        while (i < lines.size() && (IsComment(lines[i]) || TrimAsciiSpace(lines[i]).empty())) ++i;
        if (i >= lines.size()) break;
        text += lines[i];
        ++i;
      }
      text = std::string(TrimAsciiSpace(text));
      size_t sp = 0;
      while (sp < text.size() && !IsSpace(text[sp])) ++sp;
      ins.keyword = AsciiUpper(text.substr(0, sp));
      ins.args = std::string(TrimAsciiSpace(text.substr(sp)));
      if (ins.keyword == "RUN" || ins.keyword == "COPY" || ins.keyword == "ADD") {
        for (const HeredocMarker& m : FindHeredocs(ins.args)) {
          std::string body;
          bool closed = false;
          while (i < lines.size()) {
            std::string line = lines[i++];
            if (m.strip_tabs) line.erase(0, line.find_first_not_of('\t') == std::string::npos ? line.size() : line.find_first_not_of('\t'));
            if (line == m.word) { closed = true; break; }
            body += line + "\n";
          }
          if (!closed) {
            Error(ins.line, ins.column, "unterminated-heredoc",
                  "heredoc <<" + m.word + " is not closed by a line \"" + m.word + "\"");
          }
          ins.heredocs.push_back(std::move(body));
        }
      }
      instructions_.push_back(std::move(ins));
    }
  }

  // $V, ${V}, ${V:-default}, ${V:+alt}; `escape$` keeps a literal dollar.
  std::string Expand(const std::string& s, int line, int column) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == escape_ && i + 1 < s.size() && s[i + 1] == '$') { out += '$'; ++i; continue; }
      if (c != '$' || i + 1 >= s.size()) { out += c; continue; }
      std::string name, op, word;
      if (s[i + 1] == '{') {
        size_t close = s.find('}', i + 2);
        if (close == std::string::npos) { out += s.substr(i); break; }
        std::string inner = s.substr(i + 2, close - i - 2);
        size_t colon = inner.find(':');
        name = inner.substr(0, colon);
        if (colon != std::string::npos && colon + 1 < inner.size()) {
          op = inner.substr(colon + 1, 1);
          word = inner.substr(colon + 2);
        }
        i = close;
      } else {
        size_t j = i + 1;
        while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
        if (j == i + 1) { out += c; continue; }
        name = s.substr(i + 1, j - i - 1);
        i = j - 1;
      }
      std::optional<std::string> value = Lookup(name, line, column);
      bool set = value && !value->empty();
      if (op == "-") out += set ? *value : word;
      else if (op == "+") out += set ? word : "";
      else out += value.value_or("");
      if (out.size() > kMaxExpandedArgBytes) {
        Error(line, column, "arg-too-long",
              "this value is longer than " + std::to_string(kMaxExpandedArgBytes) +
                  " bytes once its ARGs are substituted, the limit");
        out.resize(kMaxExpandedArgBytes);
        break;
      }
    }
    return out;
  }

  std::optional<std::string> Lookup(const std::string& name, int line, int column) {
    auto declared = df_.global_args.find(name);
    if (declared == df_.global_args.end()) {
      static const std::set<std::string> kAutomatic = {
          "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
          "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT"};
      if (kAutomatic.count(name) == 0) {
        Warning(line, column, "undefined-arg",
                "$" + name + " is not declared by an ARG before the first FROM; it expands to nothing");
      }
      return std::nullopt;
    }
    if (auto it = build_args_.find(name); it != build_args_.end()) return it->second;
    return declared->second;
  }

  void ReadGlobalArg(const Instruction& ins) {
    for (const std::string& word : SplitWords(ins.args)) {
      size_t eq = word.find('=');
      if (eq == std::string::npos) df_.global_args[word] = std::nullopt;
      else df_.global_args[word.substr(0, eq)] = Expand(word.substr(eq + 1), ins.line, ins.column);
    }
  }

  void StartStage(const Instruction& ins) {
    DockerStage stage;
    stage.index = static_cast<int>(df_.stages.size());
    stage.line = ins.line;
    stage.column = ins.column;
    std::string rest;
    for (const std::string& flag : LeadingFlags(ins.args, &rest)) {
      if (flag.starts_with("--platform=")) stage.platform = flag.substr(11);
    }
    std::vector<std::string> words = SplitWords(rest);
    std::string image;
    if (words.size() == 1) {
      image = words[0];
    } else if (words.size() == 3 && AsciiLower(words[1]) == "as") {
      image = words[0];
      stage.name = AsciiLower(words[2]);
    } else {
      Error(ins.line, ins.column, "bad-from", "FROM takes an image and an optional AS name: \"" + ins.args + "\"");
      if (!words.empty()) image = words[0];
    }
    image = Expand(image, ins.line, ins.column);
    if (image.empty()) {
      Error(ins.line, ins.column, "bad-from", "FROM names no base image");
    }
    if (!stage.name.empty()) {
      for (const DockerStage& earlier : df_.stages) {
        if (earlier.name == stage.name) {
          Error(ins.line, ins.column, "duplicate-name",
                "stage name \"" + stage.name + "\" is already used on line " + std::to_string(earlier.line));
        }
      }
    }
    std::string image_lower = AsciiLower(image);
    for (const DockerStage& earlier : df_.stages) {
      if (!earlier.name.empty() && earlier.name == image_lower) stage.base_stage = earlier.index;
    }
    if (stage.base_stage) AddEdge(*stage.base_stage, stage.index, EdgeKind::kFrom, ins);
    else stage.base_image = image;
    stage.instructions.push_back(ins);
    df_.stages.push_back(std::move(stage));
  }

  void AddEdge(int from, int to, EdgeKind kind, const Instruction& ins) {
    for (const StageEdge& e : df_.edges) {
      if (e.from == from && e.to == to && e.kind == kind) return;
    }
    df_.edges.push_back({from, to, kind, ins.line, ins.column});
  }

  // A --from value: a stage name (any stage) or the index of an earlier stage; else an image.
  void AddReference(const std::string& ref, EdgeKind kind, const Instruction& ins,
                    const std::vector<std::string>& all_names) {
    int current = static_cast<int>(df_.stages.size()) - 1;
    if (!ref.empty() && std::all_of(ref.begin(), ref.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      int index = ref.size() > 6 ? -1 : std::stoi(ref);
      if (index < 0 || index >= current) {
        Error(ins.line, ins.column, "bad-stage-ref",
              "--from=" + ref + " is not the index of an earlier stage");
        return;
      }
      AddEdge(index, current, kind, ins);
      return;
    }
    std::string name = AsciiLower(ref);
    for (size_t k = 0; k < all_names.size(); ++k) {
      if (!name.empty() && all_names[k] == name) {
        if (static_cast<int>(k) == current) {
          Error(ins.line, ins.column, "bad-stage-ref", "stage \"" + name + "\" refers to itself");
        } else {
          AddEdge(static_cast<int>(k), current, kind, ins);
        }
        return;
      }
    }
    std::vector<std::string>& images = df_.stages[current].from_images;
    if (std::find(images.begin(), images.end(), ref) == images.end()) images.push_back(ref);
  }

  void BuildStages() {
    // Stage names first, so --from may name a stage defined further down.
    std::vector<std::string> all_names;
    for (const Instruction& ins : instructions_) {
      if (ins.keyword != "FROM") continue;
      std::string rest;
      LeadingFlags(ins.args, &rest);
      std::vector<std::string> words = SplitWords(rest);
      all_names.push_back(words.size() == 3 && AsciiLower(words[1]) == "as" ? AsciiLower(words[2]) : "");
    }
    for (const Instruction& ins : instructions_) {
      if (ins.keyword == "FROM") {
        StartStage(ins);
        continue;
      }
      if (df_.stages.empty()) {
        df_.global_instructions.push_back(ins);
        if (ins.keyword == "ARG") ReadGlobalArg(ins);
        else Error(ins.line, ins.column, "instruction-before-from",
                   ins.keyword + " comes before the first FROM; only ARG may");
        continue;
      }
      df_.stages.back().instructions.push_back(ins);
      if (ins.keyword == "COPY" || ins.keyword == "ADD") {
        for (const std::string& flag : LeadingFlags(ins.args)) {
          if (flag.starts_with("--from=")) AddReference(flag.substr(7), EdgeKind::kCopyFrom, ins, all_names);
        }
      } else if (ins.keyword == "RUN") {
        for (const std::string& flag : LeadingFlags(ins.args)) {
          if (!flag.starts_with("--mount=")) continue;
          std::string spec = flag.substr(8);
          size_t start = 0;
          while (start <= spec.size()) {
            size_t comma = spec.find(',', start);
            if (comma == std::string::npos) comma = spec.size();
            std::string kv = spec.substr(start, comma - start);
            if (kv.starts_with("from=")) AddReference(kv.substr(5), EdgeKind::kMountFrom, ins, all_names);
            start = comma + 1;
          }
        }
      }
    }
    if (df_.stages.empty()) {
      Error(1, 1, "dockerfile-no-from", "the Dockerfile has no FROM instruction");
    }
    FindCycles();
  }

  void FindCycles() {
    size_t n = df_.stages.size();
    std::vector<int> state(n, 0);
    std::vector<int> stack;
    std::function<void(int)> visit = [&](int v) {
      state[v] = 1;
      stack.push_back(v);
      for (const StageEdge& e : df_.edges) {
        if (e.to != v) continue;
        if (state[e.from] == 1) {
          std::string path;
          bool in = false;
          for (int s : stack) {
            if (s == e.from) in = true;
            if (in) path += StageLabel(s) + " -> ";
          }
          path += StageLabel(e.from);
          Error(e.line, e.column, "cycle", "stages depend on each other: " + path);
        } else if (state[e.from] == 0) {
          visit(e.from);
        }
      }
      stack.pop_back();
      state[v] = 2;
    };
    for (size_t v = 0; v < n; ++v) {
      if (state[v] == 0) visit(static_cast<int>(v));
    }
  }

  std::string StageLabel(int index) const {
    const DockerStage& s = df_.stages[index];
    return s.name.empty() ? std::to_string(index) : s.name;
  }

  std::string file_;
  const std::map<std::string, std::string>& build_args_;
  char escape_ = '\\';
  std::vector<Instruction> instructions_;
  Dockerfile df_;
  std::vector<Diagnostic> diags_;
};

}  // namespace

const DockerStage* Dockerfile::FindStage(const std::string& name) const {
  std::string lower = AsciiLower(name);
  for (const DockerStage& s : stages) {
    if (!s.name.empty() && s.name == lower) return &s;
  }
  return nullptr;
}

std::vector<int> Dockerfile::Dependencies(int index) const {
  std::set<int> deps;
  for (const StageEdge& e : edges) {
    if (e.to == index) deps.insert(e.from);
  }
  return {deps.begin(), deps.end()};
}

std::vector<std::string> Dockerfile::NamedDependencies(int index) const {
  std::set<int> named;
  std::set<int> visited{index};
  std::vector<int> todo = Dependencies(index);
  while (!todo.empty()) {
    int d = todo.back();
    todo.pop_back();
    if (!visited.insert(d).second) continue;
    if (!stages[d].name.empty()) {
      named.insert(d);
    } else {
      for (int dd : Dependencies(d)) todo.push_back(dd);
    }
  }
  std::vector<std::string> out;
  for (int d : named) out.push_back(stages[d].name);
  return out;
}

std::vector<std::string> SplitWords(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (IsSpace(c)) {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

std::vector<std::string> LeadingFlags(const std::string& args, std::string* rest) {
  std::vector<std::string> flags;
  size_t i = 0;
  while (true) {
    while (i < args.size() && IsSpace(args[i])) ++i;
    if (args.compare(i, 2, "--") != 0) break;
    size_t j = i;
    while (j < args.size() && !IsSpace(args[j])) ++j;
    flags.push_back(args.substr(i, j - i));
    i = j;
  }
  if (rest) *rest = args.substr(std::min(i, args.size()));
  return flags;
}

DockerfileParse ParseDockerfile(const std::string& text, const std::string& file,
                                const std::map<std::string, std::string>& build_args) {
  return Reader(file, build_args).Run(text);
}

}  // namespace slipway::pipelines
