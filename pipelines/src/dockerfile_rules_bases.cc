// Bases and sources: unpinned-base, add-url, unreachable-stage.
#include <string>
#include <vector>

#include "dockerfile_rules_context.h"

namespace slipway::pipelines::rules {
namespace {

void CheckPinned(RuleContext& ctx, const DockerStage& s) {
  if (s.base_stage || s.base_image.empty() || AsciiLower(s.base_image) == "scratch") return;
  ImageName ref = ParseImageName(s.base_image);
  if (!ref.digest.empty() || (!ref.tag.empty() && ref.tag != "latest")) return;
  const Instruction& from = s.instructions[0];
  std::string why = ref.tag.empty() ? s.base_image + " has no tag, so it means :latest"
                                    : s.base_image + " is a moving tag";
  ctx.Report(from, ctx.Locate(from, FromImageWord(from)), "unpinned-base",
             why +
                 " and each build may get a different base; fix: pin a version tag (for example " +
                 ref.repository + ":<version>-slim) or a digest (@sha256:...)");
}

void CheckAddUrl(RuleContext& ctx, const Instruction& ins) {
  std::string rest;
  for (const std::string& flag : LeadingFlags(ins.args, &rest)) {
    if (flag.starts_with("--checksum")) return;
  }
  std::vector<std::string> words = SplitWords(rest);
  if (words.size() < 2) return;
  words.pop_back();
  for (const std::string& source : words) {
    std::string lower = AsciiLower(source);
    if (!lower.starts_with("http://") && !lower.starts_with("https://")) continue;
    ctx.Report(ins, ctx.Locate(ins, source), "add-url",
               "ADD downloads " + source +
                   " with no integrity check and no cache key of its own; fix: "
                   "ADD --checksum=sha256:<digest> " +
                   source + ", or fetch and verify it with RUN curl in a build stage");
  }
}

}  // namespace

void CheckBasesAndSources(RuleContext& ctx) {
  for (const DockerStage& s : ctx.dockerfile().stages) {
    CheckPinned(ctx, s);
    for (const Instruction& ins : s.instructions) {
      if (ins.keyword == "ADD") CheckAddUrl(ctx, ins);
    }
    if (!ctx.IsReached(s.index)) {
      std::string fix =
          s.name.empty()
              ? "remove it, or name it and build it from the pipeline"
              : "remove it, or build it from the pipeline (a stage with target: " + s.name + ")";
      ctx.Report(
          s.instructions[0], {s.line, s.column}, "unreachable-stage",
          ctx.StageLabel(s.index) +
              " is needed by no target the pipeline builds, so BuildKit skips it; fix: " + fix);
    }
  }
}

}  // namespace slipway::pipelines::rules
