// Repository-relative paths written by users (context, dockerfile), checked to stay inside the repo.
//
// NormalizeRepoPath lexically resolves "." and ".." and repeated slashes, and refuses absolute
// paths, backslashes, NUL bytes and anything that climbs above the repository root. The result has
// no leading "./" and is "." for the root itself.
//
// ResolveRepoSymlinks follows the symbolic links a repository holds, at any component of a path,
// through a lookup of the repository's tree (git's tree at the commit on the server, the file
// system in the CLI), and refuses a link that leads out of the repository (an absolute target, or
// one climbing above the root) and chains longer than kMaxSymlinkHops. The agent checks the real
// path again after its checkout.
//
// Thread-safety: pure function.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pipelines/limits.h"

namespace slipway::pipelines {

// The normalised path, or nullopt when it is absolute, empty or escapes the root.
std::optional<std::string> NormalizeRepoPath(std::string_view path);

// One entry of the repository's tree.
struct RepoEntry {
  enum class Kind { kMissing, kFile, kDirectory, kSymlink };
  Kind kind = Kind::kMissing;
  std::string link_target;  // kSymlink: the link's text
};
// The entry at a normalised repository path whose every parent is a directory.
using RepoLookup = std::function<Result<RepoEntry>(const std::string& repo_relative_path)>;

// The normalised path `path` names once every symlink on the way is followed (a missing component
// ends the walk: the rest is kept as written). InvalidArgument, naming the link, when a link
// leads out of the repository or the chain is too long; the lookup's own errors pass through.
// REQUIRES: path normalised (NormalizeRepoPath).
Result<std::string> ResolveRepoSymlinks(const std::string& path, const RepoLookup& lookup);

}  // namespace slipway::pipelines
