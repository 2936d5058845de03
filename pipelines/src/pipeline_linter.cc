#include "pipelines/pipeline_linter.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "common/secret_box.h"
#include "pipelines/matrix.h"
#include "pipelines/repo_path.h"
#include "pipelines/tag_template.h"

namespace slipway::pipelines {
namespace {

class Linter {
 public:
  Linter(const Pipeline& p, const std::string& file) : p_(p), file_(file) {}

  std::vector<Diagnostic> Run() {
    CheckPath(p_.context, "context");
    CheckPath(p_.dockerfile, "dockerfile");
    CheckImage();
    CheckMatrix();
    std::map<std::string, const StageConfig*> by_key;
    for (const StageConfig& s : p_.stages) by_key.emplace(s.key, &s);
    for (const StageConfig& s : p_.stages) {
      if (s.context) CheckPath(*s.context, "stages." + s.key + ".context");
      if (s.dockerfile) CheckPath(*s.dockerfile, "stages." + s.key + ".dockerfile");
      for (const auto& need : s.needs) {
        if (by_key.count(need.value) == 0) {
          out_.push_back(MakeError(file_, need.pos, "unknown-need",
                                   "stage \"" + s.key + "\" needs \"" + need.value +
                                       "\", which is not a stage of this pipeline"));
        }
      }
      CheckTags(s);
      CheckSecrets(s);
    }
    if (p_.has_stages && p_.stages.empty()) {
      out_.push_back(MakeError(file_, p_.stages_pos, "no-stages", "stages is empty: nothing to build"));
    }
    FindCycles(by_key);
    return std::move(out_);
  }

 private:
  void CheckPath(const Located<std::string>& path, const std::string& what) {
    if (!NormalizeRepoPath(path.value)) {
      out_.push_back(MakeError(file_, path.pos, "path-escapes-repo",
                               what + " \"" + path.value +
                                   "\" must be a relative path inside the repository"));
    }
  }

  void CheckImage() {
    if (!p_.image) return;
    const std::string& ref = p_.image->value;
    // host[:port]/path; the path is lower-case; no tag or digest (tags come from stages).
    size_t slash = ref.find('/');
    std::string path = slash == std::string::npos ? ref : ref.substr(slash + 1);
    bool ok = !ref.empty() && ref.find('@') == std::string::npos && path.find(':') == std::string::npos &&
              !path.empty();
    for (char c : ref) {
      if (std::isspace(static_cast<unsigned char>(c))) ok = false;
    }
    for (char c : path) {
      if (std::isupper(static_cast<unsigned char>(c))) ok = false;
    }
    if (!ok) {
      out_.push_back(MakeError(file_, p_.image->pos, "bad-image",
                               "image \"" + ref +
                                   "\" must be a repository without tag or digest, lower-case "
                                   "(example: 127.0.0.1:5000/shop)"));
    }
  }

  void CheckMatrix() {
    if (p_.has_matrix && p_.matrix.empty()) {
      out_.push_back(MakeError(file_, p_.matrix_pos, "empty-matrix", "matrix has no axes"));
    }
    for (const MatrixAxis& axis : p_.matrix) {
      bool valid = !axis.name.empty() && !std::isdigit(static_cast<unsigned char>(axis.name[0]));
      for (char c : axis.name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') valid = false;
      }
      if (!valid) {
        out_.push_back(MakeError(file_, axis.pos, "bad-matrix-name",
                                 "matrix axis \"" + axis.name + "\" must be a build argument name ([A-Za-z_][A-Za-z0-9_]*)"));
      }
      if (axis.values.empty()) {
        out_.push_back(MakeError(file_, axis.pos, "empty-matrix", "matrix axis \"" + axis.name + "\" has no values"));
      }
    }
    if (CountCombinations(p_.matrix) > kMaxMatrixCombinations) {
      out_.push_back(MakeError(file_, p_.matrix_pos, "matrix-too-large",
                               "matrix gives more than " + std::to_string(kMaxMatrixCombinations) +
                                   " combinations"));
    }
  }

