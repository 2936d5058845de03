// Walks the YAML tree by hand so every problem gets a position and a stable code, and so a wrong
// value in one place does not stop the rest from being checked. yaml-cpp exceptions stop here.
#include "pipelines/pipeline_parser.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include <yaml-cpp/yaml.h>

#include "common/cron.h"
#include "common/duration.h"
#include "pipelines/input_text.h"
#include "pipelines/limits.h"
#include "pipelines/units.h"

namespace slipway::pipelines {
namespace {

Position PosOf(const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  if (m.is_null() || m.line < 0) return {1, 1};
  return {m.line + 1, m.column + 1};
}

const char* KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    default: return "nothing";
  }
}

bool ValidName(const std::string& s) {
  if (s.empty() || s.size() > 100) return false;
  if (!std::isalnum(static_cast<unsigned char>(s[0])) && s[0] != '_') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

bool ValidArgName(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool ValidDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  int month = std::stoi(s.substr(5, 2));
  int day = std::stoi(s.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Levenshtein distance, for "did you mean" hints on misspelt keys.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string Suggestion(const std::string& key, const std::set<std::string>& allowed) {
  std::string best;
  size_t best_distance = 3;  // at most 2 edits
  for (const std::string& candidate : allowed) {
    size_t d = EditDistance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? "" : "; did you mean \"" + best + "\"?";
}

// Counts the nodes a walk of the tree visits (an alias once per use, so a cycle of aliases too),
// stopping as soon as the budget is spent: the walk costs at most the budget whatever the aliases
// multiply to. An explicit stack of iterators, as the walk may go as deep as the budget.
bool WithinNodeBudget(const YAML::Node& root, size_t budget) {
  struct Frame {
    YAML::Node node;  // keeps the iterators' node alive
    YAML::const_iterator it;
    bool map;
  };
  std::vector<Frame> stack;
  auto visit = [&](const YAML::Node& node) {
    if (budget == 0) return false;
    --budget;
    if (node.IsSequence() || node.IsMap()) {
      stack.push_back({node, {}, node.IsMap()});
      stack.back().it = stack.back().node.begin();
    }
    return true;
  };
  if (!visit(root)) return false;
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.it == top.node.end()) {
      stack.pop_back();
      continue;
    }
    const bool map = top.map;
    YAML::Node first = map ? YAML::Node(top.it->first) : YAML::Node(*top.it);
    YAML::Node second = map ? YAML::Node(top.it->second) : YAML::Node();
    ++top.it;  // before visit: pushing may move the frame
    if (!visit(first) || (map && !visit(second))) return false;
  }
  return true;
}

class Parser {
 public:
  explicit Parser(const std::string& file) : file_(file) {}

  PipelineParse Run(const std::string& text) {
    if (auto refused = CheckInputText(text, file_, "the pipeline file", kMaxPipelineBytes)) {
      diagnostics_.push_back(std::move(*refused));
      return Finish();
    }
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      Position pos{1, 1};
      if (!e.mark.is_null() && e.mark.line >= 0) pos = {e.mark.line + 1, e.mark.column + 1};
      Error(pos, "yaml-syntax", e.msg.empty() ? std::string("invalid YAML") : e.msg);
      return Finish();
    }
    if (!WithinNodeBudget(root, kMaxYamlNodes)) {
      Error({1, 1}, "yaml-too-large",
            "the pipeline file holds more than " + std::to_string(kMaxYamlNodes) +
                " YAML nodes once its aliases are expanded, the limit");
      return Finish();
    }
    try {
      ParseRoot(root);
    } catch (const YAML::Exception& e) {  // not expected: every access is type-checked first
      Error({1, 1}, "yaml-syntax", std::string("could not read the YAML: ") + e.what());
    }
    return Finish();
  }

 private:
  PipelineParse Finish() { return {std::move(pipeline_), std::move(diagnostics_)}; }

  void Error(Position pos, std::string code, std::string message) {
    diagnostics_.push_back(MakeError(file_, pos, std::move(code), std::move(message)));
  }

  void WrongType(const YAML::Node& node, const std::string& what, const char* expected) {
    Error(PosOf(node), "wrong-type",
          what + " must be " + expected + ", not " + KindName(node));
  }

  // Calls handle(key, key_node, value) for each entry of a mapping whose key is in `allowed`;
  // reports unknown and duplicate keys.
  void ForEachKey(const YAML::Node& map, const std::string& where, const std::set<std::string>& allowed,
                  const std::function<void(const std::string&, const YAML::Node&, const YAML::Node&)>& handle) {
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;  // a copy: `it->` returns a temporary proxy
      if (!key.IsScalar()) {
        WrongType(key, "a key in " + where, "a string");
        continue;
      }
      const std::string name = key.Scalar();
      if (!allowed.empty() && allowed.count(name) == 0) {
        Error(PosOf(key), "unknown-key", "unknown key \"" + name + "\" in " + where + Suggestion(name, allowed));
        continue;
      }
      if (!seen.insert(name).second) {
        Error(PosOf(key), "duplicate-name", "key \"" + name + "\" appears twice in " + where);
        continue;
      }
      handle(name, key, it->second);
    }
  }

  bool GetString(const YAML::Node& node, const std::string& what, Located<std::string>* out) {
    if (!node.IsScalar()) {
      WrongType(node, what, "a string");
      return false;
    }
    *out = {node.Scalar(), PosOf(node)};
    return true;
  }

  // A list of strings; a single string is accepted as a list of one.
  std::vector<Located<std::string>> GetStringList(const YAML::Node& node, const std::string& what) {
    std::vector<Located<std::string>> out;
    if (node.IsScalar()) {
      out.push_back({node.Scalar(), PosOf(node)});
    } else if (node.IsSequence()) {
      for (const YAML::Node& item : node) {
        if (item.IsScalar()) {
          out.push_back({item.Scalar(), PosOf(item)});
        } else {
          WrongType(item, "each entry of " + what, "a string");
        }
      }
    } else if (!node.IsNull()) {
      WrongType(node, what, "a list of strings");
    }
    return out;
  }

  std::vector<std::string> Values(const std::vector<Located<std::string>>& list) {
    std::vector<std::string> out;
    for (const auto& l : list) out.push_back(l.value);
    return out;
  }

  bool GetBool(const YAML::Node& node, const std::string& what, bool* out) {
    if (!node.IsScalar()) {
      WrongType(node, what, "true or false");
      return false;
    }
    try {
      *out = node.as<bool>();
      return true;
    } catch (const YAML::Exception&) {
      Error(PosOf(node), "wrong-type", what + " must be true or false, not \"" + node.Scalar() + "\"");
      return false;
    }
  }

  // A mapping of strings to scalars, in file order.
  std::vector<std::pair<std::string, std::string>> GetStringMap(const YAML::Node& node,
                                                                const std::string& what,
                                                                bool arg_names) {
    std::vector<std::pair<std::string, std::string>> out;
    if (node.IsNull()) return out;
    if (!node.IsMap()) {
      WrongType(node, what, "a mapping");
      return out;
    }
    ForEachKey(node, what, {}, [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
      if (arg_names && !ValidArgName(key)) {
        Error(PosOf(key_node), "bad-name", "\"" + key + "\" is not a valid build argument name");
        return;
      }
      if (v.IsNull()) {
        out.emplace_back(key, "");
      } else if (v.IsScalar()) {
        out.emplace_back(key, v.Scalar());
      } else {
        WrongType(v, what + "." + key, "a string");
      }
    });
    return out;
  }

  void ParseRoot(const YAML::Node& root) {
    if (root.IsNull()) return;  // an empty file: every default
    if (!root.IsMap()) {
      WrongType(root, "the pipeline", "a mapping");
      return;
    }
    Pipeline& p = pipeline_;
    ForEachKey(root, "the pipeline",
               {"version", "image", "dockerfile", "context", "on", "stages", "matrix", "lint"},
               [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
                 if (key == "version") {
                   if (!v.IsScalar() || v.Scalar() != "1") {
                     Error(PosOf(v), "bad-version", "version must be 1");
                   }
                 } else if (key == "image") {
                   Located<std::string> image;
                   if (GetString(v, "image", &image)) p.image = image;
                 } else if (key == "dockerfile") {
                   if (GetString(v, "dockerfile", &p.dockerfile)) p.dockerfile_set = true;
                 } else if (key == "context") {
                   (void)GetString(v, "context", &p.context);
                 } else if (key == "on") {
                   ParseOn(v);
                 } else if (key == "stages") {
                   p.has_stages = true;
                   p.stages_pos = PosOf(key_node);
                   ParseStages(v);
                 } else if (key == "matrix") {
                   p.has_matrix = true;
                   p.matrix_pos = PosOf(key_node);
                   ParseMatrix(v);
                 } else if (key == "lint") {
                   ParseLint(v);
                 }
               });
  }

  void ParseOn(const YAML::Node& node) {
    if (node.IsNull()) return;
    if (!node.IsMap()) return WrongType(node, "on", "a mapping");
    ForEachKey(node, "on", {"push", "tag", "schedule"},
               [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
                 if (key == "push") {
                   if (v.IsNull()) return;
                   if (!v.IsMap()) return WrongType(v, "on.push", "a mapping");
                   ForEachKey(v, "on.push", {"branches", "paths"},
                              [&](const std::string& k, const YAML::Node&, const YAML::Node& list) {
                                (k == "branches" ? pipeline_.branches : pipeline_.paths) = GetPatterns(list, "on.push." + k);
                              });
                 } else if (key == "tag") {
                   pipeline_.tag_patterns = GetPatterns(v, "on.tag");
                 } else if (v.IsSequence()) {
                   for (const auto& entry : v) ParseScheduleEntry(entry);
                 } else if (!v.IsNull()) {
                   WrongType(v, "on.schedule", "a list");
                 }
               });
  }

  // Globs as in on.push: a list of non-empty strings.
  std::vector<Located<std::string>> GetPatterns(const YAML::Node& list, const std::string& what) {
    auto values = GetStringList(list, what);
    for (const auto& value : values) {
      if (value.value.empty() || value.value == "!") Error(value.pos, "bad-value", "empty pattern in " + what);
    }
    return values;
  }

  // "0 3 * * *" (a base check) or {cron: "0 3 * * *", build: true}.
  void ParseScheduleEntry(const YAML::Node& entry) {
    ScheduleEntry out;
    Located<std::string> cron;
    if (entry.IsMap()) {
      ForEachKey(entry, "an on.schedule entry", {"cron", "build"},
                 [&](const std::string& k, const YAML::Node&, const YAML::Node& v) {
                   if (k == "cron") (void)GetString(v, "on.schedule.cron", &cron);
                   else (void)GetBool(v, "on.schedule.build", &out.build);
                 });
      if (cron.value.empty()) return Error(PosOf(entry), "bad-cron", "an on.schedule entry needs a cron time");
    } else if (!GetString(entry, "an on.schedule entry", &cron)) {
      return;
    }
    auto parsed = CronSchedule::Parse(cron.value);
    if (!parsed.ok()) {
      Error(cron.pos, "bad-cron", "on.schedule \"" + cron.value + "\": " + parsed.status().message());
    }
    out.cron = cron.value;
    pipeline_.schedule.push_back(std::move(out));
  }

  // when: {branch: [...], event: [...]}
  void ParseCondition(const YAML::Node& node, const std::string& what, RunCondition* out) {
    out->set = true;
    out->pos = PosOf(node);
    if (!node.IsMap()) return WrongType(node, what, "a mapping with branch and event lists");
    ForEachKey(node, what, {"branch", "event"},
               [&](const std::string& k, const YAML::Node&, const YAML::Node& v) {
                 if (k == "branch") {
                   out->branches = Values(GetPatterns(v, what + ".branch"));
                   return;
                 }
                 for (const auto& event : GetStringList(v, what + ".event")) {
                   static const std::set<std::string> kEvents = {"push",   "pull_request", "tag",
                                                                 "manual", "schedule",     "base-update"};
                   if (kEvents.count(event.value) == 0) {
                     Error(event.pos, "bad-value",
                           what + ".event \"" + event.value +
                               "\" is not one of push, pull_request, tag, manual, schedule, base-update");
                   }
                   out->events.push_back(event.value);
                 }
               });
  }

  // push: true | false | {when: {...}} (pushes when the condition holds).
  void ParsePush(const YAML::Node& v, const std::string& what, StageConfig* stage) {
    stage->push_pos = PosOf(v);
    if (!v.IsMap()) {
      (void)GetBool(v, what, &stage->push);
      return;
    }
    stage->push = true;
    ForEachKey(v, what, {"when"}, [&](const std::string&, const YAML::Node&, const YAML::Node& cond) {
      ParseCondition(cond, what + ".when", &stage->push_when);
    });
  }

  void ParseLint(const YAML::Node& node) {
    if (node.IsNull()) return;
    if (!node.IsMap()) return WrongType(node, "lint", "a mapping");
    ForEachKey(node, "lint", {"ignore", "fail_on"},
               [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
                 if (key == "ignore") {
                   pipeline_.lint_ignore = Values(GetStringList(v, "lint.ignore"));
                   return;
                 }
                 Located<std::string> level;
                 if (!GetString(v, "lint.fail_on", &level)) return;
                 if (level.value != "error" && level.value != "warning" && level.value != "never") {
                   Error(level.pos, "bad-value",
                         "lint.fail_on must be error, warning or never, not \"" + level.value + "\"");
                   return;
                 }
                 pipeline_.lint_fail_on = level.value;
               });
  }

  void ParseMatrix(const YAML::Node& node) {
    if (node.IsNull()) return;
    if (!node.IsMap()) return WrongType(node, "matrix", "a mapping of names to lists of values");
    ForEachKey(node, "matrix", {}, [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
      MatrixAxis axis{key, PosOf(key_node), {}};
      if (!v.IsSequence() && !v.IsNull()) {
        return WrongType(v, "matrix." + key, "a list of values");
      }
      std::set<std::string> seen;
      for (const auto& value : GetStringList(v, "matrix." + key)) {
        if (!seen.insert(value.value).second) {
          Error(value.pos, "duplicate-name", "value \"" + value.value + "\" appears twice in matrix." + key);
          continue;
        }
        axis.values.push_back(value.value);
      }
      pipeline_.matrix.push_back(std::move(axis));
    });
  }

  void ParseStages(const YAML::Node& node) {
    if (node.IsNull()) return;
    if (!node.IsMap()) return WrongType(node, "stages", "a mapping of stage names to settings");
    if (node.size() > kMaxStages) {
      return Error(PosOf(node), "too-many-stages",
                   "stages lists " + std::to_string(node.size()) + " stages; the limit is " +
                       std::to_string(kMaxStages));
    }
    ForEachKey(node, "stages", {}, [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
      StageConfig stage;
      stage.key = key;
      stage.pos = PosOf(key_node);
      if (!ValidName(key)) {
        Error(stage.pos, "bad-name",
              "stage name \"" + key + "\" must match [A-Za-z0-9_][A-Za-z0-9_.-]*");
      }
      if (!v.IsNull() && !v.IsMap()) {
        WrongType(v, "stage \"" + key + "\"", "a mapping");
      } else if (v.IsMap()) {
        ParseStage(v, &stage);
      }
      pipeline_.stages.push_back(std::move(stage));
    });
  }

  void ParseStage(const YAML::Node& node, StageConfig* stage) {
    const std::string where = "stage \"" + stage->key + "\"";
    const std::string prefix = "stages." + stage->key + ".";
    ForEachKey(node, where,
               {"target", "needs", "push", "pull", "tags", "build_args", "platforms", "dockerfile",
                "context", "labels", "runs_on", "budget", "scan", "timeout", "secrets", "ssh", "when"},
               [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
                 if (key == "target") {
                   Located<std::string> t;
                   if (GetString(v, prefix + key, &t)) stage->target = t;
                 } else if (key == "needs") {
                   stage->needs = GetStringList(v, prefix + key);
                 } else if (key == "push") {
                   ParsePush(v, prefix + key, stage);
                 } else if (key == "when") {
                   ParseCondition(v, prefix + key, &stage->when);
                 } else if (key == "pull") {
                   (void)GetBool(v, prefix + key, &stage->pull);
                 } else if (key == "tags") {
                   stage->tags = GetStringList(v, prefix + key);
                 } else if (key == "build_args") {
                   stage->build_args = GetStringMap(v, prefix + key, true);
                 } else if (key == "platforms") {
                   stage->platforms = Values(GetStringList(v, prefix + key));
                 } else if (key == "dockerfile") {
                   Located<std::string> d;
                   if (GetString(v, prefix + key, &d)) stage->dockerfile = d;
                 } else if (key == "context") {
                   Located<std::string> c;
                   if (GetString(v, prefix + key, &c)) stage->context = c;
                 } else if (key == "labels") {
                   for (auto& [k, value] : GetStringMap(v, prefix + key, false))
                     stage->labels[k] = value;
                 } else if (key == "runs_on") {
                   ParseRunsOn(v, prefix + key, stage);
                 } else if (key == "budget") {
                   ParseBudget(v, prefix + key, &stage->budget);
                 } else if (key == "scan") {
                   ParseScan(v, prefix + key, &stage->scan);
                 } else if (key == "timeout") {
                   ParseTimeout(v, prefix + key, stage);
                 } else if (key == "secrets") {
                   ParseSecrets(v, prefix + key, stage);
                 } else if (key == "ssh") {
                   ParseSsh(v, prefix + key, stage);
                 }
                 (void)key_node;
               });
  }

  void ParseTimeout(const YAML::Node& v, const std::string& what, StageConfig* stage) {
    Located<std::string> text;
    if (!GetString(v, what, &text)) return;
    auto seconds = ParseDurationSeconds(text.value);
    if (!seconds) {
      return Error(text.pos, "bad-duration",
                   "\"" + text.value + "\" is not a duration (examples: 90s, 10m, 1h30m; at most " +
                       FormatDuration(kMaxDurationSeconds) + ")");
    }
    stage->timeout_seconds = *seconds;
  }

  // secrets: a list of {id, from, env}; id and from are required, env defaults to false. Each is
  // located at its `from`, which plan-time errors about the secret point at.
  void ParseSecrets(const YAML::Node& v, const std::string& what, StageConfig* stage) {
    if (v.IsNull()) return;
    if (!v.IsSequence()) return WrongType(v, what, "a list of {id, from}");
    for (const YAML::Node& entry : v) {
      if (!entry.IsMap()) {
        WrongType(entry, "each entry of " + what,
                  "a mapping {id, from} (example: {id: pip_token, from: PYPI_TOKEN})");
        continue;
      }
      Located<BuildSecretRef> ref{{}, PosOf(entry)};
      Located<std::string> id, from;
      ForEachKey(entry, what, {"id", "from", "env"},
                 [&](const std::string& k, const YAML::Node&, const YAML::Node& value) {
                   if (k == "env") return (void)GetBool(value, what + ".env", &ref.value.env);
                   (void)GetString(value, what + "." + k, k == "id" ? &id : &from);
                 });
      if (id.value.empty() || from.value.empty()) {
        Error(PosOf(entry), "missing-key",
              "an entry of " + what + " needs an id and a from (the secret's name)");
        continue;
      }
      ref.value.id = id.value;
      ref.value.from = from.value;
      ref.pos = from.pos;
      stage->secrets.push_back(std::move(ref));
    }
  }

  // ssh: a list of ids ("default"), each served from the secret SSH_KEY, or of {id, from}.
  void ParseSsh(const YAML::Node& v, const std::string& what, StageConfig* stage) {
    if (v.IsNull()) return;
    if (!v.IsSequence()) return WrongType(v, what, "a list of key ids (example: [default])");
    for (const YAML::Node& entry : v) {
      if (entry.IsScalar()) {
        stage->ssh.push_back({{entry.Scalar(), kDefaultSshKeySecret}, PosOf(entry)});
        continue;
      }
      if (!entry.IsMap()) {
        WrongType(entry, "each entry of " + what, "a key id or a mapping {id, from}");
        continue;
      }
      Located<std::string> id, from{kDefaultSshKeySecret, PosOf(entry)};
      ForEachKey(entry, what, {"id", "from"},
                 [&](const std::string& k, const YAML::Node&, const YAML::Node& value) {
                   (void)GetString(value, what + "." + k, k == "id" ? &id : &from);
                 });
      if (id.value.empty()) {
        Error(PosOf(entry), "missing-key",
              "an entry of " + what + " needs an id (example: {id: default, from: SSH_KEY})");
        continue;
      }
      stage->ssh.push_back({{id.value, from.value}, from.pos});
    }
  }

  // runs_on: a mapping like labels, or a list of "name" / "name=value" ("name" means name=true).
  void ParseRunsOn(const YAML::Node& v, const std::string& what, StageConfig* stage) {
    if (v.IsMap()) {
      for (auto& [k, value] : GetStringMap(v, what, false)) stage->labels[k] = value;
      return;
    }
    for (const auto& item : GetStringList(v, what)) {
      size_t eq = item.value.find('=');
      if (eq == std::string::npos) stage->labels[item.value] = "true";
      else stage->labels[item.value.substr(0, eq)] = item.value.substr(eq + 1);
    }
  }

  void ParseBudget(const YAML::Node& node, const std::string& what, Budget* budget) {
    if (node.IsNull()) return;
    if (!node.IsMap()) return WrongType(node, what, "a mapping");
    ForEachKey(node, what, {"max_size", "max_growth", "min_efficiency", "max_ratio_of"},
               [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
                 if (key == "max_ratio_of") return ParseRatio(v, what + "." + key, budget);
                 Located<std::string> text;
                 if (!GetString(v, what + "." + key, &text)) return;
                 if (key == "max_size") {
                   auto size = ParseSize(text.value);
                   if (!size) {
                     Error(text.pos, "bad-size",
                           "\"" + text.value + "\" is not a size (examples: 150MB, 1.5GiB, 200k, 1048576)");
                   } else {
                     budget->max_size_bytes = *size;
                   }
                 } else if (key == "max_growth") {
                   auto pct = ParsePercent(text.value);
                   if (!pct) {
                     Error(text.pos, "bad-percent", "\"" + text.value + "\" is not a percentage (example: 10%)");
                   } else {
                     budget->max_growth_percent = *pct;
                   }
                 } else {
                   auto pct = ParsePercent(text.value);
                   bool has_percent = text.value.find('%') != std::string::npos;
                   double fraction = pct ? (has_percent ? *pct / 100.0 : *pct) : -1;
                   if (!pct || fraction > 1.0) {
                     Error(text.pos, "bad-percent",
                           "\"" + text.value + "\" is not an efficiency between 0 and 1 (or 0% and 100%)");
                   } else {
                     budget->min_efficiency = fraction;
                   }
                 }
               });
  }

  // max_ratio_of: {stage: build, ratio: 30%}: the image at most that share of the stage's image.
  void ParseRatio(const YAML::Node& node, const std::string& what, Budget* budget) {
    if (!node.IsMap()) return WrongType(node, what, "a mapping {stage, ratio}");
    Located<std::string> stage, ratio;
    ForEachKey(node, what, {"stage", "ratio"}, [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
      (void)GetString(v, what + "." + key, key == "stage" ? &stage : &ratio);
    });
    if (stage.value.empty() || ratio.value.empty()) {
      return Error(PosOf(node), "bad-value", what + " needs both stage and ratio (example: {stage: build, ratio: 30%})");
    }
    auto pct = ParsePercent(ratio.value);
    if (!pct || ratio.value.find('%') == std::string::npos || *pct <= 0) {
      return Error(ratio.pos, "bad-percent", "\"" + ratio.value + "\" is not a positive percentage (example: 30%)");
    }
    budget->ratio_of_stage = stage.value;
    budget->max_ratio_percent = *pct;
  }

  void ParseScan(const YAML::Node& node, const std::string& what, ScanPolicy* scan) {
    if (node.IsNull()) return;
    if (!node.IsMap()) return WrongType(node, what, "a mapping");
    ForEachKey(node, what, {"fail_on", "ignore"}, [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
      if (key == "fail_on") {
        Located<std::string> level;
        if (!GetString(v, what + ".fail_on", &level)) return;
        static const std::set<std::string> kLevels = {"none", "low", "medium", "high", "critical"};
        if (kLevels.count(level.value) == 0) {
          Error(level.pos, "bad-value",
                "fail_on must be one of none, low, medium, high, critical; not \"" + level.value + "\"");
          return;
        }
        scan->fail_on = level.value == "none" ? "" : level.value;
        return;
      }
      if (v.IsNull()) return;
      if (!v.IsSequence()) return WrongType(v, what + ".ignore", "a list");
      for (const YAML::Node& entry : v) {
        ScanIgnore ignore;
        if (entry.IsScalar()) {  // shorthand: just the id
          ignore.id = entry.Scalar();
          scan->ignore.push_back(ignore);
          continue;
        }
        if (!entry.IsMap()) {
          WrongType(entry, "each entry of " + what + ".ignore", "a mapping {id, until, reason}");
          continue;
        }
        ForEachKey(entry, what + ".ignore", {"id", "until", "reason"},
                   [&](const std::string& k, const YAML::Node&, const YAML::Node& value) {
                     Located<std::string> text;
                     if (!GetString(value, what + ".ignore." + k, &text)) return;
                     if (k == "id") ignore.id = text.value;
                     else if (k == "reason") ignore.reason = text.value;
                     else if (!ValidDate(text.value)) {
                       Error(text.pos, "bad-date", "until must be a date YYYY-MM-DD, not \"" + text.value + "\"");
                     } else {
                       ignore.until = text.value;
                     }
                   });
        if (ignore.id.empty()) {
          Error(PosOf(entry), "missing-key", "an entry of " + what + ".ignore needs an id");
          continue;
        }
        scan->ignore.push_back(std::move(ignore));
      }
    });
  }

  std::string file_;
  Pipeline pipeline_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

PipelineParse ParsePipeline(const std::string& text, const std::string& file) {
  return Parser(file).Run(text);
}

}  // namespace slipway::pipelines
