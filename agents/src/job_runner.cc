#include "agent/job_runner.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/build_command.h"
#include "agent/docker_registry_access.h"
#include "agent/buildx_runner.h"
#include "agent/image_inspector.h"
#include "agent/log_batcher.h"
#include "agent/report.h"
#include "common/image_ref.h"
#include "common/log.h"

namespace slipway::agent {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::atomic<int> live_renewers{0};

// State shared by the job's thread, its renewer and its reporter.
struct JobState {
  CancelToken build_cancel;    // stops the build (server cancel, lost lease, shutdown)
  std::atomic<bool> lost{false};
  std::atomic<bool> cancel_requested{false};
  CancelToken done;            // the job is over: the renewer stops
};

void StartRenewer(AgentClient* client, std::string lease_id, int renew_every_ms, std::shared_ptr<JobState> st) {
  ++live_renewers;
  std::thread([client, lease_id, renew_every_ms, st] {
    int failures = 0;
    while (!st->done.canceled()) {
      auto start = Clock::now();
      auto answer = client->Renew(lease_id, 3);
      if (st->done.canceled()) break;
      if (answer.ok()) {
        failures = 0;
        if (*answer == RenewAnswer::kCancel && !st->cancel_requested.exchange(true)) {
          LogInfo("job canceled by the server", {{"lease", lease_id}});
          st->build_cancel.Cancel();
        }
      } else if (answer.status().code() == ErrorCode::kConflict) {
        LogWarn("lease lost", {{"lease", lease_id}});
        st->lost = true;
        st->build_cancel.Cancel();
        break;
      } else {
        ++failures;
        LogWarn("renew failed", {{"lease", lease_id}, {"error", answer.status().ToString()}});
      }
      // The server holds a renew for up to 3 s; a quick answer (cancel seen, or an error) must not
      // turn into a busy loop.
      auto elapsed = Clock::now() - start;
      milliseconds pause = failures ? milliseconds(std::min(250 * failures, 2000))
                                    : (st->cancel_requested ? milliseconds(renew_every_ms / 2) : milliseconds(0));
      if (elapsed < milliseconds(200) && pause < milliseconds(200)) pause = milliseconds(200);
      if (pause.count() > 0) st->done.WaitFor(pause);
    }
    --live_renewers;
  }).detach();
}

// Ships log chunks and step lists from its own thread, in order, so the build never waits on HTTP.
class Reporter {
 public:
  Reporter(AgentClient* client, std::string lease_id, std::shared_ptr<JobState> st)
      : client_(client), lease_id_(std::move(lease_id)), st_(std::move(st)), thread_([this] { Run(); }) {}
  ~Reporter() { Close(); }

  void AddLines(const std::vector<std::string>& lines) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto now = Clock::now();
    bool was_empty = batcher_.pending_bytes() == 0;
    for (const auto& l : lines) batcher_.Append(l, now);
    // Wake the sender when a chunk is full, or when lines arrive while it waits with no deadline.
    if (was_empty || batcher_.Full()) cv_.notify_one();
  }
  void AddLine(const std::string& line) { AddLines({line}); }
  void SetSteps(const std::vector<BuildStep>& steps) {
    std::lock_guard<std::mutex> lock(mutex_);
    steps_ = StepsOf(steps);
    steps_dirty_ = true;
    cv_.notify_one();
  }
  // Sends everything still pending and stops the thread.
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      auto deadline = batcher_.Deadline();
      auto ready = [&] { return closing_ || steps_dirty_ || batcher_.Full(); };
      if (deadline) {
        cv_.wait_until(lock, *deadline, ready);
      } else {
        // Nothing pending: wait for lines too, then go round to wait for their chunk's deadline.
        cv_.wait(lock, [&] { return ready() || batcher_.pending_bytes() > 0; });
      }
      bool flush = closing_;
      std::optional<LogChunk> chunk = batcher_.Take(Clock::now(), flush);
      std::optional<protocol::StepsReport> steps;
      if (steps_dirty_) {
        steps = steps_;
        steps_dirty_ = false;
      }
      bool last = closing_ && !chunk && !steps && batcher_.pending_bytes() == 0;
      if (last) return;
      lock.unlock();
      if (chunk) Send([&] { return client_->PostLog(lease_id_, chunk->seq, chunk->data); });
      if (steps) Send([&] { return client_->PostSteps(lease_id_, *steps); });
      lock.lock();
    }
  }

  template <typename F>
  void Send(F post) {
    if (st_->lost) return;
    for (int attempt = 0; attempt < 8; ++attempt) {
      Status s = post();
      if (s.ok()) return;
      if (s.code() == ErrorCode::kConflict) {
        st_->lost = true;
        st_->build_cancel.Cancel();
        return;
      }
      if (s.code() != ErrorCode::kUnavailable) {
        LogWarn("report refused", {{"lease", lease_id_}, {"error", s.ToString()}});
        return;
      }
      LogWarn("report failed; retrying", {{"lease", lease_id_}, {"error", s.ToString()}});
      std::this_thread::sleep_for(milliseconds(100 << std::min(attempt, 4)));
    }
  }

  AgentClient* client_;
  std::string lease_id_;
  std::shared_ptr<JobState> st_;
  std::mutex mutex_;
  std::condition_variable cv_;
  LogBatcher batcher_;
  protocol::StepsReport steps_;
  bool steps_dirty_ = false;
  bool closing_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