  void CheckTags(const StageConfig& s) {
    std::vector<std::string> axes;
    for (const MatrixAxis& a : p_.matrix) axes.push_back(a.name);
    for (const auto& tag : s.tags) {
      for (const std::string& name : UnknownPlaceholders(tag.value, axes)) {
        out_.push_back(MakeError(file_, tag.pos, "unknown-placeholder",
                                 "tag \"" + tag.value + "\" uses unknown placeholder {" + name +
                                     "}; known: {branch} {sha} {short_sha} {run} {tag} {semver} {major} {minor} "
                                     "{patch} and matrix axes"));
      }
    }
    if (s.push && !p_.image) {
      out_.push_back(MakeError(file_, s.push_pos, "push-without-image",
                               "stage \"" + s.key + "\" pushes but the pipeline sets no image"));
    }
    if (!p_.image && !s.tags.empty()) {
      out_.push_back(MakeWarning(file_, s.tags.front().pos, "tags-without-image",
                                 "stage \"" + s.key + "\" has tags but the pipeline sets no image; they are ignored"));
    }
  }

  // Secret and SSH ids become part of a buildx option ("id=<id>,src=..."); `from` names a secret
  // of the store. Ids are unique within a stage.
  void CheckSecrets(const StageConfig& s) {
    std::set<std::string> ids;
    auto check = [&](const std::string& kind, const std::string& id, const std::string& from,
                     Position pos) {
      if (!ValidSecretId(id)) {
        out_.push_back(
            MakeError(file_, pos, "bad-secret-id",
                      kind + " id \"" + id + "\" of stage \"" + s.key +
                          "\" must be 1 to 64 of A-Z a-z 0-9 _ . - (example: pip_token)"));
      } else if (!ids.insert(kind + "/" + id).second) {
        out_.push_back(
            MakeError(file_, pos, "duplicate-name",
                      kind + " id \"" + id + "\" appears twice in stage \"" + s.key + "\""));
      }
      if (!IsSecretName(from)) {
        out_.push_back(
            MakeError(file_, pos, "bad-secret-name",
                      "\"" + from +
                          "\" is not a secret name: letters, digits and '_', not starting "
                          "with a digit (example: PYPI_TOKEN)"));
      }
    };
    for (const auto& ref : s.secrets) check("secret", ref.value.id, ref.value.from, ref.pos);
    for (const auto& ref : s.ssh) check("ssh", ref.value.id, ref.value.from, ref.pos);
  }

  static bool ValidSecretId(const std::string& id) {
    if (id.empty() || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(),
                       [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                                c == '.' || c == '-';
                       }) &&
           id[0] != '-';
  }

  // Depth-first search; each cycle is reported once, at the need that closes it.
  void FindCycles(const std::map<std::string, const StageConfig*>& by_key) {
    std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
    std::vector<std::string> stack;
    std::function<void(const StageConfig&)> visit = [&](const StageConfig& s) {
      state[s.key] = 1;
      stack.push_back(s.key);
      for (const auto& need : s.needs) {
        auto it = by_key.find(need.value);
        if (it == by_key.end()) continue;
        int st = state[need.value];
        if (st == 1) {
          std::string path;
          bool in = false;
          for (const std::string& k : stack) {
            if (k == need.value) in = true;
            if (in) path += k + " -> ";
          }
          path += need.value;
          out_.push_back(MakeError(file_, need.pos, "cycle", "stages depend on each other: " + path));
        } else if (st == 0) {
          visit(*it->second);
        }
      }
      stack.pop_back();
      state[s.key] = 2;
    };
    for (const StageConfig& s : p_.stages) {
      if (state[s.key] == 0) visit(s);
    }
  }

  const Pipeline& p_;
  const std::string& file_;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> LintPipeline(const Pipeline& pipeline, const std::string& file) {
  return Linter(pipeline, file).Run();
}

}  // namespace slipway::pipelines
