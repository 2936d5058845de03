#include "core/publish_policy.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "pipelines/filters.h"

namespace slipway::core {
namespace {

using pipelines::Diagnostic;
using pipelines::Position;

bool AllOf(const std::string& s, bool (*ok)(char)) { return std::all_of(s.begin(), s.end(), ok); }

bool PrefixChar(char c) {
  return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
         c == '.' || c == '-' || c == '_' || c == '/' || c == ':' || c == '[' || c == ']';
}
bool TagPatternChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '*' || c == '?';
}
bool PrintableChar(char c) {
  return std::isgraph(static_cast<unsigned char>(c)) != 0;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string TagOf(const std::string& ref) {
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "latest";
  return ref.substr(colon + 1);
}

// Where a complaint about a stage's field points: the field when the pipeline names it, else the
// stage, else the top of the file.
struct Positions {
  const pipelines::Pipeline* pipeline;
  const pipelines::StageConfig* Stage(const std::string& key) const {
    if (!pipeline) return nullptr;
    for (const auto& s : pipeline->stages) {
      if (s.key == key) return &s;
    }
    return nullptr;
  }
  Position OfStage(const std::string& key) const {
    const auto* s = Stage(key);
    return s ? s->pos : Position{};
  }
  Position OfImage(const std::string& key) const {
    if (pipeline && pipeline->image) return pipeline->image->pos;
    return OfStage(key);
  }
  Position OfTags(const std::string& key) const {
    const auto* s = Stage(key);
    if (s && !s->tags.empty()) return s->tags.front().pos;
    return OfStage(key);
  }
};

}  // namespace

std::string ImageRepository(const std::string& ref) {
  std::string repo = ref.substr(0, ref.find('@'));
  size_t slash = repo.rfind('/');
  size_t colon = repo.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) repo.resize(colon);
  return repo;
}

bool UnderPrefix(const std::string& image, const std::string& prefix) {
  std::string p = prefix;
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (p.empty()) return false;
  return image == p || (image.size() > p.size() && image.compare(0, p.size(), p) == 0 && image[p.size()] == '/');
}

Status ValidatePublishPolicy(const store::PublishPolicy& policy) {
  for (const auto& p : policy.image_prefixes) {
    if (p.empty() || p.size() > 255 || !AllOf(p, PrefixChar) || p.find('/') == std::string::npos ||
        p.front() == '/') {
      return Status::InvalidArgument("image prefix \"" + p +
                                     "\" must be a lower-case registry path, host[:port]/path");
    }
  }
  for (const auto& t : policy.protected_tags) {
    if (t.empty() || t.size() > 128 || !AllOf(t, TagPatternChar)) {
      return Status::InvalidArgument("protected tag \"" + t + "\" may hold only tag characters and *");
    }
  }
  for (const auto& b : policy.protected_branches) {
    if (b.empty() || b.size() > 255 || !AllOf(b, PrintableChar)) {
      return Status::InvalidArgument("protected branch \"" + b + "\" must be a branch name");
    }
  }
  for (const auto& l : policy.agent_labels) {
    size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == l.size() || l.size() > 255 || !AllOf(l, PrintableChar)) {
      return Status::InvalidArgument("agent label \"" + l + "\" must be key=value or key=*");
    }
  }
  return Status::Ok();
}

bool IsProtectedBranch(const store::Repo& repo, const std::string& branch) {
  const auto& named = repo.policy.protected_branches;
  return branch == repo.default_branch ||
         std::find(named.begin(), named.end(), branch) != named.end();
}

std::vector<Diagnostic> CheckPublishPolicy(const store::Repo& repo, const std::vector<store::Repo>& all_repos,
                                           const std::string& branch,
                                           const std::vector<pipelines::JobSpec>& jobs,
                                           const pipelines::Pipeline* pipeline, const std::string& file) {
  const store::PublishPolicy& policy = repo.policy;
  const Positions at{pipeline};
  const bool protected_branch = IsProtectedBranch(repo, branch);
  std::vector<Diagnostic> out;
  std::set<std::string> seen;  // one diagnostic per message (matrix jobs repeat their stage's)
  auto add = [&](Position pos, const char* code, std::string message) {
    if (seen.insert(std::string(code) + message).second) out.push_back(pipelines::MakeError(file, pos, code, message));
  };

  auto image_problem = [&](const std::string& image) -> std::string {
    if (!policy.image_prefixes.empty()) {
      for (const auto& p : policy.image_prefixes) {
        if (UnderPrefix(image, p)) return "";
      }
      return "outside the image prefixes of repository " + repo.name + " (" + Join(policy.image_prefixes) + ")";
    }
    for (const auto& other : all_repos) {
      if (other.id == repo.id) continue;
      for (const auto& p : other.policy.image_prefixes) {
        if (UnderPrefix(image, p)) return "under " + p + ", an image prefix of repository " + other.name;
      }
    }
    return "";
  };

  for (const auto& job : jobs) {
    std::vector<std::string> images;
    if (!job.image.empty()) images.push_back(job.image);
    if (!job.cache_ref.empty()) images.push_back(ImageRepository(job.cache_ref));
    for (const auto& tag : job.tags) images.push_back(ImageRepository(tag));
    for (const auto& image : images) {
      if (std::string why = image_problem(image); !why.empty()) {
        add(at.OfImage(job.stage), "image-prefix", "stage \"" + job.stage + "\" names image " + image + ", " + why);
      }
    }
    if (!protected_branch) {
      for (const auto& ref : job.tags) {
        std::string tag = TagOf(ref);
        for (const auto& pattern : policy.protected_tags) {
          if (!pipelines::GlobMatch(pattern, tag)) continue;
          add(at.OfTags(job.stage), "protected-tag",
              "stage \"" + job.stage + "\" tags " + ref + ", but tags matching \"" + pattern +
                  "\" may be moved only from branch " + repo.default_branch +
                  (policy.protected_branches.empty() ? "" : " or " + Join(policy.protected_branches)) +
                  ", not " + branch);
          break;
        }
      }
    }
    if (!policy.agent_labels.empty()) {
      for (const auto& [key, value] : job.labels) {
        const std::string exact = key + "=" + value, any = key + "=*";
        bool allowed = std::any_of(policy.agent_labels.begin(), policy.agent_labels.end(),
                                   [&](const std::string& l) { return l == exact || l == any; });
        if (!allowed) {
          add(at.OfStage(job.stage), "agent-label",
              "stage \"" + job.stage + "\" asks for agent label " + exact + ", not among those repository " +
                  repo.name + " may use (" + Join(policy.agent_labels) + ")");
        }
      }
    }
  }
  return out;
}

}  // namespace slipway::core