// The digest of each base the build used, as its engine (or registry) has it now, just after the
// build; bases that cannot be resolved are named in the log and left out of the report.
std::vector<BaseImage> ResolveBases(const std::vector<std::string>& bases, const std::string& docker,
                                    Reporter& reporter) {
  std::vector<BaseImage> out;
  for (const std::string& ref : bases) {
    auto resolved = ResolveImageDigest(ref, docker);
    if (!resolved.ok()) {
      reporter.AddLine("slipway: base " + ref + ": digest unknown (" + resolved.status().message() + ")");
      continue;
    }
    reporter.AddLine("slipway: base " + ref + " is " + resolved->digest + " (" + resolved->source + ")");
    out.push_back({ref, resolved->digest, resolved->source});
  }
  return out;
}

long long ElapsedMs(Clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

// The job's context and Dockerfile with their symbolic links followed, refused when one leads out
// of the checkout.
Status ResolveJobPaths(const std::string& checkout, pipelines::JobSpec* spec) {
  auto context = ResolveInCheckout(checkout, spec->context.empty() ? "." : spec->context);
  if (!context.ok()) return context.status().Annotate("context");
  auto dockerfile = ResolveInCheckout(checkout, spec->dockerfile.empty() ? "Dockerfile" : spec->dockerfile);
  if (!dockerfile.ok()) return dockerfile.status().Annotate("dockerfile");
  spec->context = *context;
  spec->dockerfile = *dockerfile;
  return Status::Ok();
}

Status SendFinish(AgentClient* client, const std::string& lease_id, const FinishReport& report,
                  const JobState& st) {
  Status s;
  for (int attempt = 0; attempt < 12; ++attempt) {
    if (st.lost) return Status::Conflict("lease lost");
    s = client->Finish(lease_id, report);
    if (s.ok() || s.code() != ErrorCode::kUnavailable) return s;
    std::this_thread::sleep_for(milliseconds(std::min(200 << attempt, 5000)));
  }
  return s;
}

}  // namespace

int LiveRenewers() { return live_renewers.load(); }

