// The rule table and CheckDockerfile, which runs every rule family over one Dockerfile.
#include "pipelines/dockerfile_rules.h"

#include <algorithm>

#include "dockerfile_rules_context.h"

namespace slipway::pipelines {

const std::vector<DockerfileRule>& DockerfileRules() {
  static const std::vector<DockerfileRule> kRules = {
      {"copy-before-install", Severity::kWarning,
       "the whole context is copied before a dependency install"},
      {"no-cache-mount", Severity::kWarning,
       "package downloads are not kept in a RUN --mount=type=cache"},
      {"apt-recommends", Severity::kWarning, "apt-get install without --no-install-recommends"},
      {"apt-lists", Severity::kWarning,
       "apt lists left in the layer (no rm -rf /var/lib/apt/lists)"},
      {"pip-cache", Severity::kWarning, "pip install leaves its download cache in the layer"},
      {"build-tools-in-runtime", Severity::kWarning,
       "compilers or -dev packages installed in a runtime stage"},
      {"full-runtime-base", Severity::kWarning,
       "a runtime stage on a full or toolchain base image"},
      {"runtime-as-root", Severity::kWarning, "a runtime stage runs as root"},
      {"unpinned-base", Severity::kWarning, "a base image with no tag, or tagged latest"},
      {"add-url", Severity::kWarning, "ADD of a URL without --checksum"},
      {"unreachable-stage", Severity::kWarning, "a stage no built target needs"},
      {"secret-in-arg", Severity::kError, "a secret in an ARG (kept in the image history)"},
      {"secret-in-env", Severity::kError, "a secret in an ENV (kept in the image config)"},
  };
  return kRules;
}

bool IsDockerfileRuleCode(const std::string& code) {
  const auto& rules = DockerfileRules();
  return std::any_of(rules.begin(), rules.end(),
                     [&](const DockerfileRule& r) { return code == r.code; });
}

std::vector<Diagnostic> CheckDockerfile(const Dockerfile& dockerfile, const std::string& text,
                                        const std::string& file,
                                        const DockerfileRuleOptions& options) {
  rules::RuleContext ctx(dockerfile, text, file, options);
  rules::CheckSecrets(ctx);
  if (!dockerfile.stages.empty()) {
    rules::CheckCacheOrder(ctx);
    rules::CheckPackageHygiene(ctx);
    rules::CheckRuntimeStage(ctx);
    rules::CheckBasesAndSources(ctx);
  }
  std::vector<Diagnostic> findings = ctx.TakeFindings();
  SortDiagnostics(findings);
  return findings;
}

}  // namespace slipway::pipelines
