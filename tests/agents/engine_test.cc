// Builds with the real Docker engine and the registry at 127.0.0.1:5000 (label: docker).
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "agent/build_command.h"
#include "agent/buildx_runner.h"
#include "agent/image_inspector.h"
#include "agent/report.h"
#include "common/http_client.h"
#include "common/subprocess.h"
#include "support/engine.h"
#include "support/files.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

std::string UniqueId() {
  return std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000000);
}

struct Context {
  ::slipway::testing::TempDir temp;
  std::string dir = temp.path();
  explicit Context(const std::string& dockerfile) { std::ofstream(dir + "/Dockerfile") << dockerfile; }
  BuildInvocation Inv(const std::string& name) const {
    BuildInvocation inv;
    inv.checkout_dir = dir;
    inv.metadata_file = dir + "/" + name + ".metadata.json";
    inv.cache_export = DetectCacheExport();
    return inv;
  }
};

constexpr const char* kTwoStage = R"(FROM busybox:1.36 AS build
ARG NONCE
RUN echo "nonce $NONCE" && head -c 20000000 /dev/urandom > /big.bin && echo small > /small.txt
FROM busybox:1.36 AS runtime
COPY --from=build /small.txt /app/small.txt
FROM busybox:1.36 AS broken
RUN echo "about to fail" && exit 3
)";

BuildOutcome Build(const pipelines::JobSpec& spec, const BuildInvocation& inv, std::vector<std::string>* lines) {
  auto argv = BuildxArgv(spec, inv);
  REQUIRE(argv.ok());
  BuildHooks hooks;
  hooks.on_lines = [&](const std::vector<std::string>& l) { lines->insert(lines->end(), l.begin(), l.end()); };
  RunOptions options;
  options.metadata_file = inv.metadata_file;
  auto outcome = RunBuild(*argv, options, hooks, nullptr);
  REQUIRE(outcome.ok());
  return *outcome;
}

TEST_CASE("two-stage build: runtime image smaller than its build stage, steps and digests") {
  ::slipway::testing::RequireDockerEngine();
  const std::string id = UniqueId();
  Context ctx(kTwoStage);
  const std::string repo = "127.0.0.1:5000/slipway-test/engine-" + id;

  pipelines::JobSpec build;
  build.target = "build";
  build.tags = {repo + ":build"};
  build.build_args = {{"NONCE", id}};
  std::vector<std::string> build_lines;
  BuildOutcome b = Build(build, ctx.Inv("build"), &build_lines);
  INFO(b.error);
  REQUIRE(b.ok());
  CHECK(b.image_digest.rfind("sha256:", 0) == 0);
  bool saw_nonce = false;
  for (const auto& l : build_lines) saw_nonce |= l.find("nonce " + id) != std::string::npos;
  CHECK(saw_nonce);
  REQUIRE(b.steps.size() == 2);  // FROM, RUN
  auto run = std::find_if(b.steps.begin(), b.steps.end(), [](const BuildStep& s) { return !s.IsFrom(); });
  REQUIRE(run != b.steps.end());
  INFO(run->name);
  CHECK(run->name.find("[build 2/2] RUN echo") == 0);
  CHECK(!run->cached);
  CHECK(run->duration_ms > 0);
  CHECK(b.cache.steps == 1);

  pipelines::JobSpec runtime = build;
  runtime.target = "runtime";
  runtime.tags = {repo + ":runtime"};
  std::vector<std::string> runtime_lines;
  BuildOutcome r = Build(runtime, ctx.Inv("runtime"), &runtime_lines);
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(r.image_digest.rfind("sha256:", 0) == 0);
  CHECK(r.image_digest != b.image_digest);
  // The build stage's RUN is reused from the first build (the COPY may be too: buildkit keys it by
  // the copied file's content, which earlier runs produced as well).
  CHECK(r.cache.steps == 2);
  for (const auto& s : r.steps) {
    if (s.name.find("[build 2/2] RUN") == 0) CHECK(s.cached);
  }

  auto bi = InspectLocalImage(repo + ":build");
  auto ri = InspectLocalImage(repo + ":runtime");
  REQUIRE(bi.ok());
  REQUIRE(ri.ok());
  CHECK(bi->size_bytes > 20000000);
  CHECK(ri->size_bytes < 5000000);
  CHECK(ri->size_bytes < bi->size_bytes);
  REQUIRE(ri->layers.size() == 2);
  CHECK(ri->layers.back().instruction.find("COPY") == 0);
  CHECK(ri->layers.back().size_bytes > 0);
  CHECK(ri->layers.back().size_bytes < 100000);

  pipelines::JobSpec broken = build;
  broken.target = "broken";
  broken.tags = {repo + ":broken"};
  std::vector<std::string> broken_lines;
  BuildOutcome f = Build(broken, ctx.Inv("broken"), &broken_lines);
  CHECK(!f.ok());
  CHECK(f.exit_code != 0);
  CHECK(f.failed_step == "[broken 2/2] RUN echo \"about to fail\" && exit 3");
  CHECK(f.error.find("exit code: 3") != std::string::npos);
  REQUIRE(!f.log_tail.empty());
  bool tail_has_output = false;
  for (const auto& l : f.log_tail) tail_has_output |= l.find("about to fail") != std::string::npos;
  CHECK(tail_has_output);

  RunProcess({"docker", "image", "rm", "-f", repo + ":build", repo + ":runtime"}).ok();
}