LeaseEnd RunLease(const JobContext& ctx, const Lease& lease) {
  const auto start = Clock::now();
  auto st = std::make_shared<JobState>();
  AgentClient* client = ctx.client;
  LogInfo("job leased", {{"lease", lease.id}, {"job", std::to_string(lease.job_id)},
                         {"name", lease.spec.name}, {"sha", lease.sha}});
  StartRenewer(client, lease.id, lease.renew_every_ms, st);
  // Agent shutdown stops the build too.
  std::thread stop_relay;
  if (ctx.stop) {
    stop_relay = std::thread([&] {
      while (!st->done.canceled()) {
        if (ctx.stop->WaitFor(milliseconds(100))) {
          st->build_cancel.Cancel();
          return;
        }
      }
    });
  }
  auto cleanup = [&](LeaseEnd end) {
    st->done.Cancel();
    if (stop_relay.joinable()) stop_relay.join();
    return end;
  };

  FinishReport report;
  std::string checkout;
  {
    Reporter reporter(client, lease.id, st);
    auto dir = ctx.workspace->Checkout(lease.clone_url, lease.sha, ctx.slot, lease.git_credential);
    if (!dir.ok()) {
      report.status = JobStatus::kError;
      report.error = "checkout: " + dir.status().message();
      reporter.AddLine("slipway: " + report.error);
    } else {
      checkout = *dir;
      reporter.AddLine("slipway: checked out " + lease.sha + " in " + std::to_string(ElapsedMs(start)) + " ms");
      BuildInvocation inv;
      inv.docker = client->config().docker;
      inv.checkout_dir = checkout;
      inv.metadata_file = ctx.workdir + "/jobs/" + ctx.slot + ".metadata.json";
      std::error_code ec;
      std::filesystem::remove(inv.metadata_file, ec);
      BuildHooks hooks;
      bool pushing_told = false;
      hooks.on_lines = [&](const std::vector<std::string>& lines) {
        reporter.AddLines(lines);
        if (!lease.spec.push || pushing_told) return;
        for (const auto& line : lines) {
          if (line.find("pushing layers") == std::string::npos && line.find("exporting to image") == std::string::npos) continue;
          // Once the export starts, a newer push must not cancel this job (best effort, off the build's thread).
          pushing_told = true;
          std::thread([client, id = lease.id] { (void)client->MarkPushing(id); }).detach();
          break;
        }
      };
      hooks.on_steps = [&](const std::vector<BuildStep>& steps) { reporter.SetSteps(steps); };
      RunOptions options;
      options.metadata_file = inv.metadata_file;
      // The build reads the context and the Dockerfile where their links lead: inside the checkout only.
      pipelines::JobSpec spec = lease.spec;
      Status paths = ResolveJobPaths(checkout, &spec);
      if (!paths.ok()) {
        report.status = JobStatus::kError;
        report.error = paths.message();
        reporter.AddLine("slipway: " + report.error);
      }
      for (int round = 0; round < 2 && paths.ok(); ++round) {
        inv.cache_export = ctx.cache_export ? ctx.cache_export->load() : true;
        auto argv = BuildxArgv(spec, inv);
        if (!argv.ok()) {
          report.status = JobStatus::kError;
          report.error = argv.status().message();
          reporter.AddLine("slipway: " + report.error);
          break;
        }
        auto outcome = RunBuild(*argv, options, hooks, &st->build_cancel);
        if (!outcome.ok()) {
          report.status = JobStatus::kError;
          report.error = outcome.status().message();
          break;
        }
        if (round == 0 && !outcome->ok() && inv.cache_export && !lease.spec.cache_ref.empty() &&
            IsCacheExportRefusal(*outcome) && ctx.cache_export) {
          ctx.cache_export->store(false);
          reporter.AddLine("slipway: the builder cannot export a registry cache; building without --cache-to");
          continue;
        }
        report = ReportFromOutcome(*outcome);
        LogDebug("build ended", {{"lease", lease.id}, {"exit_code", std::to_string(outcome->exit_code)},
                                 {"build_ms", std::to_string(outcome->duration_ms)}});
        if (outcome->ok()) {
          std::string ref = lease.spec.tags.empty() ? outcome->image_digest : lease.spec.tags.front();
          auto image = InspectLocalImage(ref, inv.docker);
          if (image.ok()) {
            image->ref = lease.spec.tags.empty() ? "" : ref;
            if (!outcome->image_digest.empty()) image->digest = outcome->image_digest;
            if (lease.spec.push) {
              auto parsed = ParseImageRef(ref);
              auto manifest = parsed.ok() ? FetchRegistryManifest(*parsed, DockerRegistryAccess(parsed->host))
                                          : Result<RegistryManifest>(parsed.status());
              if (manifest.ok()) MergeRegistrySizes(*manifest, &*image);
              else LogWarn("registry manifest", {{"ref", ref}, {"error", manifest.status().ToString()}});
            }
            report.image = ImageFactsOf(*image);
            LogDebug("image inspected", {{"lease", lease.id}, {"elapsed_ms", std::to_string(ElapsedMs(start))}});
          } else {
            LogWarn("image inspection failed", {{"ref", ref}, {"error", image.status().ToString()}});
            if (!outcome->image_digest.empty()) {  // the server records an image by its digest
              report.image = protocol::ImageFacts{.ref = lease.spec.tags.empty() ? "" : ref,
                                                  .digest = outcome->image_digest,
                                                  .config_digest = outcome->config_digest};
            }
          }
          if (ctx.examiner && report.image) {
            auto exam = ctx.examiner->Examine(ref, report.image->digest, lease.scanners);
            reporter.AddLines(exam.log_lines);
            report.insight = std::move(exam.report);
            report.scans = std::move(exam.scans);
          }
          report.bases = ResolveBases(lease.spec.bases, inv.docker, reporter);
        }
        break;
      }
    }
    reporter.Close();  // every log line and step list reaches the server before finish
  }
  report.duration_ms = ElapsedMs(start);
  if (!checkout.empty()) ctx.workspace->Remove(lease.clone_url, checkout);

  if (st->lost) {
    LogWarn("lease lost; result dropped", {{"lease", lease.id}});
    return cleanup(LeaseEnd::kLost);
  }
  if (ctx.stop && ctx.stop->canceled() && !st->cancel_requested) {
    LogInfo("agent stopping; job left to be requeued", {{"lease", lease.id}});
    return cleanup(LeaseEnd::kAbandoned);
  }
  Status s = SendFinish(client, lease.id, report, *st);
  LogInfo("job finished", {{"lease", lease.id}, {"status", std::string(JobStatusName(report.status))},
                           {"duration_ms", std::to_string(report.duration_ms)},
                           {"reported", s.ok() ? "yes" : s.ToString()}});
  return cleanup(s.code() == ErrorCode::kConflict ? LeaseEnd::kLost : LeaseEnd::kFinished);
}

}  // namespace slipway::agent
