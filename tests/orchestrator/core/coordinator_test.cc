// The Coordinator on a real (temporary) database with a fake clock: restore after a restart,
// finishing jobs, cancels and stale leases. No planning: runs and jobs are stored directly, as a
// finished planning would have left them.
#include "core/coordinator.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>

#include "../store/temp_database.h"
#include "store/base_image_store.h"
#include "store/outbox_store.h"

namespace slipway::core {
namespace {

using nlohmann::json;
using store::testing::CountRows;
using store::testing::TempDatabase;

const std::string kDigest = "sha256:" + std::string(64, 'a');
const std::string kBase = "sha256:" + std::string(64, 'b');
constexpr int64_t kStart = 1'764'000'000'000;

// Keeps the one answer a long-poll gets.
template <typename T>
class CapturingPoll : public LongPoll<T> {
 public:
  void Answer(T answer) override {
    std::lock_guard lock(mu_);
    if (!answer_) answer_.emplace(std::move(answer));
  }
  bool Closed() const override {
    std::lock_guard lock(mu_);
    return answer_.has_value();
  }

  std::optional<T> answer() const {
    std::lock_guard lock(mu_);
    return answer_;
  }

 private:
  mutable std::mutex mu_;
  std::optional<T> answer_;
};
using CapturingLease = CapturingPoll<std::optional<protocol::LeaseOffer>>;
using CapturingRenewal = CapturingPoll<Result<protocol::RenewAnswer>>;

struct Fixture {
  TempDatabase temp;
  std::atomic<int64_t> now{kStart};
  ServerConfig config;
  std::unique_ptr<Coordinator> coordinator;
  int64_t repo_id = 0;

  Fixture() {
    config.data_dir = temp.dir.File("data");
    config.base_check = "off";
    config.lease_seconds = 15;
    auto repo = store::RepoStore(*temp.db).Upsert({.name = "owner/app", .forge = "gitea",
                                                  .clone_url = "http://127.0.0.1:9/app.git", .secret = "s"},
                                                 kStart);
    REQUIRE(repo.ok());
    repo_id = repo->id;
  }

  void Start() {
    coordinator = std::make_unique<Coordinator>(config, *temp.db, [this] { return now.load(); });
    REQUIRE(coordinator->Start().ok());
  }

  store::Run AddRun() {
    auto run = store::RunStore(*temp.db).CreateRun({.repo_id = repo_id, .branch = "main",
                                                    .sha = std::string(40, 'c'), .trigger = "manual",
                                                    .created_at = now.load()});
    REQUIRE(run.ok());
    return *run;
  }

  std::vector<store::Job> AddJobs(int64_t run_id, std::vector<std::string> names) {
    std::vector<store::NewJob> jobs;
    for (const auto& name : names) {
      jobs.push_back({.name = name, .stage = name, .spec_json = json{{"name", name}, {"stage", name}, {"bases", json::array({"busybox:1.36"})}}.dump()});
    }
    auto created = store::JobStore(*temp.db).CreateJobs(run_id, jobs);
    REQUIRE(created.ok());
    return *created;
  }

  store::Job Job(int64_t id) {
    auto job = store::JobStore(*temp.db).Get(id);
    REQUIRE(job.ok());
    return *job;
  }

  // Asks for work as `agent`, without waiting; the lease id, or "" when none was given.
  std::string Lease(const std::string& agent = "builder-1") {
    auto poll = std::make_shared<CapturingLease>();
    coordinator->WaitForLease({.name = agent, .labels = {}, .capacity = 4}, "0.1.0", 0, poll);
    auto answer = poll->answer();
    REQUIRE(answer);
    return *answer ? (*answer)->id : "";
  }

  // A run of one job "runtime", the coordinator started, and the job leased to builder-1.
  struct Leased {
    store::Run run;
    store::Job job;
    std::string lease;
  };
  Leased StartWithLeasedJob() {
    store::Run run = AddRun();
    store::Job job = AddJobs(run.id, {"runtime"})[0];
    Start();
    std::string lease = Lease();
    REQUIRE_FALSE(lease.empty());
    return {run, job, lease};
  }

