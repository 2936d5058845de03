// Prints every request body Slipway sends to the forges, as JSON, for validate_requests.mjs to
// check against GitHub's OpenAPI description and the Gitea and GitLab fixtures:
//   {"github": [{"method", "path", "url", "body"}], "gitea": [...], "gitlab": [...]}
// Statuses in every state (stage and run), a 140-character description, no link; the pull
// request comment as rendered, created and updated.
#include <cstdio>

#include "common/json_text.h"
#include "core/forge_messages.h"
#include "core/forge_requests.h"
#include "core/pr_comment.h"

namespace {

using nlohmann::json;
using slipway::JobStatus;
using slipway::core::CommitStatus;
using slipway::webhooks::Forge;

json Entry(const slipway::HttpRequest& r, const std::string& api) {
  json body = r.body.empty() ? json() : json::parse(r.body);
  return {{"method", r.method},
          {"url", r.url},
          {"path", r.url.substr(api.size(), r.url.find('?') - api.size())},
          {"body", body}};
}

}  // namespace

int main() {
  const std::string sha = "3f2a9c1e5b7d4f60a8c2e9b1d3f5a7c9e1b3d5f7";
  slipway::store::Run run;
  run.id = 12;
  run.number = 7;
  run.repo_name = "acme/shop";
  run.branch = "feature/slim";
  run.sha = sha;
  run.status = slipway::RunStatus::kFailure;
  run.error = "";
  run.diagnostics_json =
      R"([{"file":"Dockerfile","line":3,"column":1,"code":"cache-order","severity":"warning",
                             "message":"copy the requirements before the sources"}])";
  slipway::store::Job job;
  job.id = 41;
  job.name = "runtime";
  job.status = JobStatus::kFailure;
  job.error = "budget: size 160.2 MB is over max_size 150.0 MB";
  const std::string comment =
      slipway::core::RenderPrComment(run, {job}, "main", "https://ci.example");

  json out = json::object();
  for (auto [forge, name, api] :
       {std::tuple{Forge::kGitHub, "github", "https://api.github.com"},
        std::tuple{Forge::kGitea, "gitea", "https://git.example/api/v1"},
        std::tuple{Forge::kGitLab, "gitlab", "https://gitlab.example/api/v4"}}) {
    const slipway::core::ForgeEndpoint to{forge, api, "acme/shop", "token"};
    json list = json::array();
    for (JobStatus status :
         {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSuccess, JobStatus::kFailure,
          JobStatus::kCanceled, JobStatus::kError, JobStatus::kSkipped}) {
      for (bool whole_run : {false, true}) {
        CommitStatus s{
            sha,
            whole_run ? "slipway" : "slipway/runtime",
            status,
            whole_run,
            slipway::core::OneLine(std::string(300, 'd'), slipway::core::kMaxStatusDescription),
            whole_run ? "" : "https://ci.example/#/jobs/41"};
        list.push_back(Entry(slipway::core::StatusRequest(to, s), api));
      }
    }
    list.push_back(Entry(slipway::core::CreateCommentRequest(to, 5, comment), api));
    list.push_back(Entry(slipway::core::UpdateCommentRequest(to, 5, "1001", comment), api));
    out[name] = list;
  }
  std::puts(slipway::JsonText(out).c_str());
  return 0;
}
