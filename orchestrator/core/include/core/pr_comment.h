// The pull request comment: one Markdown comment per pull request (GitLab: merge request note),
// rewritten in place after each run, saying per stage what the change does to the image:
//   - size against the base branch's last good build, and the layers added or grown, with the
//     instructions that made them;
//   - vulnerabilities new and fixed since that build;
//   - the budget's and the scan policy's verdicts;
//   - the Dockerfile advice found while planning;
// and a link to the run. Everything from a push (stage names, instructions, messages) is escaped,
// so a Dockerfile cannot write Markdown or HTML into the comment; the body stays under the forges'
// size limits.
//
// Pure. Thread-safety: plain functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/job_store.h"
#include "store/run_store.h"

namespace slipway::core {

// GitHub keeps at most 65,536 characters; GitLab and Gitea more.
inline constexpr size_t kMaxCommentBytes = 60000;

// `run` with its `jobs` as recorded; `default_branch`: the base the sizes are compared with.
std::string RenderPrComment(const store::Run& run, const std::vector<store::Job>& jobs,
                            std::string_view default_branch, std::string_view public_url);

// `text` as Markdown text on one line: punctuation that Markdown or HTML would read escaped.
std::string MarkdownText(std::string_view text, size_t max_chars = 200);
// `text` as an inline code span on one line (safe in a table cell too).
std::string MarkdownCode(std::string_view text, size_t max_chars = 120);

}  // namespace slipway::core