TEST_CASE("push: compressed sizes come from the registry manifest") {
  ::slipway::testing::RequireDockerEngine();
  const std::string id = UniqueId();
  Context ctx(kTwoStage);
  const std::string repo = "127.0.0.1:5000/slipway-test/push-" + id;
  pipelines::JobSpec spec;
  spec.target = "runtime";
  spec.tags = {repo + ":v1"};
  spec.push = true;
  spec.build_args = {{"NONCE", id}};
  spec.cache_ref = "127.0.0.1:5000/slipway-test/cache-" + id + ":runtime";
  std::vector<std::string> lines;
  BuildOutcome o = Build(spec, ctx.Inv("push"), &lines);
  INFO(o.error);
  REQUIRE(o.ok());

  auto ref = ParseImageRef(repo + ":v1");
  REQUIRE(ref.ok());
  CHECK(ref->host == "127.0.0.1:5000");
  CHECK(ref->name == "slipway-test/push-" + id);
  CHECK(ref->reference == "v1");
  auto manifest = FetchRegistryManifest(*ref);
  INFO(manifest.status().ToString());
  REQUIRE(manifest.ok());
  REQUIRE(manifest->layers.size() == 2);
  CHECK(manifest->config_digest.rfind("sha256:", 0) == 0);
  CHECK(manifest->CompressedSize() > 0);

  auto image = InspectLocalImage(repo + ":v1");
  REQUIRE(image.ok());
  MergeRegistrySizes(*manifest, &*image);
  REQUIRE(image->compressed_size_bytes.has_value());
  CHECK(*image->compressed_size_bytes == manifest->CompressedSize());
  CHECK(*image->compressed_size_bytes < image->size_bytes);  // gzip of busybox's files
  long long sum = 0;
  for (const auto& l : image->layers) {
    if (l.empty_layer) continue;
    REQUIRE(l.compressed_size_bytes.has_value());
    CHECK(l.digest.rfind("sha256:", 0) == 0);
    sum += *l.compressed_size_bytes;
  }
  CHECK(sum == manifest->CompressedSize());

  // The registry cache was exported (the builder can: scripts/setup gives the engine the containerd
  // image store), so a later build of the same stage can come back cached from it.
  {
    INFO("the engine's builder cannot export a registry cache (no containerd image store)");
    CHECK(ctx.Inv("x").cache_export);
  }
  HttpRequest req;
  req.url = "http://127.0.0.1:5000/v2/slipway-test/cache-" + id + "/manifests/runtime";
  req.headers = {{"Accept", "application/vnd.oci.image.index.v1+json"}};
  auto resp = HttpFetch(req);
  REQUIRE(resp.ok());
  CHECK(resp->status == 200);
  RunProcess({"docker", "image", "rm", "-f", repo + ":v1"}).ok();
}

