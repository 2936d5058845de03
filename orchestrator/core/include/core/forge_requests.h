// The HTTP requests Slipway sends to GitHub, Gitea and GitLab (and to notification receivers),
// built from plain values: commit statuses, the pull request comment (listed, created, updated),
// signed notifications. What each forge's answer means for the outbox is in core/send_verdict.h.
//
//   GitHub  POST  {api}/repos/{repo}/statuses/{sha}                {state, target_url, description,
//   context}
//           GET   {api}/repos/{repo}/issues/{n}/comments?per_page=100&page=P
//           POST  {api}/repos/{repo}/issues/{n}/comments           {body}
//           PATCH {api}/repos/{repo}/issues/comments/{id}          {body}
//   Gitea   the same paths under its /api/v1, with "Authorization: token ..."
//   GitLab  POST  {api}/projects/{repo, %-encoded}/statuses/{sha}  {state, name, target_url,
//   description}
//           GET   .../merge_requests/{n}/notes?per_page=100&page=P&sort=asc
//           POST  .../merge_requests/{n}/notes                     {body}
//           PUT   .../merge_requests/{n}/notes/{id}                {body}
//
// Pure. Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "common/status.h"
#include "core/forge_messages.h"
#include "webhooks/forge.h"

namespace slipway::core {

struct ForgeEndpoint {
  webhooks::Forge forge = webhooks::Forge::kGitHub;
  std::string api_url;  // without a trailing '/'
  std::string repo;     // "owner/name" (GitLab: "group/sub/name")
  std::string token;
};

// An api_url a repository may name: https://, or http:// to a loopback address (a forge on the
// same machine): the forge token travels with every request. Without a query or fragment.
Status ValidateApiUrl(std::string_view url);
// A notify_url: http:// or https:// (notifications are signed, and carry no token).
Status ValidateNotifyUrl(std::string_view url);

// The forge's word for the status: GitHub error failure pending success; Gitea adds warning (a
// skipped stage); GitLab pending running success failed canceled skipped.
std::string ForgeState(webhooks::Forge forge, const CommitStatus& status);
nlohmann::json StatusBody(webhooks::Forge forge, const CommitStatus& status);
HttpRequest StatusRequest(const ForgeEndpoint& to, const CommitStatus& status);

// Comments of a pull request (GitLab: notes of a merge request), 100 a page, from page 1.
inline constexpr int kCommentsPerPage = 100;
HttpRequest ListCommentsRequest(const ForgeEndpoint& to, int64_t pr_number, int page);
HttpRequest CreateCommentRequest(const ForgeEndpoint& to, int64_t pr_number,
                                 const std::string& body);
HttpRequest UpdateCommentRequest(const ForgeEndpoint& to, int64_t pr_number,
                                 const std::string& comment_id, const std::string& body);
nlohmann::json CommentBody(const std::string& body);
// From a listing answer: the id of the comment whose body starts with kPrCommentMarker, and how
// many comments the page held. InvalidArgument when the answer is not a JSON array.
struct CommentPage {
  std::optional<std::string> marked_id;
  size_t count = 0;
};
Result<CommentPage> ReadCommentPage(std::string_view answer);
// The id of a created comment, from the forge's answer ({"id": 123, ...}).
Result<std::string> CreatedCommentId(std::string_view answer);

// POST to `url` with the notification's body, "X-Slipway-Event", "X-Slipway-Delivery" and, under
// `secret`, "X-Slipway-Signature-256: sha256=<hex HMAC-SHA256 of the body>" (as GitHub signs).
HttpRequest NotifyRequest(const std::string& url, const std::string& secret,
                          const Notification& notification, int64_t delivery_id);

}  // namespace slipway::core
