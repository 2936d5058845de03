// Layer-cache rules: copy-before-install and no-cache-mount.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dockerfile_rules_context.h"

namespace slipway::pipelines::rules {
namespace {

struct Ecosystem {
  const char* name;
  std::vector<const char*> manifests;  // globs on a copied source's file name
  const char* fix;
};

const std::vector<Ecosystem>& Ecosystems() {
  static const std::vector<Ecosystem> kAll = {
      {"python",
       {"requirements*.txt", "constraints*.txt", "pyproject.toml", "poetry.lock", "Pipfile",
        "Pipfile.lock", "setup.py", "setup.cfg", "uv.lock"},
       "COPY requirements*.txt or pyproject.toml (and its lock file) first, run the install, then "
       "COPY the rest"},
      {"node",
       {"package*.json", "yarn.lock", "pnpm-lock.yaml", "npm-shrinkwrap.json"},
       "COPY package*.json and the lock file first, run the install, then COPY the rest"},
      {"go",
       {"go.mod", "go.sum"},
       "COPY go.mod go.sum first, RUN go mod download, then COPY the rest"},
      {"rust",
       {"Cargo.*"},
       "COPY Cargo.toml Cargo.lock first, RUN cargo fetch, then COPY the rest"},
      {"ruby",
       {"Gemfile", "Gemfile.lock", "*.gemspec"},
       "COPY Gemfile Gemfile.lock first, RUN bundle install, then COPY the rest"},
      {"system", {}, "move the package install above the COPY"},
  };
  return kAll;
}

const Ecosystem* FindEcosystem(const std::string& name) {
  for (const Ecosystem& e : Ecosystems()) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

// The ecosystem whose dependencies `c` installs, or "".
std::string InstallEcosystem(const ShellCommand& c) {
  std::string p = c.Program();
  const std::string& a1 = c.Arg(1);
  if ((p == "pip" || GlobMatch("pip3*", p)) && a1 == "install")
    return c.Has("--no-deps") ? "" : "python";
  if (GlobMatch("python*", p) && a1 == "-m" && c.Arg(2) == "pip" && c.Arg(3) == "install") {
    return c.Has("--no-deps") ? "" : "python";
  }
  if ((p == "poetry" || p == "pipenv") && a1 == "install") return "python";
  if (p == "uv" && (a1 == "sync" || (a1 == "pip" && c.Arg(2) == "install"))) return "python";
  if ((p == "npm" || p == "pnpm") && (a1 == "install" || a1 == "i" || a1 == "ci")) return "node";
  if (p == "yarn" && (a1.empty() || a1 == "install" || a1.starts_with("--"))) return "node";
  if (p == "go" && a1 == "mod" && c.Arg(2) == "download") return "go";
  if (p == "cargo" && (a1 == "fetch" || a1 == "build")) return "rust";
  if ((p == "bundle" || p == "bundler") && a1 == "install") return "ruby";
  if ((p == "apt-get" || p == "apt") && c.Subcommand() == "install") return "system";
  if (p == "apk" && c.Subcommand() == "add") return "system";
  return "";
}

// Sources of a COPY/ADD from the build context (none when --from is given).
std::vector<std::string> ContextSources(const Instruction& ins) {
  std::string rest;
  for (const std::string& flag : LeadingFlags(ins.args, &rest)) {
    if (flag.starts_with("--from=")) return {};
  }
  std::vector<std::string> words;
  try {
    if (!rest.empty() && rest[0] == '[') {
      for (const auto& e : nlohmann::json::parse(rest)) words.push_back(e.get<std::string>());
    }
  } catch (const nlohmann::json::exception&) {
    words.clear();
  }
  if (words.empty()) words = SplitWords(rest);
  if (words.size() < 2) return {};
  words.pop_back();
  return words;
}

bool IsWholeContext(const std::string& source) {
  return source == "." || source == "./" || source == "./." || source == "*";
}

std::string BaseName(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The cache directory to mount for a download-heavy command, or nullptr.
const char* CacheTarget(const ShellCommand& c) {
  std::string p = c.Program();
  const std::string& a1 = c.Arg(1);
  if (p == "npm" && (a1 == "install" || a1 == "i" || a1 == "ci")) return "/root/.npm";
  if (p == "yarn" && (a1.empty() || a1 == "install" || a1.starts_with("--")))
    return "/usr/local/share/.cache/yarn";
  if (p == "pnpm" && (a1 == "install" || a1 == "i")) return "/root/.local/share/pnpm/store";
  if (p == "go" && ((a1 == "mod" && c.Arg(2) == "download") || a1 == "build")) return "/go/pkg/mod";
  if (p == "cargo" && (a1 == "fetch" || a1 == "build")) return "/usr/local/cargo/registry";
  if ((p == "bundle" || p == "bundler") && a1 == "install") return "/usr/local/bundle/cache";
  return nullptr;
}

void CheckStageOrder(RuleContext& ctx, int stage) {
  const Dockerfile& df = ctx.dockerfile();
  std::vector<int> chain = ctx.Chain(stage);
  std::vector<std::string> copied;  // ecosystems whose manifests were copied
  const Instruction* whole = nullptr;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const Instruction& ins : df.stages[*it].instructions) {
      if (ins.keyword == "COPY" || ins.keyword == "ADD") {
        for (const std::string& source : ContextSources(ins)) {
          if (IsWholeContext(source)) {
            if (!whole) whole = &ins;
            continue;
          }
          for (const Ecosystem& e : Ecosystems()) {
            for (const char* m : e.manifests) {
              if (GlobMatch(m, BaseName(source))) copied.push_back(e.name);
            }
          }
        }
      } else if (ins.keyword == "RUN" && whole) {
        for (const ShellCommand& c : ReadRun(ins).commands) {
          std::string eco = InstallEcosystem(c);
          if (eco.empty() || std::find(copied.begin(), copied.end(), eco) != copied.end()) continue;
          std::string what = c.Arg(0) + " " + c.Arg(1);
          if (c.Program().starts_with("python")) what = "pip install";
          ctx.Report(
              *whole, {whole->line, whole->column}, "copy-before-install",
              whole->keyword + " of the whole context comes before \"" + what + "\" on line " +
                  std::to_string(ins.line) +
                  ", so any source change re-runs the install; fix: " + FindEcosystem(eco)->fix);
          break;
        }
      }
    }
  }
}

}  // namespace

void CheckCacheOrder(RuleContext& ctx) {
  const Dockerfile& df = ctx.dockerfile();
  for (const DockerStage& s : df.stages) {
    CheckStageOrder(ctx, s.index);
    for (const Instruction& ins : s.instructions) {
      if (ins.keyword != "RUN") continue;
      RunCommand run = ReadRun(ins);
      if (run.HasCacheMount()) continue;
      for (const ShellCommand& c : run.commands) {
        const char* target = CacheTarget(c);
        if (!target) continue;
        ctx.Report(ins, ctx.Locate(ins, c.Arg(0), c.words[0].occurrence), "no-cache-mount",
                   "\"" + c.Arg(0) + " " + c.Arg(1) +
                       "\" downloads everything again whenever this layer "
                       "rebuilds; fix: RUN --mount=type=cache,target=" +
                       target + " " + c.Arg(0) + " " + c.Arg(1) + " ...");
      }
    }
  }
}

}  // namespace slipway::pipelines::rules