bool AnyProcessMentions(const std::string& needle) {
  DIR* dir = opendir("/proc");
  bool found = false;
  while (dirent* e = readdir(dir)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(needle) != std::string::npos) found = true;
  }
  closedir(dir);
  return found;
}

TEST_CASE("cancel stops a long build quickly and leaves no buildx process") {
  ::slipway::testing::RequireDockerEngine();
  const std::string id = UniqueId();
  Context ctx("FROM busybox:1.36\nARG NONCE\nRUN echo \"sleeping $NONCE\" && sleep 60\n");
  pipelines::JobSpec spec;
  spec.target = "";
  spec.build_args = {{"NONCE", id}};
  BuildInvocation inv = ctx.Inv("cancel");
  auto argv = BuildxArgv(spec, inv);
  REQUIRE(argv.ok());

  CancelToken cancel;
  std::mutex mu;
  std::condition_variable cv;
  bool sleeping = false;
  BuildHooks hooks;
  hooks.on_lines = [&](const std::vector<std::string>& lines) {
    for (const auto& l : lines) {
      if (l.find("sleeping " + id) != std::string::npos) {
        std::lock_guard<std::mutex> lock(mu);
        sleeping = true;
        cv.notify_all();
      }
    }
  };
  RunOptions options;
  options.grace = std::chrono::milliseconds(3000);
  Result<BuildOutcome> outcome = Status::Internal("not run");
  std::thread runner([&] { outcome = RunBuild(*argv, options, hooks, &cancel); });
  {
    std::unique_lock<std::mutex> lock(mu);
    // Reaching the RUN step is not what is measured: a loaded engine may take its time.
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(120), [&] { return sleeping; }));
  }
  REQUIRE(AnyProcessMentions("NONCE=" + id));
  auto t0 = std::chrono::steady_clock::now();
  cancel.Cancel();
  runner.join();
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(outcome.ok());
  CHECK(outcome->canceled);
  CHECK(!outcome->ok());
  // The RUN step sleeps 60 s. A cancel that works ends the build after at most the grace period
  // (then SIGKILL) plus the engine's own delays, which a loaded 2-core machine stretches to several
  // seconds; waiting for the build itself would take the whole minute.
  CHECK(took < options.grace + std::chrono::seconds(15));
  CHECK(ProcessGroupMembers(outcome->process_group).empty());
  CHECK(!AnyProcessMentions("NONCE=" + id));
}

}  // namespace
TEST_CASE("a build running past its timeout is stopped and fails timed out") {
  const std::string id = UniqueId();
  Context ctx("FROM busybox:1.36\nARG NONCE\nRUN echo \"sleeping $NONCE\" && sleep 60\n");
  pipelines::JobSpec spec;
  spec.build_args = {{"NONCE", id}};
  BuildInvocation inv = ctx.Inv("timeout");
  auto argv = BuildxArgv(spec, inv);
  REQUIRE(argv.ok());
  RunOptions options;
  options.grace = std::chrono::milliseconds(3000);
  options.timeout = std::chrono::seconds(4);
  auto t0 = std::chrono::steady_clock::now();
  Result<BuildOutcome> outcome = RunBuild(*argv, options, {}, nullptr);
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(outcome.ok());
  CHECK(outcome->timed_out);
  CHECK_FALSE(outcome->canceled);
  CHECK_FALSE(outcome->ok());
  CHECK(outcome->error == "timed out after 4s");
  CHECK(took >= std::chrono::seconds(4));
  CHECK(took < std::chrono::seconds(30));  // not the 60 s the step would sleep
  CHECK(ProcessGroupMembers(outcome->process_group).empty());
  CHECK(!AnyProcessMentions("NONCE=" + id));
  FinishReport report = ReportFromOutcome(*outcome);
  CHECK(report.status == JobStatus::kFailure);
  CHECK(report.error == "timed out after 4s");
}

}  // namespace slipway::agent
