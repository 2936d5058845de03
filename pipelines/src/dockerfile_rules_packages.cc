// Package-manager hygiene: apt-recommends, apt-lists, pip-cache.
#include <string>
#include <vector>

#include "dockerfile_rules_context.h"

namespace slipway::pipelines::rules {
namespace {

bool IsApt(const ShellCommand& c) { return c.Program() == "apt-get" || c.Program() == "apt"; }

bool IsPipInstall(const ShellCommand& c, const Word** pip_word) {
  std::string p = c.Program();
  if ((p == "pip" || GlobMatch("pip3*", p)) && c.Arg(1) == "install") {
    *pip_word = &c.words[0];
    return true;
  }
  if (GlobMatch("python*", p) && c.Arg(1) == "-m" && c.Arg(2) == "pip" && c.Arg(3) == "install") {
    *pip_word = &c.words[2];
    return true;
  }
  return false;
}

bool SetsPipNoCache(const Instruction& ins) {
  if (ins.keyword != "ENV") return false;
  for (const KeyValue& kv : KeyValues(ins)) {
    if (kv.key == "PIP_NO_CACHE_DIR") return true;
  }
  return false;
}

void CheckApt(RuleContext& ctx, const Instruction& ins, const RunCommand& run) {
  const ShellCommand* first_apt = nullptr;
  bool lists_removed = false;
  for (const std::string& target : run.cache_targets) {
    if (target.starts_with("/var/lib/apt")) lists_removed = true;
  }
  for (const ShellCommand& c : run.commands) {
    if (c.Program() == "rm" && c.HasPrefix("/var/lib/apt/lists")) lists_removed = true;
    if (!IsApt(c)) continue;
    std::string sub = c.Subcommand();
    if (sub != "update" && sub != "install") continue;
    if (!first_apt) first_apt = &c;
    if (sub != "install") continue;
    bool no_recommends = c.Has("--no-install-recommends");
    for (const Word& w : c.words) {
      if (w.text.find("Install-Recommends=false") != std::string::npos ||
          w.text.find("Install-Recommends=0") != std::string::npos) {
        no_recommends = true;
      }
    }
    if (!no_recommends) {
      const Word& install = c.words[c.SubcommandIndex()];
      ctx.Report(ins, ctx.Locate(ins, install.text, install.occurrence), "apt-recommends",
                 "\"" + c.Arg(0) +
                     " install\" also installs every recommended package, often doubling the "
                     "layer; fix: " +
                     c.Arg(0) + " install --no-install-recommends");
    }
  }
  if (first_apt && !lists_removed) {
    ctx.Report(
        ins, ctx.Locate(ins, first_apt->Arg(0), first_apt->words[0].occurrence), "apt-lists",
        "the package lists apt downloads stay in this layer (tens of MB); fix: end this RUN with "
        "&& rm -rf /var/lib/apt/lists/*, or mount them: RUN "
        "--mount=type=cache,target=/var/lib/apt");
  }
}

}  // namespace

void CheckPackageHygiene(RuleContext& ctx) {
  const Dockerfile& df = ctx.dockerfile();
  for (const DockerStage& s : df.stages) {
    bool pip_env = false;
    std::vector<int> chain = ctx.Chain(s.index);
    for (size_t k = 1; k < chain.size(); ++k) {
      for (const Instruction& ins : df.stages[chain[k]].instructions)
        pip_env = pip_env || SetsPipNoCache(ins);
    }
    for (const Instruction& ins : s.instructions) {
      pip_env = pip_env || SetsPipNoCache(ins);
      if (ins.keyword != "RUN") continue;
      RunCommand run = ReadRun(ins);
      CheckApt(ctx, ins, run);
      for (const ShellCommand& c : run.commands) {
        const Word* pip = nullptr;
        if (!IsPipInstall(c, &pip) || c.Has("--no-cache-dir") || pip_env || run.HasCacheMount())
          continue;
        ctx.Report(ins, ctx.Locate(ins, pip->text, pip->occurrence), "pip-cache",
                   "\"pip install\" leaves its download cache in the layer; fix: pip install "
                   "--no-cache-dir, "
                   "ENV PIP_NO_CACHE_DIR=1, or RUN --mount=type=cache,target=/root/.cache/pip");
      }
    }
  }
}

}  // namespace slipway::pipelines::rules
