#include "webhooks/pull_request_event.h"

#include <nlohmann/json.hpp>

#include "json_fields.h"
#include "webhooks/ref_name.h"

namespace slipway::webhooks {
namespace {

using nlohmann::json;

PullRequestAction ActionOf(Forge forge, const std::string& action, bool new_commits) {
  if (forge == Forge::kGitLab) {
    if (action == "open" || action == "reopen" || (action == "update" && new_commits)) {
      return PullRequestAction::kBuild;
    }
    if (action == "close" || action == "merge") return PullRequestAction::kClose;
    return PullRequestAction::kOther;
  }
  if (action == "opened" || action == "reopened" || action == "synchronize" || action == "synchronized") {
    return PullRequestAction::kBuild;
  }
  if (action == "closed") return PullRequestAction::kClose;
  return PullRequestAction::kOther;
}

Status Validate(const PullRequestEvent& ev) {
  if (Status s = ValidateRepoName(ev.repo); !s.ok()) return s;
  if (!ev.source_repo.empty()) {
    if (Status s = ValidateRepoName(ev.source_repo); !s.ok()) return s.Annotate("source repository");
  }
  if (Status s = ValidateBranchName(ev.source_branch); !s.ok()) return s.Annotate("source branch");
  if (Status s = ValidateBranchName(ev.target_branch); !s.ok()) return s.Annotate("target branch");
  if (Status s = ValidateSha(ev.head_sha); !s.ok()) return s.Annotate("head");
  return Status::Ok();
}

// GitHub and Gitea: pull_request.{number,title,head,base}, repository.
Status ReadGitHubShape(const json& root, PullRequestEvent* ev) {
  Result<const json*> repository = RequiredObject(root, "repository", "repository");
  if (!repository.ok()) return repository.status();
  Result<std::string> name = RequiredString(**repository, "full_name", "repository.full_name");
  if (!name.ok()) return name.status();
  ev->repo = *name;
  ev->web_url = CleanWebUrl(OptionalString(**repository, "html_url"));
  Result<const json*> pr = RequiredObject(root, "pull_request", "pull_request");
  if (!pr.ok()) return pr.status();
  Result<long long> number = RequiredPositive(**pr, "number", "pull_request.number");
  if (!number.ok()) return number.status();
  ev->number = *number;
  ev->title = OptionalString(**pr, "title");
  if (auto user = (*pr)->find("user"); user != (*pr)->end() && user->is_object()) {
    ev->author = OptionalString(*user, "login");
  }
  Result<const json*> head = RequiredObject(**pr, "head", "pull_request.head");
  if (!head.ok()) return head.status();
  Result<const json*> base = RequiredObject(**pr, "base", "pull_request.base");
  if (!base.ok()) return base.status();
  Result<std::string> source = RequiredString(**head, "ref", "pull_request.head.ref");
  if (!source.ok()) return source.status();
  Result<std::string> sha = RequiredString(**head, "sha", "pull_request.head.sha");
  if (!sha.ok()) return sha.status();
  Result<std::string> target = RequiredString(**base, "ref", "pull_request.base.ref");
  if (!target.ok()) return target.status();
  ev->source_branch = *source;
  ev->head_sha = *sha;
  ev->target_branch = *target;
  if (auto repo = (*head)->find("repo"); repo != (*head)->end() && repo->is_object()) {
    ev->source_repo = OptionalString(*repo, "full_name");
  }
  std::string base_repo = ev->repo;
  if (auto repo = (*base)->find("repo"); repo != (*base)->end() && repo->is_object()) {
    base_repo = OptionalString(*repo, "full_name");
  }
  ev->fork = ev->source_repo.empty() || ev->source_repo != base_repo;
  ev->head_ref = "refs/pull/" + std::to_string(ev->number) + "/head";
  return Status::Ok();
}

// GitLab: object_attributes, project.
Status ReadGitLabShape(const json& root, PullRequestEvent* ev, bool* new_commits) {
  Result<const json*> project = RequiredObject(root, "project", "project");
  if (!project.ok()) return project.status();
  Result<std::string> name = RequiredString(**project, "path_with_namespace", "project.path_with_namespace");
  if (!name.ok()) return name.status();
  ev->repo = *name;
  ev->web_url = CleanWebUrl(OptionalString(**project, "web_url"));
  Result<const json*> attrs = RequiredObject(root, "object_attributes", "object_attributes");
  if (!attrs.ok()) return attrs.status();
  const json& a = **attrs;
  Result<long long> iid = RequiredPositive(a, "iid", "object_attributes.iid");
  if (!iid.ok()) return iid.status();
  ev->number = *iid;
  ev->title = OptionalString(a, "title");
  ev->action = OptionalString(a, "action");
  *new_commits = !OptionalString(a, "oldrev").empty();
  Result<std::string> source = RequiredString(a, "source_branch", "object_attributes.source_branch");
  if (!source.ok()) return source.status();
  Result<std::string> target = RequiredString(a, "target_branch", "object_attributes.target_branch");
  if (!target.ok()) return target.status();
  ev->source_branch = *source;
  ev->target_branch = *target;
  Result<const json*> last = RequiredObject(a, "last_commit", "object_attributes.last_commit");
  if (!last.ok()) return last.status();
  Result<std::string> sha = RequiredString(**last, "id", "object_attributes.last_commit.id");
  if (!sha.ok()) return sha.status();
  ev->head_sha = *sha;
  if (auto source_project = a.find("source"); source_project != a.end() && source_project->is_object()) {
    ev->source_repo = OptionalString(*source_project, "path_with_namespace");
  }
  auto source_id = a.find("source_project_id");
  auto target_id = a.find("target_project_id");
  ev->fork = ev->source_repo.empty() || source_id == a.end() || target_id == a.end() || *source_id != *target_id;
  if (auto user = root.find("user"); user != root.end() && user->is_object()) {
    ev->author = OptionalString(*user, "username");
  }
  ev->head_ref = "refs/merge-requests/" + std::to_string(ev->number) + "/head";
  return Status::Ok();
}

}  // namespace

bool IsPullRequestEvent(Forge forge, std::string_view event) {
  return forge == Forge::kGitLab ? event == "Merge Request Hook" : event == "pull_request";
}

Result<PullRequestEvent> ParsePullRequestEvent(Forge forge, std::string_view body) {
  Result<json> root = ParseBody(body);
  if (!root.ok()) return root.status();
  PullRequestEvent ev;
  ev.forge = forge;
  try {
    bool new_commits = false;
    Status read = Status::Ok();
    if (forge == Forge::kGitLab) {
      read = ReadGitLabShape(*root, &ev, &new_commits);
    } else {
      Result<std::string> action = RequiredString(*root, "action", "action");
      if (!action.ok()) return action.status();
      ev.action = *action;
      read = ReadGitHubShape(*root, &ev);
    }
    if (!read.ok()) return read;
    ev.what = ActionOf(forge, ev.action, new_commits);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("unexpected payload shape: ") + e.what());
  }
  if (Status s = Validate(ev); !s.ok()) return s;
  return ev;
}

std::string CleanWebUrl(std::string_view url) {
  if (url.size() > 512) return "";
  if (url.substr(0, 8) != "https://" && url.substr(0, 7) != "http://") return "";
  for (char c : url) {
    if (c <= ' ' || c > '~' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c == '\\') return "";
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

}  // namespace slipway::webhooks
