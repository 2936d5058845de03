// Dockerfile rules: build advice checked on the Dockerfiles a pipeline uses, on every plan.
//
// Each finding is a Diagnostic with a stable code, pointing at the instruction or the word at
// fault, and a one-line message "<why>; fix: <what to do>". Secrets are errors; everything else is
// a warning (the pipeline's `lint.fail_on` may raise or lower them, see planner.h):
//
//   copy-before-install     COPY/ADD of the whole context (`.`, `./`) before a dependency install
//                           (pip, poetry, npm/yarn/pnpm, go mod download, cargo fetch/build,
//                           bundle, apt-get/apk) in the same stage, with no manifest copied first
//   no-cache-mount          npm/yarn/pnpm/go/cargo/bundle downloads without RUN --mount=type=cache
//   apt-recommends          apt-get install without --no-install-recommends
//   apt-lists               apt-get update/install without removing /var/lib/apt/lists in that RUN
//                           (or a cache mount on /var/lib/apt)
//   pip-cache               pip install without --no-cache-dir, PIP_NO_CACHE_DIR or a cache mount
//   build-tools-in-runtime  compilers/build tools or -dev packages installed in a runtime stage
//   full-runtime-base       a runtime stage on a full python/node/ruby image or a toolchain image
//                           (golang, rust, gcc)
//   runtime-as-root         a runtime stage with no USER, or whose last USER is root
//   unpinned-base           FROM an image with no tag, or tagged `latest` (no digest)
//   add-url                 ADD of an http(s) URL without --checksum
//   unreachable-stage       a stage that no built target needs
//   secret-in-arg           (error) an ARG whose name or default looks like a secret
//   secret-in-env           (error) an ENV whose name or value looks like a secret
//
// Runtime stages: the targets the pipeline pushes from this Dockerfile, or, when it pushes none,
// the final stage if a target reaches it (a pipeline that only builds `test` ships nothing). A
// finding is silenced by a comment on the line before its instruction (or before the line it points
// at): `# slipway:ignore=code[,code...]`.
//
// Thread-safety: pure functions over their arguments.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "pipelines/diagnostic.h"
#include "pipelines/dockerfile.h"

namespace slipway::pipelines {

struct DockerfileRuleOptions {
  // Stage names jobs build from this Dockerfile; "" is the final stage. Empty: the final stage.
  std::set<std::string> targets;
  // Stage names pushed as images. Empty: the final stage is the runtime stage.
  std::set<std::string> runtime_targets;
};

struct DockerfileRule {
  const char* code;
  Severity severity;
  const char* summary;
};

// Every rule, in the order above.
const std::vector<DockerfileRule>& DockerfileRules();

// True for the codes in DockerfileRules().
bool IsDockerfileRuleCode(const std::string& code);

// Runs every rule. `text` is the Dockerfile's content (for comments and word positions), `file` the
// name findings carry. REQUIRES: `dockerfile` is ParseDockerfile(text, ...).dockerfile.
std::vector<Diagnostic> CheckDockerfile(const Dockerfile& dockerfile, const std::string& text,
                                        const std::string& file,
                                        const DockerfileRuleOptions& options = {});

}  // namespace slipway::pipelines
