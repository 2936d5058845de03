#include "webhooks/ref_name.h"

#include <string>

namespace slipway::webhooks {
namespace {

constexpr std::size_t kMaxRefLength = 255;

Status Bad(std::string_view what, std::string_view name, std::string_view why) {
  std::string shown;
  for (char c : name.substr(0, 64)) {
    unsigned char u = static_cast<unsigned char>(c);
    shown += (u < 0x20 || u == 0x7f) ? '?' : c;  // never echo control characters
  }
  return Status::InvalidArgument(std::string(what) + " \"" + shown + "\" " + std::string(why));
}

// git check-ref-format's rules, plus no leading '-' and a length cap.
Status CheckRefFormat(std::string_view what, std::string_view name) {
  if (name.empty()) return Bad(what, name, "is empty");
  if (name.size() > kMaxRefLength) return Bad(what, name, "is longer than 255 bytes");
  if (name.front() == '-') return Bad(what, name, "starts with '-'");
  if (name == "@") return Bad(what, name, "is \"@\"");
  if (name.front() == '/' || name.back() == '/') return Bad(what, name, "starts or ends with '/'");
  if (name.back() == '.') return Bad(what, name, "ends with '.'");
  if (name.find("..") != std::string_view::npos) return Bad(what, name, "contains \"..\"");
  if (name.find("@{") != std::string_view::npos) return Bad(what, name, "contains \"@{\"");
  if (name.find("//") != std::string_view::npos) return Bad(what, name, "contains \"//\"");
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return Bad(what, name, "contains a control character");
    switch (c) {
      case ' ': case '~': case '^': case ':': case '?': case '*': case '[': case '\\':
        return Bad(what, name, std::string("contains '") + c + "'");
      default: break;
    }
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view component = name.substr(start, end - start);
    if (!component.empty() && component.front() == '.') {
      return Bad(what, name, "has a component starting with '.'");
    }
    if (component.size() >= 5 && component.substr(component.size() - 5) == ".lock") {
      return Bad(what, name, "has a component ending with \".lock\"");
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace

Status ValidateRefName(std::string_view ref) {
  if (ref.substr(0, 5) != "refs/") return Bad("ref", ref, "does not start with \"refs/\"");
  return CheckRefFormat("ref", ref);
}

Status ValidateBranchName(std::string_view branch) { return CheckRefFormat("branch", branch); }

Status ValidateSha(std::string_view sha) {
  if (sha.size() != 40 && sha.size() != 64) {
    return Bad("sha", sha, "is not 40 or 64 hex digits");
  }
  for (char c : sha) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Bad("sha", sha, "is not lowercase hex");
    }
  }
  return Status::Ok();
}

bool IsZeroSha(std::string_view sha) {
  if (sha.empty()) return false;
  for (char c : sha) {
    if (c != '0') return false;
  }
  return true;
}

Status ValidateRepoName(std::string_view full_name) {
  if (full_name.empty()) return Bad("repository", full_name, "is empty");
  if (full_name.size() > kMaxRefLength) return Bad("repository", full_name, "is too long");
  std::size_t start = 0;
  int segments = 0;
  while (start <= full_name.size()) {
    std::size_t end = full_name.find('/', start);
    if (end == std::string_view::npos) end = full_name.size();
    std::string_view segment = full_name.substr(start, end - start);
    if (segment.empty()) return Bad("repository", full_name, "has an empty path segment");
    if (segment == "." || segment == "..") return Bad("repository", full_name, "has a '.' segment");
    if (segment.front() == '-') return Bad("repository", full_name, "has a segment starting with '-'");
    for (char c : segment) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
      if (!ok) return Bad("repository", full_name, "holds a character outside [A-Za-z0-9._-/]");
    }
    ++segments;
    start = end + 1;
  }
  if (segments < 2) return Bad("repository", full_name, "is not \"owner/name\"");
  return Status::Ok();
}

}  // namespace slipway::webhooks
