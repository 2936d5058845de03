// Webhook intake benchmark: signed GitHub push deliveries against a real slipwayd (verify the
// signature, store delivery + run durably, answer 202), side by side with a baseline of plain
// GET /healthz requests through the same client, connections and concurrency.
//
//   webhook_bench --slipwayd build/orchestrator/slipwayd [--requests 4000] [--concurrency 8]
//
// Prints latency percentiles and throughput for both, and their ratio. Loopback only, bounded.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "common/subprocess.h"
#include "webhooks/signature.h"

namespace {

using Clock = std::chrono::steady_clock;
using slipway::HttpFetch;
using slipway::HttpRequest;

struct Figures {
  double p50_ms, p90_ms, p99_ms, max_ms, per_second;
  int failures;
};

// Sends `count` requests from `concurrency` threads; make(i) builds request i; ok(status) checks it.
Figures Measure(int count, int concurrency, const std::function<HttpRequest(int)>& make, int expected_status) {
  std::vector<double> latencies(count);
  std::atomic<int> next{0}, failures{0};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        HttpRequest req = make(i);
        auto t0 = Clock::now();
        auto res = HttpFetch(req);
        latencies[i] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!res.ok() || res->status != expected_status) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[std::min<size_t>(count - 1, static_cast<size_t>(p * count))]; };
  return {pct(0.50), pct(0.90), pct(0.99), latencies.back(), count / seconds, failures.load()};
}

void Print(const char* name, const Figures& f) {
  std::printf("%-22s p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms  %8.0f req/s  failures %d\n", name,
              f.p50_ms, f.p90_ms, f.p99_ms, f.max_ms, f.per_second, f.failures);
}

}  // namespace

int main(int argc, char** argv) {
  std::string slipwayd;
  int requests = 4000, concurrency = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--slipwayd") slipwayd = argv[i + 1];
    else if (flag == "--requests") requests = std::max(100, std::min(50000, std::atoi(argv[i + 1])));
    else if (flag == "--concurrency") concurrency = std::max(1, std::min(64, std::atoi(argv[i + 1])));
  }
  if (slipwayd.empty()) {
    std::fprintf(stderr, "usage: webhook_bench --slipwayd PATH [--requests N] [--concurrency C]\n");
    return 2;
  }
  char tmpl[] = "/tmp/slipway-bench.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto server = slipway::Subprocess::Start({slipwayd, "--listen", "127.0.0.1:0", "--data", dir + "/data",
                                            "--admin-token", "bench-admin", "--agent-token", "bench-agent"});
  if (!server.ok()) return 1;
  std::string log;
  std::thread pump([&] { (*server)->Pump(nullptr, [&](std::string_view s) { log.append(s); }); });
  std::smatch m;
  for (int i = 0; i < 100 && !std::regex_search(log, m, std::regex("port=(\\d+)")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string snapshot = log;
  if (!std::regex_search(snapshot, m, std::regex("port=(\\d+)"))) {
    std::fprintf(stderr, "slipwayd did not start:\n%s\n", snapshot.c_str());
    return 1;
  }
  std::string base = "http://127.0.0.1:" + std::string(m[1]);
  const std::string secret = "bench-secret";
  auto reg = HttpFetch({.method = "POST", .url = base + "/api/v1/repos",
                        .body = nlohmann::json{{"name", "bench/app"}, {"forge", "github"},
                                               {"clone_url", dir + "/missing.git"}, {"secret", secret}}.dump(),
                        .headers = {{"Authorization", "Bearer bench-admin"}}});
  if (!reg.ok() || reg->status != 201) return 1;

  auto healthz = [&](int) { return HttpRequest{.method = "GET", .url = base + "/healthz"}; };
  auto push = [&](int i) {
    std::string body = nlohmann::json{
        {"ref", "refs/heads/main"},
        {"before", std::string(40, '0')},
        {"after", std::string(39, 'a') + static_cast<char>('0' + i % 10)},
        {"repository", {{"full_name", "bench/app"}}},
        {"head_commit", {{"id", std::string(40, 'a')}, {"message", "bench push " + std::to_string(i)}, {"author", {{"name", "b"}}}}},
        {"commits", nlohmann::json::array()}}.dump();
    return HttpRequest{.method = "POST", .url = base + "/hooks/github", .body = body,
                       .headers = {{"X-GitHub-Event", "push"},
                                   {"X-GitHub-Delivery", "bench-" + std::to_string(i)},
                                   {"X-Hub-Signature-256", "sha256=" + slipway::webhooks::HmacSha256Hex(secret, body)},
                                   {"Content-Type", "application/json"}}};
  };
  Measure(200, concurrency, healthz, 200);  // warm-up
  std::printf("%d requests, %d concurrent connections, loopback\n", requests, concurrency);
  Figures baseline = Measure(requests, concurrency, healthz, 200);
  Figures hooks = Measure(requests, concurrency, push, 202);
  Print("baseline GET /healthz", baseline);
  Print("webhook -> 202", hooks);
  std::printf("ratio webhook/baseline: p50 %.2fx  p99 %.2fx  throughput %.2fx\n", hooks.p50_ms / baseline.p50_ms,
              hooks.p99_ms / baseline.p99_ms, hooks.per_second / baseline.per_second);
  std::printf("targets: webhook p99 <= 10 ms and >= 2000 deliveries/s\n");
  (*server)->Signal(SIGTERM);
  pump.join();
  (*server)->Wait();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return hooks.failures == 0 ? 0 : 1;
}
