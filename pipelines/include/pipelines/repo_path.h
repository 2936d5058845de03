// Repository-relative paths written by users (context, dockerfile), checked to stay inside the repo.
//
// NormalizeRepoPath lexically resolves "." and ".." and repeated slashes, and refuses absolute
// paths, backslashes, NUL bytes and anything that climbs above the repository root. The result has
// no leading "./" and is "." for the root itself. Symlinks are not resolved here: the agent's
// workspace code checks the real path when it opens the file.
//
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slipway::pipelines {

// The normalised path, or nullopt when it is absolute, empty or escapes the root.
std::optional<std::string> NormalizeRepoPath(std::string_view path);

// Joins a directory and a relative path, then normalises ("." + "Dockerfile" -> "Dockerfile").
std::optional<std::string> JoinRepoPath(std::string_view dir, std::string_view path);

}  // namespace slipway::pipelines
