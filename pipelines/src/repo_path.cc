#include "pipelines/repo_path.h"

#include <deque>
#include <vector>

namespace slipway::pipelines {

std::optional<std::string> NormalizeRepoPath(std::string_view path) {
  if (path.empty() || path.front() == '/') return std::nullopt;
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  if (parts.empty()) return ".";
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

namespace {

void PushParts(std::string_view path, std::deque<std::string>* parts, bool front) {
  std::vector<std::string> found;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) found.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (front) parts->insert(parts->begin(), found.begin(), found.end());
  else parts->insert(parts->end(), found.begin(), found.end());
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out.empty() ? "." : out;
}

}  // namespace

Result<std::string> ResolveRepoSymlinks(const std::string& path, const RepoLookup& lookup) {
  std::deque<std::string> todo;
  PushParts(path, &todo, false);
  std::vector<std::string> done;
  int hops = 0;
  std::string last_link;  // "a -> ../x", for the message
  auto escapes = [&] {
    return Status::InvalidArgument(path + " goes through the symbolic link " + last_link +
                                   ", which leads out of the repository");
  };
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (done.empty()) return escapes();
      done.pop_back();
      continue;
    }
    done.push_back(part);
    const std::string here = Join(done);
    Result<RepoEntry> entry = lookup(here);
    if (!entry.ok()) return entry.status();
    if (entry->kind == RepoEntry::Kind::kMissing) {
      for (std::string& rest : todo) done.push_back(std::move(rest));
      std::optional<std::string> as_written = NormalizeRepoPath(Join(done));
      if (!as_written) return escapes();
      return *as_written;
    }
    if (entry->kind != RepoEntry::Kind::kSymlink) continue;
    const std::string& target = entry->link_target;
    if (++hops > kMaxSymlinkHops) {
      return Status::InvalidArgument(path + " goes through more than " + std::to_string(kMaxSymlinkHops) +
                                     " symbolic links");
    }
    last_link = here + " -> " + target;
    if (target.empty() || target.front() == '/' || target.find('\0') != std::string::npos) return escapes();
    // The target is read from the directory holding the link, as the kernel does; a ".." above
    // the root is refused when it is reached.
    done.pop_back();
    PushParts(target, &todo, true);
  }
  return Join(done);
}

}  // namespace slipway::pipelines
