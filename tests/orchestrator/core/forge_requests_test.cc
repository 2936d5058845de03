// Forge feedback as values: statuses and their one-line descriptions, each forge's requests and
// states, the verdict on answers (back-off, rate limits), the pull request comment.
#include <catch2/catch.hpp>

#include "core/forge_messages.h"
#include "core/forge_requests.h"
#include "core/pr_comment.h"
#include "core/send_verdict.h"
#include "webhooks/signature.h"

namespace slipway::core {
namespace {

using nlohmann::json;
using webhooks::Forge;

const std::string kSha = "3f2a9c1e5b7d4f60a8c2e9b1d3f5a7c9e1b3d5f7";

store::Run RunOf(RunStatus status) {
  store::Run run;
  run.id = 12;
  run.repo_id = 1;
  run.repo_name = "acme/shop";
  run.number = 7;
  run.branch = "feature/slim";
  run.sha = kSha;
  run.trigger = "push";
  run.status = status;
  run.diagnostics_json = "[]";
  return run;
}

// A runtime stage that built an image of 86.4 MB, 2.1% larger than main's last good build.
store::Job ReviewedJob() {
  store::Job job;
  job.id = 41;
  job.run_id = 12;
  job.name = "runtime";
  job.status = JobStatus::kSuccess;
  json insight = {
      {"size_bytes", 86400000},
      {"vulnerabilities", {{"critical", 0}, {"high", 0}, {"medium", 2}}},
      {"previous",
       {{"default_branch",
         {{"branch", "main"},
          {"size_delta_bytes", 1777000},
          {"size_delta_percent", 2.1},
          {"layers", json::array({{{"change", "grown"},
                                   {"created_by", "RUN pip install -r requirements.txt | tee `x`"},
                                   {"before_bytes", 40000000},
                                   {"after_bytes", 41777000}}})}}}}},
      {"new_findings", json::array({"GHSA-xxxx-yyyy-zzzz (setuptools)"})},
      {"fixed_findings", json::array()},
      {"budget", {{"max_size_bytes", 150000000}, {"broken", json::array()}}},
      {"warnings", json::array()}};
  job.result_json = json{{"insight", insight}, {"cache", {{"steps", 9}, {"cached", 7}}}}.dump();
  return job;
}

TEST_CASE("a stage's verdict fits on one line: size against the base branch and high findings") {
  CHECK(StageVerdict(ReviewedJob()) == "runtime 86.4 MB (+2.1% vs main), 0 high");
  store::Job plain;
  plain.name = "test";
  plain.status = JobStatus::kSuccess;
  plain.duration_ms = 12300;
  plain.result_json = R"({"cache":{"steps":9,"cached":7}})";
  CHECK(StageVerdict(plain) == "test success in 12.3 s, 7/9 steps cached");
  store::Job failed = plain;
  failed.status = JobStatus::kFailure;
  failed.error = "budget: size 160.2 MB (160234567 bytes) is over max_size 150.0 MB";
  CHECK(StageVerdict(failed) ==
        "test: budget: size 160.2 MB (160234567 bytes) is over max_size 150.0 MB");
}

TEST_CASE("descriptions are cut to 140 characters on one line, whole UTF-8 characters kept") {
  std::string long_text = "a\nb" + std::string(200, 'x');
  std::string line = OneLine(long_text, kMaxStatusDescription);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.starts_with("a b"));
  CHECK(line.ends_with("…"));
  std::string accents;
  for (int i = 0; i < 150; ++i) accents += "é";
  std::string cut = OneLine(accents, 140);
  CHECK(cut.size() == 139 * 2 + std::string("…").size());
  CHECK(OneLine(std::string(140, 'y'), 140) == std::string(140, 'y'));  // exactly 140: kept whole
}

TEST_CASE("stage and run statuses carry the context, the link to the page and the state") {
  store::Run run = RunOf(RunStatus::kRunning);
  store::Job job = ReviewedJob();
  job.status = JobStatus::kRunning;
  job.agent = "builder-1";
  CommitStatus running = StageStatus(run, job, "https://ci.example");
  CHECK(running.context == "slipway/runtime");
  CHECK(running.description == "building on builder-1");
  CHECK(running.target_url == "https://ci.example/#/jobs/41");
  CHECK(StatusTopic(running) == "status:" + kSha + ":slipway/runtime");
  CommitStatus whole = RunCommitStatus(RunOf(RunStatus::kFailure), {ReviewedJob()}, "");
  CHECK(whole.context == "slipway");
  CHECK(whole.target_url.empty());
  auto back = CommitStatusFromJson(ToJson(running));
  REQUIRE(back.ok());
  CHECK(back->description == running.description);
  CHECK(back->status == JobStatus::kRunning);
  CHECK_FALSE(CommitStatusFromJson(json{{"sha", kSha}}).ok());
}

TEST_CASE("each forge gets its own states: GitLab runs, GitHub and Gitea stay pending") {
  CommitStatus s{kSha, "slipway/test", JobStatus::kRunning, false, "building", ""};
  CHECK(ForgeState(Forge::kGitHub, s) == "pending");
  CHECK(ForgeState(Forge::kGitea, s) == "pending");
  CHECK(ForgeState(Forge::kGitLab, s) == "running");
  s.status = JobStatus::kFailure;
  CHECK(ForgeState(Forge::kGitHub, s) == "failure");
  CHECK(ForgeState(Forge::kGitLab, s) == "failed");
  s.status = JobStatus::kCanceled;
  CHECK(ForgeState(Forge::kGitHub, s) == "error");
  CHECK(ForgeState(Forge::kGitLab, s) == "canceled");
  s.status = JobStatus::kSkipped;
  CHECK(ForgeState(Forge::kGitHub, s) == "error");
  CHECK(ForgeState(Forge::kGitea, s) == "warning");
  CHECK(ForgeState(Forge::kGitLab, s) == "skipped");
  s.whole_run = true;  // a run its filters left out: nothing to build
  CHECK(ForgeState(Forge::kGitHub, s) == "success");
}

TEST_CASE("status requests: paths, bodies and tokens of each forge") {
  CommitStatus s{kSha,  "slipway/runtime", JobStatus::kSuccess,
                 false, "runtime 86.4 MB", "https://ci/#/jobs/41"};
  HttpRequest gh = StatusRequest({Forge::kGitHub, "https://api.github.com", "acme/shop", "tok"}, s);
  CHECK(gh.method == "POST");
  CHECK(gh.url == "https://api.github.com/repos/acme/shop/statuses/" + kSha);
  CHECK(json::parse(gh.body) == json{{"state", "success"},
                                     {"context", "slipway/runtime"},
                                     {"description", "runtime 86.4 MB"},
                                     {"target_url", "https://ci/#/jobs/41"}});
  auto header = [](const HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return std::string();
  };
  CHECK(header(gh, "Authorization") == "Bearer tok");
  HttpRequest gitea =
      StatusRequest({Forge::kGitea, "https://git.example/api/v1", "acme/shop", "tok"}, s);
  CHECK(gitea.url == "https://git.example/api/v1/repos/acme/shop/statuses/" + kSha);
  CHECK(header(gitea, "Authorization") == "token tok");
  HttpRequest gl =
      StatusRequest({Forge::kGitLab, "https://gl.example/api/v4", "group/sub/shop", "tok"}, s);
  CHECK(gl.url == "https://gl.example/api/v4/projects/group%2Fsub%2Fshop/statuses/" + kSha);
  CHECK(json::parse(gl.body).value("name", "") == "slipway/runtime");
  CHECK_FALSE(json::parse(gl.body).contains("context"));
  CHECK(header(gl, "PRIVATE-TOKEN") == "tok");
  s.target_url = "";
  CHECK_FALSE(json::parse(StatusRequest({Forge::kGitHub, "https://x", "a/b", "t"}, s).body)
                  .contains("target_url"));
}

TEST_CASE("comment requests: GitHub and Gitea issue comments, GitLab merge request notes") {
  ForgeEndpoint gh{Forge::kGitHub, "https://api.github.com", "acme/shop", "t"};
  CHECK(ListCommentsRequest(gh, 5, 2).url ==
        "https://api.github.com/repos/acme/shop/issues/5/comments?per_page=100&page=2");
  CHECK(CreateCommentRequest(gh, 5, "hi").url ==
        "https://api.github.com/repos/acme/shop/issues/5/comments");
  HttpRequest patch = UpdateCommentRequest(gh, 5, "77", "hi");
  CHECK(patch.method == "PATCH");
  CHECK(patch.url == "https://api.github.com/repos/acme/shop/issues/comments/77");
  CHECK(json::parse(patch.body) == json{{"body", "hi"}});
  ForgeEndpoint gl{Forge::kGitLab, "https://gl/api/v4", "g/shop", "t"};
  HttpRequest put = UpdateCommentRequest(gl, 5, "77", "hi");
  CHECK(put.method == "PUT");
  CHECK(put.url == "https://gl/api/v4/projects/g%2Fshop/merge_requests/5/notes/77");
  CHECK(CreateCommentRequest(gl, 5, "x").url ==
        "https://gl/api/v4/projects/g%2Fshop/merge_requests/5/notes");
}

TEST_CASE("the marked comment is found in a listing, a bad listing is an error") {
  const std::string marked = std::string(kPrCommentMarker) + "\nold";
  auto page = ReadCommentPage(
      json::array({{{"id", 1}, {"body", "LGTM"}}, {{"id", 2}, {"body", marked}}}).dump());
  REQUIRE(page.ok());
  CHECK(page->marked_id == std::optional<std::string>("2"));
  CHECK(page->count == 2);
  // Quoting the marker later in a comment does not make it Slipway's.
  auto quoted = ReadCommentPage(json::array({{{"id", 3}, {"body", "> " + marked}}}).dump());
  CHECK_FALSE(quoted->marked_id);
  CHECK_FALSE(ReadCommentPage(R"({"message":"Bad credentials"})").ok());
  CHECK(*CreatedCommentId(R"({"id": 1234, "body": "x"})") == "1234");
  CHECK_FALSE(CreatedCommentId(R"({"id": "../../x"})").ok());
}

TEST_CASE("a notification is signed with HMAC-SHA256 of its exact body") {
  Notification n{"run.failed", R"({"event":"run.failed"})"};
  HttpRequest r = NotifyRequest("https://hooks.example/in", "s3cret", n, 42);
  CHECK(r.body == n.body);
  bool signed_ok = false;
  for (const auto& [k, v] : r.headers) {
    if (k == "X-Slipway-Signature-256")
      signed_ok = v == "sha256=" + webhooks::HmacSha256Hex("s3cret", n.body);
    if (k == "X-Slipway-Delivery") CHECK(v == "42");
  }
  CHECK(signed_ok);
}

TEST_CASE("api_url must be https, or http to a loopback forge, notify_url may be http") {
  CHECK(ValidateApiUrl("https://api.github.com").ok());
  CHECK(ValidateApiUrl("http://127.0.0.1:3000/api/v1").ok());
  CHECK(ValidateApiUrl("http://git.example/api/v1").code() == ErrorCode::kInvalidArgument);
  CHECK_FALSE(ValidateApiUrl("ftp://x").ok());
  CHECK_FALSE(ValidateApiUrl("https://api.github.com?x=1").ok());
  CHECK(ValidateNotifyUrl("http://hooks.internal/slipway").ok());
}

TEST_CASE("answers: 2xx sent, 5xx and dropped connections retried with doubling back-off") {
  RetryPolicy policy{.first_backoff_ms = 1000,
                     .max_backoff_ms = 8000,
                     .rate_limit_wait_ms = 60000,
                     .max_attempts = 5};
  CHECK(JudgeAnswer({201, "{}", {}}, 0, 0, policy).kind == SendVerdict::Kind::kSent);
  SendVerdict v = JudgeAnswer({502, "bad gateway", {}}, 0, 100, policy);
  CHECK(v.kind == SendVerdict::Kind::kRetry);
  CHECK(v.retry_at_ms == 1100);
  CHECK(JudgeAnswer({500, "", {}}, 2, 0, policy).retry_at_ms == 4000);
  CHECK(JudgeAnswer({500, "", {}}, 3, 0, policy).retry_at_ms == 8000);
  CHECK(JudgeNoAnswer(Status::Unavailable("connect refused"), 9, 0, {.max_attempts = 30})
            .retry_at_ms == BackoffMs(10, RetryPolicy{}));
  SendVerdict last = JudgeAnswer({500, "", {}}, 4, 0, policy);
  CHECK(last.kind == SendVerdict::Kind::kFailed);
  CHECK(last.error.starts_with("gave up after 5 attempts"));
  CHECK(JudgeAnswer({422, R"({"message":"Validation Failed"})", {}}, 0, 0, policy).kind ==
        SendVerdict::Kind::kFailed);
  CHECK(JudgeAnswer({401, "", {}}, 0, 0, policy).kind ==
        SendVerdict::Kind::kRetry);  // a token may be fixed
}

TEST_CASE("rate limits: Retry-After, x-ratelimit-reset, GitHub's secondary limit") {
  RetryPolicy policy;
  SendVerdict after = JudgeAnswer({403, "", {{"Retry-After", "30"}}}, 0, 1000, policy);
  CHECK(after.kind == SendVerdict::Kind::kRetry);
  CHECK(after.rate_limited);
  CHECK(after.retry_at_ms == 31000);
  SendVerdict reset =
      JudgeAnswer({403, "", {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000100"}}},
                  0, 1700000000000, policy);
  CHECK(reset.rate_limited);
  CHECK(reset.retry_at_ms == 1700000101000);
  SendVerdict secondary = JudgeAnswer(
      {403, R"({"message":"You have exceeded a secondary rate limit"})", {}}, 0, 0, policy);
  CHECK(secondary.rate_limited);
  CHECK(secondary.retry_at_ms == 60000);
  CHECK(JudgeAnswer({429, "", {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}}}, 0, 1445412470000,
                    policy)
            .retry_at_ms == 1445412480000);
  CHECK_FALSE(JudgeAnswer({403, R"({"message":"Resource not accessible"})", {}}, 0, 0, policy)
                  .rate_limited);
}

TEST_CASE(
    "the pull request comment: marker, table, grown layers, findings, advice, pushed text "
    "escaped") {
  store::Run run = RunOf(RunStatus::kSuccess);
  run.diagnostics_json =
      json::array({{{"file", "Dockerfile"},
                    {"line", 3},
                    {"column", 1},
                    {"code", "cache-order"},
                    {"severity", "warning"},
                    {"message", "copy requirements first <script>alert(1)</script>"}}})
          .dump();
  std::string body = RenderPrComment(run, {ReviewedJob()}, "main", "https://ci.example");
  CHECK(body.starts_with(kPrCommentMarker));
  CHECK(body.find("| runtime | ✅ success | 86.4 MB | +1.8 MB (+2.1%) vs `main` | 0 critical, 0 "
                  "high, 2 medium |") != std::string::npos);
  CHECK(body.find("layer grown +1.8 MB: `RUN pip install -r requirements.txt \\| tee 'x'`") !=
        std::string::npos);
  CHECK(body.find("new vulnerabilities: `GHSA-xxxx-yyyy-zzzz (setuptools)`") != std::string::npos);
  CHECK(body.find("- budget: kept") != std::string::npos);
  CHECK(body.find("[details](https://ci.example/#/runs/12)") != std::string::npos);
  CHECK(body.find("<script>") == std::string::npos);
  CHECK(body.find("\\<script\\>") != std::string::npos);
  CHECK(body.find("`Dockerfile:3:1` warning `cache-order`") != std::string::npos);
}

TEST_CASE("a comment over the forges' limit is cut at a line, saying so") {
  store::Run run = RunOf(RunStatus::kFailure);
  json many = json::array();
  for (int i = 0; i < 2000; ++i) {
    many.push_back({{"file", "Dockerfile"},
                    {"line", i},
                    {"column", 1},
                    {"code", "x"},
                    {"severity", "warning"},
                    {"message", std::string(300, 'm')}});
  }
  run.diagnostics_json = many.dump();
  std::vector<store::Job> jobs;
  for (int i = 0; i < 400; ++i) {
    store::Job j = ReviewedJob();
    j.name = "stage-" + std::to_string(i);
    j.status = JobStatus::kFailure;
    j.error = std::string(400, 'e');
    jobs.push_back(j);
  }
  std::string body = RenderPrComment(run, jobs, "main", "");
  CHECK(body.size() <= kMaxCommentBytes);
  CHECK(body.ends_with("the rest is on the run's page.\n"));
}

}  // namespace
}  // namespace slipway::core
