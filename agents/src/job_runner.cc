#include "agent/job_runner.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "agent/build_command.h"
#include "agent/buildx_runner.h"
#include "agent/docker_registry_access.h"
#include "agent/image_inspector.h"
#include "agent/job_secrets.h"
#include "agent/report.h"
#include "common/image_ref.h"
#include "common/log.h"
#include "common/registry_client.h"
#include "job_channel.h"

namespace slipway::agent {
namespace {

using std::chrono::milliseconds;

// The digest of each base the build used, as its engine (or registry) has it now, just after the
// build; bases that cannot be resolved are named in the log and left out of the report. A base
// naming no registry is looked up on the server's upstream, as the server's base checks do.
std::vector<BaseImage> ResolveBases(const std::vector<std::string>& bases, const std::string& docker,
                                    const std::string& upstream, Reporter& reporter) {
  std::vector<BaseImage> out;
  for (const std::string& ref : bases) {
    RegistryAccess access;
    if (!upstream.empty()) access.upstream = upstream;
    if (auto parsed = ParseImageRef(ref, access.upstream); parsed.ok()) {
      access.hosts = DockerRegistryAccess(parsed->host).hosts;
    }
    auto resolved = ResolveImageDigest(ref, docker, access);
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

// Relays agent shutdown (ctx.stop) to the build until the job is over.
class StopRelay {
 public:
  StopRelay(const CancelToken* stop, std::shared_ptr<JobState> st) {
    if (!stop) return;
    thread_ = std::thread([stop, st = std::move(st)] {
      while (!st->done.canceled()) {
        if (stop->WaitFor(milliseconds(100))) {
          st->build_cancel.Cancel();
          return;
        }
      }
    });
  }
  // REQUIRES: the job is over (st->done canceled), or the agent is stopping.
  ~StopRelay() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

// One leased job in progress: what each of its steps needs.
struct JobRun {
  const JobContext& ctx;
  const Lease& lease;
  std::shared_ptr<JobState> st;
  Clock::time_point start;
  Reporter& reporter;
  JobSecrets& secrets;  // the lease's secrets on disk, removed once the build ends
};

// Each registry the lease gives a login for is asked for one of the job's images with it before
// the build, so a wrong password is a clear job error rather than a failed push at the end.
Status CheckRegistryLogins(const Lease& lease, const std::string& docker_config_dir) {
  std::vector<std::string> refs = lease.spec.tags;
  refs.insert(refs.end(), lease.spec.bases.begin(), lease.spec.bases.end());
  if (!lease.spec.cache_ref.empty()) refs.push_back(lease.spec.cache_ref);
  for (const auto& login : lease.registries) {
    for (const auto& ref : refs) {
      auto parsed = ParseImageRef(ref);
      if (!parsed.ok() || parsed->host != login.host) continue;
      auto answer =
          RegistryFetch(DockerRegistryAccess(login.host, docker_config_dir), login.host,
                        parsed->name, "HEAD", "manifests/" + parsed->reference, kManifestAccept);
      if (!answer.ok() && answer.status().code() == ErrorCode::kUnauthenticated) {
        return Status::Unauthenticated(
            "registry " + login.host +
            " refused the login the server gave for it: check the repository's or the "
            "server's REGISTRY_<HOST>_USERNAME and _PASSWORD secrets (" +
            answer.status().message() + ")");
      }
      break;  // one reference per registry is enough
    }
  }
  return Status::Ok();
}

// Every text of the report that came from the build, masked of the lease's secrets.
void MaskReport(const JobSecrets& secrets, FinishReport* report) {
  report->error = secrets.Mask(report->error);
  report->failed_step = secrets.Mask(report->failed_step);
  for (auto& line : report->log_tail) line = secrets.Mask(line);
}

// A job that ended before or around its build with `error`; the job's log says why, when `tell`.
FinishReport ErrorReport(std::string error, Reporter* tell) {
  FinishReport report;
  report.status = JobStatus::kError;
  report.error = std::move(error);
  if (tell) tell->AddLine("slipway: " + report.error);
  return report;
}

// Log lines go to the reporter; once the export of a pushed image starts, the server hears it,
// since a newer push must not cancel this job from then on (best effort, off the build's thread).
BuildHooks HooksFor(const JobRun& job) {
  BuildHooks hooks;
  Reporter* reporter = &job.reporter;
  hooks.on_lines = [reporter, client = job.ctx.client, id = job.lease.id,
                    told = !job.lease.spec.push](const std::vector<std::string>& lines) mutable {
    reporter->AddLines(lines);
    if (told) return;
    for (const auto& line : lines) {
      if (line.find("pushing layers") == std::string::npos &&
          line.find("exporting to image") == std::string::npos) {
        continue;
      }
      told = true;
      std::thread([client, id] { (void)client->MarkPushing(id); }).detach();
      break;
    }
  };
  hooks.on_steps = [reporter](const std::vector<BuildStep>& steps) { reporter->SetSteps(steps); };
  return hooks;
}

// Runs the build; when the builder refuses to export a registry cache, once more without
// --cache-to, and every later job of this agent builds without it too (ctx.cache_export).
Result<BuildOutcome> BuildWithCacheFallback(const JobRun& job, const pipelines::JobSpec& spec,
                                            BuildInvocation* inv) {
  const JobContext& ctx = job.ctx;
  BuildHooks hooks = HooksFor(job);
  RunOptions options;
  options.metadata_file = inv->metadata_file;
  options.env = job.secrets.environment();
  options.timeout = std::chrono::seconds(spec.timeout_seconds);
  for (int round = 0;; ++round) {
    inv->cache_export = ctx.cache_export ? ctx.cache_export->load() : true;
    auto argv = BuildxArgv(spec, *inv);
    if (!argv.ok()) {
      job.reporter.AddLine("slipway: " + argv.status().message());
      return argv.status();
    }
    auto outcome = RunBuild(*argv, options, hooks, &job.st->build_cancel);
    bool refused = outcome.ok() && !outcome->ok() && inv->cache_export &&
                   !job.lease.spec.cache_ref.empty() && IsCacheExportRefusal(*outcome);
    if (round > 0 || !refused || !ctx.cache_export) return outcome;
    ctx.cache_export->store(false);
    job.reporter.AddLine(
        "slipway: the builder cannot export a registry cache; building without --cache-to");
  }
}

// Adds the compressed sizes of a pushed image's layers, as its registry's manifest lists them
// (read with the job's registry logins).
void AddRegistrySizes(const std::string& ref, const std::string& docker_config_dir, ImageInfo* image) {
  auto parsed = ParseImageRef(ref);
  auto manifest = parsed.ok()
                      ? FetchRegistryManifest(*parsed, DockerRegistryAccess(parsed->host, docker_config_dir))
                      : Result<RegistryManifest>(parsed.status());
  if (manifest.ok()) {
    MergeRegistrySizes(*manifest, image);
  } else {
    LogWarn("registry manifest", {{"ref", ref}, {"error", manifest.status().ToString()}});
  }
}

// The built image as the engine (and, once pushed, its registry) describes it; when the engine
// cannot, its digest alone (the server records an image by its digest), or nothing without one.
std::optional<protocol::ImageFacts> InspectBuiltImage(const JobRun& job,
                                                      const BuildOutcome& outcome,
                                                      const std::string& ref,
                                                      const std::string& docker) {
  const pipelines::JobSpec& spec = job.lease.spec;
  const std::string tagged_ref = spec.tags.empty() ? "" : ref;
  auto image = InspectLocalImage(ref, docker);
  if (!image.ok()) {
    LogWarn("image inspection failed", {{"ref", ref}, {"error", image.status().ToString()}});
    if (outcome.image_digest.empty()) return std::nullopt;
    return protocol::ImageFacts{.ref = tagged_ref,
                                .digest = outcome.image_digest,
                                .config_digest = outcome.config_digest};
  }
  image->ref = tagged_ref;
  if (!outcome.image_digest.empty()) image->digest = outcome.image_digest;
  if (spec.push) AddRegistrySizes(ref, job.secrets.docker_config_dir(), &*image);
  LogDebug("image inspected",
           {{"lease", job.lease.id}, {"elapsed_ms", std::to_string(ElapsedMs(job.start))}});
  return ImageFactsOf(*image);
}

// What a successful build made: the image's facts, its insight report and scans, and the digests
// of its bases.
void DescribeBuild(const JobRun& job, const BuildOutcome& outcome, const std::string& docker,
                   FinishReport* report) {
  const pipelines::JobSpec& spec = job.lease.spec;
  std::string ref = spec.tags.empty() ? outcome.image_digest : spec.tags.front();
  report->image = InspectBuiltImage(job, outcome, ref, docker);
  if (job.ctx.examiner && report->image) {
    auto exam = job.ctx.examiner->Examine(ref, report->image->digest, job.lease.scanners);
    job.reporter.AddLines(exam.log_lines);
    report->insight = std::move(exam.report);
    report->scans = std::move(exam.scans);
  }
  report->bases = ResolveBases(spec.bases, docker, job.lease.upstream_registry, job.reporter);
}

// Builds the job's stage in the checkout and describes what it made.
FinishReport BuildInCheckout(const JobRun& job, const std::string& checkout) {
  const JobContext& ctx = job.ctx;
  BuildInvocation inv;
  inv.docker = ctx.client->config().docker;
  inv.checkout_dir = checkout;
  inv.secret_files = job.secrets.secret_files();
  inv.secret_envs = job.secrets.secret_envs();
  inv.ssh_files = job.secrets.ssh_files();
  inv.metadata_file = ctx.workdir + "/jobs/" + ctx.slot + ".metadata.json";
  std::error_code ec;
  std::filesystem::remove(inv.metadata_file, ec);
  // The build reads the context and the Dockerfile where their links lead: inside the checkout only.
  pipelines::JobSpec spec = job.lease.spec;
  if (Status paths = ResolveJobPaths(checkout, &spec); !paths.ok()) {
    return ErrorReport(paths.message(), &job.reporter);
  }
  if (Status logins = CheckRegistryLogins(job.lease, job.secrets.docker_config_dir()); !logins.ok()) {
    return ErrorReport(logins.message(), &job.reporter);
  }
  auto outcome = BuildWithCacheFallback(job, spec, &inv);
  job.secrets.Remove();  // the build is over: nothing reads them any more
  if (!outcome.ok()) return ErrorReport(outcome.status().message(), nullptr);
  FinishReport report = ReportFromOutcome(*outcome);
  LogDebug("build ended", {{"lease", job.lease.id},
                           {"exit_code", std::to_string(outcome->exit_code)},
                           {"build_ms", std::to_string(outcome->duration_ms)}});
  if (outcome->ok()) DescribeBuild(job, *outcome, inv.docker, &report);
  return report;
}

// Checks out the job's commit (its folder in *checkout, for the caller to remove) and builds it.
// Every log line and step list reaches the server before this returns.
FinishReport CheckOutAndBuild(const JobContext& ctx, const Lease& lease,
                              std::shared_ptr<JobState> st, Clock::time_point start,
                              std::string* checkout) {
  // The lease's secrets, on disk for this job only: removed once the build ends, or when this
  // function returns whatever happened.
  auto secrets = JobSecrets::Write(SecretsRoot(ctx.workdir) + "/" + ctx.slot, lease);
  if (!secrets.ok()) {
    Reporter reporter(ctx.client, lease.id, st, nullptr);
    FinishReport report = ErrorReport("secrets: " + secrets.status().message(), &reporter);
    reporter.Close();
    return report;
  }
  JobSecrets& held = **secrets;
  Reporter reporter(ctx.client, lease.id, st, &held);
  JobRun job{ctx, lease, std::move(st), start, reporter, held};
  FinishReport report;
  auto dir = ctx.workspace->Checkout(lease.clone_url, lease.sha, ctx.slot, lease.git_credential);
  if (!dir.ok()) {
    report = ErrorReport("checkout: " + dir.status().message(), &reporter);
  } else {
    *checkout = *dir;
    reporter.AddLine("slipway: checked out " + lease.sha + " in " +
                     std::to_string(ElapsedMs(start)) + " ms");
    report = BuildInCheckout(job, *checkout);
  }
  reporter.Close();
  held.Remove();
  MaskReport(held, &report);
  return report;
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

// Sends the finish report, unless the lease was lost or the agent is stopping.
LeaseEnd Conclude(const JobContext& ctx, const Lease& lease, const FinishReport& report,
                  const JobState& st) {
  if (st.lost) {
    LogWarn("lease lost; result dropped", {{"lease", lease.id}});
    return LeaseEnd::kLost;
  }
  if (ctx.stop && ctx.stop->canceled() && !st.cancel_requested) {
    LogInfo("agent stopping; job left to be requeued", {{"lease", lease.id}});
    return LeaseEnd::kAbandoned;
  }
  Status s = SendFinish(ctx.client, lease.id, report, st);
  LogInfo("job finished", {{"lease", lease.id}, {"status", std::string(JobStatusName(report.status))},
                           {"duration_ms", std::to_string(report.duration_ms)},
                           {"reported", s.ok() ? "yes" : s.ToString()}});
  return s.code() == ErrorCode::kConflict ? LeaseEnd::kLost : LeaseEnd::kFinished;
}

}  // namespace

LeaseEnd RunLease(const JobContext& ctx, const Lease& lease) {
  const auto start = Clock::now();
  auto st = std::make_shared<JobState>();
  LogInfo("job leased", {{"lease", lease.id}, {"job", std::to_string(lease.job_id)},
                         {"name", lease.spec.name}, {"sha", lease.sha}});
  StartRenewer(ctx.client, lease.id, lease.renew_every_ms, st);
  StopRelay stop_relay(ctx.stop, st);  // agent shutdown stops the build too
  std::string checkout;
  FinishReport report = CheckOutAndBuild(ctx, lease, st, start, &checkout);
  report.duration_ms = ElapsedMs(start);
  if (!checkout.empty()) ctx.workspace->Remove(lease.clone_url, checkout);
  LeaseEnd end = Conclude(ctx, lease, report, *st);
  st->done.Cancel();  // the renewer and the stop relay end
  return end;
}

}  // namespace slipway::agent