  // The renewal's answer: ok, or the error code (kConflict for a lease not held).
  ErrorCode Renew(const std::string& lease_id) {
    auto poll = std::make_shared<CapturingRenewal>();
    coordinator->RenewLease(lease_id, 0, poll);
    auto answer = poll->answer();
    REQUIRE(answer);
    return answer->status().code();
  }
};

protocol::FinishReport Success() {
  protocol::FinishReport report;
  report.status = JobStatus::kSuccess;
  report.duration_ms = 1200;
  report.image = protocol::ImageFacts{.ref = "", .digest = kDigest, .size_bytes = 300,
                                      .layers = {{kBase, 300, std::nullopt, "COPY . /app"}}};
  report.bases = {{"busybox:1.36", kBase, "engine"}};
  return report;
}

TEST_CASE("a restart keeps live leases and takes back dead ones") {
  Fixture f;
  store::Run run = f.AddRun();
  auto jobs = f.AddJobs(run.id, {"live", "dead"});
  const store::Job& live = jobs[0];
  const store::Job& dead = jobs[1];
  store::JobStore job_store(*f.temp.db);
  REQUIRE(job_store.MarkLeased(live.id, "lease-live", "builder-1", 1, kStart + 10'000, kStart).ok());
  REQUIRE(job_store.MarkLeased(dead.id, "lease-dead", "builder-2", 1, kStart - 1, kStart - 20'000).ok());
  REQUIRE(store::RunStore(*f.temp.db).SetStatus(run.id, {.status = RunStatus::kRunning, .started_at = kStart}).ok());

  f.Start();
  CHECK(f.Job(live.id).status == JobStatus::kRunning);
  CHECK(f.Job(dead.id).status == JobStatus::kPending);  // requeued, for another attempt
  CHECK_FALSE(f.Job(dead.id).lease_id);
  CHECK(f.coordinator->Metrics()["slipway_leases_live"] == 1);
  CHECK(f.Renew("lease-live") == ErrorCode::kOk);
  CHECK(f.Renew("lease-dead") == ErrorCode::kConflict);
  // The requeued job goes out again, as its second attempt.
  std::string again = f.Lease("builder-3");
  REQUIRE_FALSE(again.empty());
  CHECK(f.Job(dead.id).attempt == 2);
  CHECK(f.Job(dead.id).agent == "builder-3");
}

TEST_CASE("a finish records job, image and bases once, a retried finish is answered as done") {
  Fixture f;
  auto [run, job, lease] = f.StartWithLeasedJob();
  CHECK(f.Job(job.id).status == JobStatus::kRunning);

  f.now += 1000;
  REQUIRE(f.coordinator->FinishJob(lease, Success()).ok());
  store::Job done = f.Job(job.id);
  CHECK(done.status == JobStatus::kSuccess);
  CHECK(done.duration_ms == 1200);
  REQUIRE(done.result_json);
  CHECK(json::parse(*done.result_json)["image"]["digest"] == kDigest);
  CHECK(CountRows(*f.temp.db, "images") == 1);
  CHECK(CountRows(*f.temp.db, "base_images") == 1);
  CHECK(store::RunStore(*f.temp.db).Get(run.id)->status == RunStatus::kSuccess);

  // The agent lost the answer and sends the same finish again: done, nothing written twice.
  CHECK(f.coordinator->FinishJob(lease, Success()).ok());
  CHECK(CountRows(*f.temp.db, "images") == 1);
  CHECK(CountRows(*f.temp.db, "base_images") == 1);
  // A different result under the finished lease is a conflict.
  protocol::FinishReport failure;
  failure.status = JobStatus::kFailure;
  CHECK(f.coordinator->FinishJob(lease, failure).code() == ErrorCode::kConflict);
  CHECK(f.Job(job.id).status == JobStatus::kSuccess);
}

TEST_CASE("a finish whose image cannot be recorded leaves the job running, without bases") {
  Fixture f;
  auto [run, job, lease] = f.StartWithLeasedJob();
  // The same digest for the same job is refused by the images table: the whole finish must roll back.
  store::ImageRecord clash{.digest = kDigest, .repo_id = f.repo_id, .job_id = job.id, .stage = "runtime",
                           .branch = "main", .sha = run.sha, .created_at = kStart};
  REQUIRE(store::ImageStore(*f.temp.db).Record(clash).ok());
  Status s = f.coordinator->FinishJob(lease, Success());
  CHECK(s.code() == ErrorCode::kInternal);  // not taken for a retried finish
  CHECK(f.Job(job.id).status == JobStatus::kRunning);
  CHECK_FALSE(f.Job(job.id).result_json);
  CHECK(CountRows(*f.temp.db, "images") == 1);
  CHECK(CountRows(*f.temp.db, "base_images") == 0);
}

TEST_CASE("a stale lease is refused with a conflict and writes nothing") {
  Fixture f;
  auto [run, job, lease] = f.StartWithLeasedJob();

  // Past its expiry but before housekeeping took it back: already refused.
  f.now += 16'000;
  CHECK(f.coordinator->FinishJob(lease, Success()).code() == ErrorCode::kConflict);
  CHECK(f.Job(job.id).status == JobStatus::kRunning);
  CHECK(CountRows(*f.temp.db, "images") == 0);

  f.coordinator->Tick();  // takes the lease back and requeues the job
  CHECK(f.Job(job.id).status == JobStatus::kPending);
  CHECK(f.coordinator->FinishJob(lease, Success()).code() == ErrorCode::kConflict);
  CHECK(f.coordinator->AppendLog(lease, 0, "late\n").code() == ErrorCode::kConflict);
  CHECK(f.coordinator->MarkPushing(lease).code() == ErrorCode::kConflict);
  CHECK(f.Renew(lease) == ErrorCode::kConflict);
  CHECK(CountRows(*f.temp.db, "log_chunks") == 0);
  CHECK(f.Job(job.id).status == JobStatus::kPending);
}

TEST_CASE("a run canceled before its planning finished ends canceled, and only once") {
  Fixture f;
  f.Start();
  store::Run run = f.AddRun();  // pending, no jobs yet: as while the worker plans it
  REQUIRE(f.coordinator->CancelRun(run.id).ok());
  auto canceled = store::RunStore(*f.temp.db).Get(run.id);
  REQUIRE(canceled.ok());
  CHECK(canceled->status == RunStatus::kCanceled);
  CHECK(canceled->error == "canceled before planning finished");
  CHECK(canceled->finished_at == kStart);
  CHECK(f.coordinator->CancelRun(run.id).code() == ErrorCode::kConflict);
}

TEST_CASE("canceling a running run asks its agent to stop, the canceled finish is recorded") {
  Fixture f;
  auto [run, job, lease] = f.StartWithLeasedJob();
  REQUIRE(f.coordinator->CancelRun(run.id).ok());
  auto poll = std::make_shared<CapturingRenewal>();
  f.coordinator->RenewLease(lease, 0, poll);
  REQUIRE(poll->answer());
  REQUIRE(poll->answer()->ok());
  CHECK((*poll->answer())->cancel);
  protocol::FinishReport canceled;
  canceled.status = JobStatus::kCanceled;
  REQUIRE(f.coordinator->FinishJob(lease, canceled).ok());
  CHECK(f.Job(job.id).status == JobStatus::kCanceled);
  auto stored = store::RunStore(*f.temp.db).Get(run.id);
  CHECK(stored->status == RunStatus::kCanceled);
  CHECK(stored->error == "canceled by request");
}

}  // namespace
}  // namespace slipway::core

namespace slipway::core {
namespace {

// The states stored for the forge, per status context, in the order they were stored.
std::map<std::string, std::vector<std::string>> StoredStatuses(store::Database& db, int64_t repo_id) {
  auto messages = store::OutboxStore(db).ListByRepo(repo_id, 100);
  REQUIRE(messages.ok());
  std::map<std::string, std::vector<std::string>> out;
  for (auto it = messages->rbegin(); it != messages->rend(); ++it) {
    if (it->kind != "status") continue;
    json payload = json::parse(it->payload);
    out[payload["context"]].push_back(payload["status"].get<std::string>() + ": " +
                                      payload["description"].get<std::string>());
  }
  return out;
}

TEST_CASE("a repository with an api_url gets a status per stage and for the run, in order") {
  Fixture f;
  store::RepoSpec spec{"owner/app", "gitea", "http://127.0.0.1:9/app.git", "s", std::nullopt};
  spec.links = store::ForgeLinks{"http://127.0.0.1:9/api/v1", "", {}};  // nobody listens: all stay stored
  REQUIRE(store::RepoStore(*f.temp.db).Upsert(spec, kStart).ok());
  f.config.public_url = "https://ci.example";
  auto [run, job, lease] = f.StartWithLeasedJob();
  f.now += 1000;
  REQUIRE(f.coordinator->FinishJob(lease, Success()).ok());

  auto statuses = StoredStatuses(*f.temp.db, f.repo_id);
  CHECK(statuses["slipway/runtime"] ==
        std::vector<std::string>{"running: building on builder-1", "success: runtime success in 1.2 s"});
  REQUIRE(statuses["slipway"].size() == 2);
  CHECK(statuses["slipway"][0] == "running: run 1 building");
  CHECK(statuses["slipway"][1].starts_with("success: run 1: 1 stage built"));
  auto messages = store::OutboxStore(*f.temp.db).ListByRepo(f.repo_id, 100);
  CHECK(json::parse(messages->front().payload)["target_url"] == "https://ci.example/#/runs/" + std::to_string(run.id));
}

TEST_CASE("a repository without an api_url gets nothing stored for the forge") {
  Fixture f;
  auto [run, job, lease] = f.StartWithLeasedJob();
  REQUIRE(f.coordinator->FinishJob(lease, Success()).ok());
  CHECK(CountRows(*f.temp.db, "forge_outbox") == 0);
}

}  // namespace
}  // namespace slipway::core
