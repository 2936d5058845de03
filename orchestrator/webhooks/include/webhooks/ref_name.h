// Validation of git names that arrive in webhook payloads: refs, branch and tag names, commit
// shas and repository names. They are hostile input: a branch called "--upload-pack=x" or one
// holding a newline must be refused before it reaches git's argv, a log line or a file path.
//
// Ref rules follow `git check-ref-format`: no "..", no "@{", no control characters, space or any of
// ~ ^ : ? * [ \, no component starting with "." or ending with ".lock", no "//", no trailing "/" or
// ".", not "@" alone; Slipway also refuses a leading "-" and names longer than 255 bytes.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string_view>

#include "common/status.h"

namespace slipway::webhooks {

// A full ref such as "refs/heads/main" or "refs/tags/v1.2".
Status ValidateRefName(std::string_view ref);

// A branch or tag name without its "refs/heads/" prefix, such as "release/1.x".
Status ValidateBranchName(std::string_view branch);

// A commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
Status ValidateSha(std::string_view sha);

// True for a sha made only of zeros (the "before" of a new branch, the "after" of a deletion).
bool IsZeroSha(std::string_view sha);

// "owner/name" or "group/subgroup/name": segments of [A-Za-z0-9._-], none "." or "..", none empty.
Status ValidateRepoName(std::string_view full_name);

}  // namespace slipway::webhooks
