#include "core/forge_requests.h"

#include "common/json_text.h"
#include "common/strings.h"
#include "webhooks/signature.h"

namespace slipway::core {
namespace {

using nlohmann::json;
using webhooks::Forge;

constexpr std::chrono::milliseconds kForgeTimeout{20000};

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Status ValidateUrl(std::string_view url, std::string_view field, bool https_only) {
  auto parts = ParseHttpUrl(url);
  if (!parts.ok())
    return Status::InvalidArgument("\"" + std::string(field) + "\": " + parts.status().message());
  if (parts->host.empty() || url.find_first_of("?# \t\r\n") != std::string_view::npos) {
    return Status::InvalidArgument("\"" + std::string(field) +
                                   "\" must be a URL without query or fragment");
  }
  if (https_only && !parts->tls && !IsLoopback(parts->host)) {
    return Status::InvalidArgument(
        "\"" + std::string(field) +
        "\" must be https:// (the forge token goes with each request), or http:// to a "
        "loopback address");
  }
  return Status::Ok();
}

// "owner/name" as a path: GitHub and Gitea take it as two segments, GitLab as one encoded id.
std::string RepoPath(const ForgeEndpoint& to) {
  return to.forge == Forge::kGitLab ? to.api_url + "/projects/" + PercentEncode(to.repo)
                                    : to.api_url + "/repos/" + to.repo;
}

HttpRequest JsonRequest(const ForgeEndpoint& to, std::string method, std::string url,
                        const json& body) {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.timeout = kForgeTimeout;
  if (!body.is_null()) {
    r.body = JsonText(body);
    r.headers.emplace_back("Content-Type", "application/json");
  }
  switch (to.forge) {
    case Forge::kGitHub:
      r.headers.emplace_back("Accept", "application/vnd.github+json");
      r.headers.emplace_back("X-GitHub-Api-Version", "2022-11-28");
      r.headers.emplace_back("Authorization", "Bearer " + to.token);
      break;
    case Forge::kGitea:
      r.headers.emplace_back("Accept", "application/json");
      r.headers.emplace_back("Authorization", "token " + to.token);
      break;
    case Forge::kGitLab:
      r.headers.emplace_back("Accept", "application/json");
      r.headers.emplace_back("PRIVATE-TOKEN", to.token);
      break;
  }
  return r;
}

std::string CommentsUrl(const ForgeEndpoint& to, int64_t pr_number) {
  return RepoPath(to) + (to.forge == Forge::kGitLab ? "/merge_requests/" : "/issues/") +
         std::to_string(pr_number) + (to.forge == Forge::kGitLab ? "/notes" : "/comments");
}

// A comment id as the forges give it: a positive integer.
std::optional<std::string> IdOf(const json& comment) {
  if (!comment.is_object() || !comment.contains("id") || !comment["id"].is_number_unsigned())
    return std::nullopt;
  return std::to_string(comment["id"].get<uint64_t>());
}

}  // namespace

Status ValidateApiUrl(std::string_view url) { return ValidateUrl(url, "api_url", true); }
Status ValidateNotifyUrl(std::string_view url) { return ValidateUrl(url, "notify_url", false); }

std::string ForgeState(Forge forge, const CommitStatus& s) {
  if (forge == Forge::kGitLab) {
    switch (s.status) {
      case JobStatus::kPending:
        return "pending";
      case JobStatus::kRunning:
        return "running";
      case JobStatus::kSuccess:
        return "success";
      case JobStatus::kFailure:
      case JobStatus::kError:
        return "failed";
      case JobStatus::kCanceled:
        return "canceled";
      case JobStatus::kSkipped:
        return "skipped";
    }
  }
  switch (s.status) {
    case JobStatus::kPending:
    case JobStatus::kRunning:
      return "pending";
    case JobStatus::kSuccess:
      return "success";
    case JobStatus::kFailure:
      return "failure";
    case JobStatus::kError:
    case JobStatus::kCanceled:
      return "error";
    case JobStatus::kSkipped:
      // A run its filters leave out has nothing to build; a stage skipped after a failed need did
      // not run.
      if (s.whole_run) return "success";
      return forge == Forge::kGitea ? "warning" : "error";
  }
  return "error";
}

json StatusBody(Forge forge, const CommitStatus& s) {
  json body = {{"state", ForgeState(forge, s)}, {"description", s.description}};
  body[forge == Forge::kGitLab ? "name" : "context"] = s.context;
  if (!s.target_url.empty()) body["target_url"] = s.target_url;
  return body;
}

HttpRequest StatusRequest(const ForgeEndpoint& to, const CommitStatus& s) {
  return JsonRequest(to, "POST", RepoPath(to) + "/statuses/" + s.sha, StatusBody(to.forge, s));
}

HttpRequest ListCommentsRequest(const ForgeEndpoint& to, int64_t pr_number, int page) {
  std::string query =
      "?per_page=" + std::to_string(kCommentsPerPage) + "&page=" + std::to_string(page);
  if (to.forge == Forge::kGitLab) query += "&sort=asc";
  if (to.forge == Forge::kGitea)
    query = "?limit=" + std::to_string(kCommentsPerPage) + "&page=" + std::to_string(page);
  return JsonRequest(to, "GET", CommentsUrl(to, pr_number) + query, json());
}

HttpRequest CreateCommentRequest(const ForgeEndpoint& to, int64_t pr_number,
                                 const std::string& body) {
  return JsonRequest(to, "POST", CommentsUrl(to, pr_number), CommentBody(body));
}

HttpRequest UpdateCommentRequest(const ForgeEndpoint& to, int64_t pr_number,
                                 const std::string& comment_id, const std::string& body) {
  if (to.forge == Forge::kGitLab) {
    return JsonRequest(to, "PUT", CommentsUrl(to, pr_number) + "/" + comment_id, CommentBody(body));
  }
  return JsonRequest(to, "PATCH", RepoPath(to) + "/issues/comments/" + comment_id,
                     CommentBody(body));
}

json CommentBody(const std::string& body) { return {{"body", body}}; }

Result<CommentPage> ReadCommentPage(std::string_view answer) {
  json list = json::parse(answer, nullptr, false);
  if (!list.is_array())
    return Status::InvalidArgument("the forge's list of comments is not a JSON array");
  CommentPage page{std::nullopt, list.size()};
  for (const auto& comment : list) {
    if (!comment.is_object() || !comment.contains("body") || !comment["body"].is_string()) continue;
    if (comment["body"].get<std::string>().starts_with(kPrCommentMarker)) {
      page.marked_id = IdOf(comment);
      if (page.marked_id) break;
    }
  }
  return page;
}

Result<std::string> CreatedCommentId(std::string_view answer) {
  auto id = IdOf(json::parse(answer, nullptr, false));
  if (!id) return Status::InvalidArgument("the forge's answer to a new comment has no numeric id");
  return *id;
}

HttpRequest NotifyRequest(const std::string& url, const std::string& secret, const Notification& n,
                          int64_t delivery_id) {
  HttpRequest r;
  r.method = "POST";
  r.url = url;
  r.timeout = kForgeTimeout;
  r.body = n.body;
  r.headers = {{"Content-Type", "application/json"},
               {"X-Slipway-Event", n.event},
               {"X-Slipway-Delivery", std::to_string(delivery_id)},
               {"X-Slipway-Signature-256", "sha256=" + webhooks::HmacSha256Hex(secret, n.body)}};
  return r;
}

}  // namespace slipway::core
