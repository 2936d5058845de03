#include "webhooks/push_event.h"

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "json_fields.h"
#include "webhooks/pull_request_event.h"
#include "webhooks/ref_name.h"

namespace slipway::webhooks {
namespace {

using nlohmann::json;

// Adds one commit's file lists to `paths`; false when the commit carries none of them.
Result<bool> CollectPaths(const json& commit, std::size_t index, std::set<std::string>* paths) {
  bool any = false;
  for (const char* key : {"added", "modified", "removed"}) {
    auto it = commit.find(key);
    if (it == commit.end() || it->is_null()) continue;
    std::string path = "commits[" + std::to_string(index) + "]." + key;
    if (!it->is_array()) return Status::InvalidArgument("field " + path + " is not an array");
    any = true;
    for (const json& file : *it) {
      if (!file.is_string()) return Status::InvalidArgument("field " + path + " holds a non-string");
      paths->insert(file.get<std::string>());
    }
  }
  return any;
}

Result<PushEvent> FromJson(Forge forge, const json& root) {
  PushEvent ev;
  ev.forge = forge;

  if (forge == Forge::kGitLab) {
    Result<const json*> project = RequiredObject(root, "project", "project");
    if (!project.ok()) return project.status();
    Result<std::string> name =
        RequiredString(**project, "path_with_namespace", "project.path_with_namespace");
    if (!name.ok()) return name.status();
    ev.repo = std::move(*name);
    ev.web_url = CleanWebUrl(OptionalString(**project, "web_url"));
  } else {
    Result<const json*> repository = RequiredObject(root, "repository", "repository");
    if (!repository.ok()) return repository.status();
    Result<std::string> name = RequiredString(**repository, "full_name", "repository.full_name");
    if (!name.ok()) return name.status();
    ev.repo = std::move(*name);
    ev.web_url = CleanWebUrl(OptionalString(**repository, "html_url"));
  }
  if (Status s = ValidateRepoName(ev.repo); !s.ok()) return s;

  Result<std::string> ref = RequiredString(root, "ref", "ref");
  if (!ref.ok()) return ref.status();
  ev.ref = std::move(*ref);
  if (Status s = ValidateRefName(ev.ref); !s.ok()) return s;
  constexpr std::string_view kHeads = "refs/heads/", kTags = "refs/tags/";
  std::string_view ref_view = ev.ref;
  if (ref_view.substr(0, kHeads.size()) == kHeads) {
    ev.branch = std::string(ref_view.substr(kHeads.size()));
    if (Status s = ValidateBranchName(ev.branch); !s.ok()) return s;
  } else if (ref_view.substr(0, kTags.size()) == kTags) {
    ev.is_tag = true;
    ev.tag = std::string(ref_view.substr(kTags.size()));
    if (Status s = ValidateBranchName(ev.tag); !s.ok()) return s.Annotate("tag");
  } else {
    return Status::InvalidArgument("ref \"" + ev.ref + "\" is neither a branch nor a tag");
  }

  Result<std::string> before = RequiredString(root, "before", "before");
  if (!before.ok()) return before.status();
  Result<std::string> after = RequiredString(root, "after", "after");
  if (!after.ok()) return after.status();
  ev.before = std::move(*before);
  ev.after = std::move(*after);
  if (Status s = ValidateSha(ev.before); !s.ok()) return s.Annotate("before");
  if (Status s = ValidateSha(ev.after); !s.ok()) return s.Annotate("after");
  ev.created = IsZeroSha(ev.before);
  ev.deleted = IsZeroSha(ev.after);
  if (auto it = root.find("deleted"); it != root.end() && it->is_boolean() && it->get<bool>()) {
    ev.deleted = true;
  }

  std::set<std::string> paths;
  const json* head = nullptr;
  std::size_t listed = 0;
  if (auto it = root.find("commits"); it != root.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("field commits is not an array");
    listed = it->size();
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& commit = (*it)[i];
      if (!commit.is_object()) {
        return Status::InvalidArgument("field commits[" + std::to_string(i) + "] is not an object");
      }
      Result<bool> had_lists = CollectPaths(commit, i, &paths);
      if (!had_lists.ok()) return had_lists.status();
      if (!*had_lists) ev.paths_complete = false;
      if (OptionalString(commit, "id") == ev.after) head = &commit;
    }
    if (head == nullptr && !it->empty()) head = &it->back();
  }
  for (const char* total_key : {"total_commits_count", "total_commits"}) {
    auto it = root.find(total_key);
    if (it != root.end() && it->is_number_unsigned() && it->get<std::size_t>() > listed) {
      ev.paths_complete = false;
    }
  }
  if (auto it = root.find("head_commit"); it != root.end() && it->is_object()) head = &*it;
  if (head != nullptr) {
    // An annotated tag's push names the tag object in `after`; the commit to build is the head's.
    if (std::string id = OptionalString(*head, "id"); ev.is_tag && !ev.deleted && ValidateSha(id).ok()) {
      ev.after = id;
    }
    ev.head_message = OptionalString(*head, "message");
    if (auto author = head->find("author"); author != head->end() && author->is_object()) {
      ev.head_author = OptionalString(*author, "name");
    }
  }
  ev.changed_paths.assign(paths.begin(), paths.end());
  return ev;
}

}  // namespace

Result<PushEvent> ParsePushEvent(Forge forge, std::string_view body) {
  Result<json> root = ParseBody(body);
  if (!root.ok()) return root.status();
  try {
    return FromJson(forge, *root);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("unexpected payload shape: ") + e.what());
  }
}

}  // namespace slipway::webhooks
