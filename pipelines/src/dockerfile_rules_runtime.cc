// What ships: full-runtime-base, build-tools-in-runtime, runtime-as-root.
#include <algorithm>
#include <string>
#include <vector>

#include "dockerfile_rules_context.h"

namespace slipway::pipelines::rules {
namespace {

// python:3.12 -> python:3.12-slim, python:3.12-bookworm -> python:3.12-slim-bookworm.
std::string SlimVariant(const ImageName& ref) {
  std::string tag = ref.tag;
  if (tag.empty() || tag == "latest") return ref.repository + ":slim";
  for (const char* suite : {"-bookworm", "-bullseye", "-buster", "-trixie"}) {
    size_t at = tag.rfind(suite);
    if (at != std::string::npos && at + std::string(suite).size() == tag.size()) {
      return ref.repository + ":" + tag.substr(0, at) + "-slim" + tag.substr(at);
    }
  }
  return ref.repository + ":" + tag + "-slim";
}

void CheckBase(RuleContext& ctx, int runtime) {
  const Dockerfile& df = ctx.dockerfile();
  int root = ctx.Chain(runtime).back();
  const DockerStage& base = df.stages[root];
  if (base.base_image.empty()) return;
  ImageName ref = ParseImageName(base.base_image);
  const Instruction& from = base.instructions[0];
  Position at = ctx.Locate(from, FromImageWord(from));
  std::string who = ctx.StageLabel(runtime);
  const std::string& r = ref.repository;
  if (r == "python" || r == "node" || r == "ruby") {
    if (ref.tag.find("slim") != std::string::npos || ref.tag.find("alpine") != std::string::npos)
      return;
    ctx.Report(from, at, "full-runtime-base",
               who + " ships on " + base.base_image +
                   ", the full image with compilers and headers (about 1 GB); "
                   "fix: FROM " +
                   SlimVariant(ref) +
                   " for the runtime stage and build anything native in another stage");
  } else if (r == "golang" || r == "rust" || r == "gcc") {
    ctx.Report(from, at, "full-runtime-base",
               who + " ships on " + base.base_image +
                   ", a toolchain image; fix: build in it, then COPY --from the "
                   "binary into a small runtime stage (distroless/static, alpine or busybox)");
  }
}

bool IsBuildTool(const std::string& package) {
  static const char* const kTools[] = {"gcc",      "gcc-*",           "g++",          "g++-*",
                                       "cc",       "clang",           "clang-*",      "make",
                                       "cmake",    "build-essential", "build-base",   "autoconf",
                                       "automake", "libtool",         "pkg-config",   "pkgconf",
                                       "*-dev",    "*-devel",         "linux-headers"};
  return std::any_of(std::begin(kTools), std::end(kTools),
                     [&](const char* t) { return GlobMatch(t, package); });
}

// Packages installed by an apt-get/apt/apk/yum/dnf command; `virtual_name` gets apk's --virtual.
std::vector<const Word*> InstalledPackages(const ShellCommand& c, std::string* virtual_name) {
  std::string p = c.Program();
  std::string sub = c.Subcommand();
  bool install = ((p == "apt-get" || p == "apt" || p == "yum" || p == "dnf" || p == "microdnf") &&
                  sub == "install") ||
                 (p == "apk" && sub == "add");
  std::vector<const Word*> out;
  if (!install) return out;
  for (size_t i = c.SubcommandIndex() + 1; i < c.words.size(); ++i) {
    const std::string& w = c.words[i].text;
    if (p == "apk" && (w == "--virtual" || w == "-t") && i + 1 < c.words.size()) {
      *virtual_name = c.words[++i].text;
      continue;
    }
    if (w.starts_with('-')) continue;
    out.push_back(&c.words[i]);
  }
  return out;
}

std::string PackageName(std::string word) {
  size_t cut = word.find_first_of("=:");
  if (cut != std::string::npos) word = word.substr(0, cut);
  return word;
}

void CheckBuildTools(RuleContext& ctx, int runtime, const Instruction& ins) {
  RunCommand run = ReadRun(ins);
  std::vector<std::string> removed;  // by apk del / apt-get purge|remove in the same RUN
  for (const ShellCommand& c : run.commands) {
    std::string sub = c.Subcommand();
    bool removes =
        (c.Program() == "apk" && sub == "del") ||
        ((c.Program() == "apt-get" || c.Program() == "apt") && (sub == "purge" || sub == "remove"));
    if (!removes) continue;
    for (size_t i = c.SubcommandIndex() + 1; i < c.words.size(); ++i)
      removed.push_back(PackageName(c.words[i].text));
  }
  auto is_removed = [&](const std::string& name) {
    return std::find(removed.begin(), removed.end(), name) != removed.end();
  };
  for (const ShellCommand& c : run.commands) {
    std::string virtual_name;
    std::vector<const Word*> packages = InstalledPackages(c, &virtual_name);
    if (!virtual_name.empty() && is_removed(virtual_name)) continue;
    for (const Word* w : packages) {
      std::string name = PackageName(w->text);
      if (!IsBuildTool(name) || is_removed(name)) continue;
      ctx.Report(ins, ctx.Locate(ins, w->text, w->occurrence), "build-tools-in-runtime",
                 "\"" + name + "\" is installed in " + ctx.StageLabel(runtime) +
                     ", the image that ships, so compilers and headers ship too; fix: install it "
                     "in a build "
                     "stage and COPY --from only what it builds");
    }
  }
}

void CheckUser(RuleContext& ctx, int runtime) {
  const Dockerfile& df = ctx.dockerfile();
  std::vector<int> chain = ctx.Chain(runtime);
  const DockerStage& root = df.stages[chain.back()];
  if (ParseImageName(root.base_image).tag.find("nonroot") != std::string::npos) return;
  const Instruction* last_user = nullptr;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const Instruction& ins : df.stages[*it].instructions) {
      if (ins.keyword == "USER") last_user = &ins;
    }
  }
  const DockerStage& stage = df.stages[runtime];
  if (!last_user) {
    ctx.Report(stage.instructions[0], {stage.line, stage.column}, "runtime-as-root",
               ctx.StageLabel(runtime) +
                   " ships with no USER, so its process runs as root; fix: create an "
                   "unprivileged user (useradd --system app, or adduser -S app) and add USER app "
                   "before CMD");
    return;
  }
  std::vector<std::string> words = SplitWords(last_user->args);
  std::string user = words.empty() ? "" : words[0].substr(0, words[0].find(':'));
  if (user == "root" || user == "0") {
    ctx.Report(*last_user, {last_user->line, last_user->column}, "runtime-as-root",
               ctx.StageLabel(runtime) + " ends with USER " + user +
                   ", so its process runs as root; fix: switch "
                   "to an unprivileged user (USER app, or a numeric uid such as 10001) after the "
                   "last root step");
  }
}

}  // namespace

void CheckRuntimeStage(RuleContext& ctx) {
  const Dockerfile& df = ctx.dockerfile();
  for (int runtime : ctx.runtime_stages()) {
    CheckBase(ctx, runtime);
    for (int s : ctx.Chain(runtime)) {
      for (const Instruction& ins : df.stages[s].instructions) {
        if (ins.keyword == "RUN") CheckBuildTools(ctx, runtime, ins);
      }
    }
    CheckUser(ctx, runtime);
  }
}

}  // namespace slipway::pipelines::rules
