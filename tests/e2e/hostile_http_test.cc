// slipwayd under hostile HTTP clients, end to end: bodies nested too deep, a 100 MB log sent and
// followed with bounded server memory, and webhook signature checks under load that do not hold
// up an agent's lease request. No engine: the job is leased by the test itself.
#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/http_client.h"
#include "harness.h"
#include "webhooks/signature.h"
#include "support/sanitizers.h"

using namespace slipway::e2e;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// Resident memory of a process, from /proc/<pid>/status.
size_t ResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// How far pid's resident memory rose above where it was while fn ran (sampled every 5 ms).
size_t GrowthDuring(pid_t pid, const std::function<void()>& fn) {
  const size_t before = ResidentBytes(pid);
  std::atomic<size_t> peak{before};
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      peak = std::max(peak.load(), ResidentBytes(pid));
      std::this_thread::sleep_for(5ms);
    }
  });
  fn();
  done = true;
  sampler.join();
  return peak > before ? peak - before : 0;
}

// FNV-1a, to compare 100 MB without keeping it.
uint64_t Fnv(uint64_t h, std::string_view data) {
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
  return h;
}
constexpr uint64_t kFnvStart = 14695981039346656037ull;

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// A job of a pushed commit, leased by the test: {lease id, job id}.
std::pair<std::string, int64_t> LeaseOneJob(const Server& server, const std::string& dir) {
  std::string name = "e2e/" + UniqueName("hostile");
  server.AddRepo(name, dir + "/repo/repo.git", "s");
  GitRepo repo(dir + "/repo", name, server, "s");
  repo.WriteFile("Dockerfile", "FROM busybox:1.36 AS only\nRUN true\n");
  repo.WriteFile(".slipway.yml", "version: 1\nstages:\n  only: {target: only}\n");
  repo.Commit("one job");
  repo.PushForRun();
  auto granted = server.Post("/api/v1/agent/lease?wait=20", json{{"agent", "test-agent"}}.dump(), Server::kAgentToken);
  INFO(granted.body);
  REQUIRE(granted.status == 200);
  return {granted.json["lease"]["id"], granted.json["lease"]["job_id"]};
}

}  // namespace

TEST_CASE("bodies nested deeper than 64 levels are a 400 on agent, REST and webhook routes") {
  TempDir dir;
  Server server(dir.path() + "/data");
  const std::string deep_lease = "{\"agent\":\"a\",\"x\":" + Nested(100) + "}";
  auto lease = server.Post("/api/v1/agent/lease?wait=0", deep_lease, Server::kAgentToken);
  INFO(lease.body);
  CHECK(lease.status == 400);
  CHECK(lease.json["error"]["message"] == "body nests deeper than 64 levels (at byte 81)");
  // 64 levels in all (the object and 63 arrays) are fine: no job waits, so 204.
  auto at_limit = server.Post("/api/v1/agent/lease?wait=0", "{\"agent\":\"a\",\"x\":" + Nested(63) + "}",
                              Server::kAgentToken);
  CHECK(at_limit.status == 204);

  auto run = server.Post("/api/v1/runs", "{\"repo\":" + Nested(5000) + "}");
  INFO(run.body);
  CHECK(run.status == 400);
  CHECK(run.json["error"]["message"].get<std::string>().find("nests deeper than 64 levels") != std::string::npos);

  server.AddRepo("e2e/deep", dir.path() + "/none.git", "deep-secret");
  const std::string hook = "{\"zen\":" + Nested(1000) + "}";
  auto delivery = server.Post("/hooks/github", hook, "",
                              {{"X-GitHub-Event", "ping"},
                               {"X-GitHub-Delivery", "deep-1"},
                               {"X-Hub-Signature-256", "sha256=" + slipway::webhooks::HmacSha256Hex("deep-secret", hook)}});
  INFO(delivery.body);
  CHECK(delivery.status == 400);
  CHECK(delivery.json["error"]["message"].get<std::string>().find("nests deeper than 64 levels") != std::string::npos);
  CHECK(server.Get("/healthz").status == 200);
}

TEST_CASE("a 100 MB log is sent whole and followed with bounded server memory") {
  TempDir dir;
  Server server(dir.path() + "/data", {"--lease-seconds", "3600"});
  auto [lease, job_id] = LeaseOneJob(server, dir.path());
  // 1600 chunks of 64 KiB (what an agent sends at most) make 100 MiB, sent by 8 agents' worth of threads.
  constexpr int kChunks = 1600;
  constexpr size_t kChunkBytes = 64 * 1024;
  auto chunk = [](int seq) {
    std::string data = "chunk " + std::to_string(seq) + "\n";
    data.resize(kChunkBytes, static_cast<char>('a' + seq % 26));
    return data;
  };
  uint64_t sent_hash = kFnvStart;
  for (int seq = 0; seq < kChunks; ++seq) sent_hash = Fnv(sent_hash, chunk(seq));
  std::atomic<int> stored{0};
  std::vector<std::thread> uploaders;
  for (int t = 0; t < 8; ++t) {
    uploaders.emplace_back([&, t, lease = lease] {
      for (int seq = t; seq < kChunks; seq += 8) {
        auto r = slipway::HttpFetch({.method = "POST",
                                     .url = server.url() + "/api/v1/agent/leases/" + lease + "/log",
                                     .body = json{{"seq", seq}, {"data", chunk(seq)}}.dump(),
                                     .headers = {{"Authorization", std::string("Bearer ") + Server::kAgentToken}}});
        if (r.ok() && r->status == 200) ++stored;
      }
    });
  }
  for (auto& t : uploaders) t.join();
  REQUIRE(stored == kChunks);
  const std::string log_url = server.url() + "/api/v1/jobs/" + std::to_string(job_id) + "/log";

  size_t received = 0;
  uint64_t received_hash = kFnvStart;
  int status = 0;
  size_t whole_growth = GrowthDuring(server.process().pid(), [&] {
    auto s = slipway::HttpStream({.method = "GET", .url = log_url, .body = "", .headers = {}}, &status,
                                 [&](std::string_view chunk) {
                                   received += chunk.size();
                                   received_hash = Fnv(received_hash, chunk);
                                   return true;
                                 });
    REQUIRE(s.ok());
  });
  CHECK(status == 200);
  CHECK(received == kChunks * kChunkBytes);
  CHECK(received_hash == sent_hash);
  INFO("slipwayd grew by " << whole_growth / 1024 << " KiB sending the whole log");
  CHECK(whole_growth < 32u * 1024 * 1024 + slipway::testing::kSanitizerMemorySlack);

  // Followed (SSE): every stored chunk as one event, then the stream stays open for live ones.
  int events = 0;
  std::string carry;
  size_t follow_growth = GrowthDuring(server.process().pid(), [&] {
    auto s = slipway::HttpStream({.method = "GET", .url = log_url + "?follow=1", .body = "", .headers = {}}, &status,
                                 [&](std::string_view chunk) {
                                   std::string window = carry + std::string(chunk);
                                   for (size_t at = window.find("event: log\n"); at != std::string::npos;
                                        at = window.find("event: log\n", at + 1)) {
                                     ++events;
                                   }
                                   carry = window.substr(window.size() - std::min<size_t>(window.size(), 10));
                                   return events < kChunks;
                                 });
    REQUIRE(s.ok());
  });
  CHECK(status == 200);
  CHECK(events == kChunks);
  INFO("slipwayd grew by " << follow_growth / 1024 << " KiB following the log");
  CHECK(follow_growth < 32u * 1024 * 1024 + slipway::testing::kSanitizerMemorySlack);
  CHECK(server.Get("/healthz").status == 200);
}

TEST_CASE("an agent's lease is answered at once while 200 signed webhook deliveries are checked") {
  TempDir dir;
  std::ofstream(dir.path() + "/slipwayd.yml") << "http:\n  max_connections_per_address: 400\n";
  Server server(dir.path() + "/data", {"--config", dir.path() + "/slipwayd.yml"});
  // Every delivery is checked against each of the 64 repositories' secrets: 64 digests of 256 KiB.
  constexpr int kRepos = 64;
  for (int i = 0; i < kRepos; ++i) {
    server.AddRepo("e2e/load-" + std::to_string(i), dir.path() + "/none.git", "secret-" + std::to_string(i));
  }
  std::string body = json{{"zen", std::string(256 * 1024, 'z')}, {"hook_id", 1}}.dump();
  std::string signature = "sha256=" + slipway::webhooks::HmacSha256Hex("secret-" + std::to_string(kRepos - 1), body);

  constexpr int kDeliveries = 200;
  std::atomic<int> answered{0}, ignored{0};
  std::vector<std::thread> senders;
  for (int i = 0; i < kDeliveries; ++i) {
    senders.emplace_back([&, i] {
      auto r = slipway::HttpFetch({.method = "POST",
                                   .url = server.url() + "/hooks/github",
                                   .body = body,
                                   .headers = {{"X-GitHub-Event", "ping"},
                                               {"X-GitHub-Delivery", "load-" + std::to_string(i)},
                                               {"X-Hub-Signature-256", signature}},
                                   .timeout = 120s});
      if (r.ok() && r->status == 200) ++ignored;
      ++answered;
    });
  }
  // Once the first delivery is answered the others are being checked: ask for a lease then.
  for (auto deadline = Clock::now() + 60s; answered == 0 && Clock::now() < deadline;) std::this_thread::sleep_for(1ms);
  auto asked = Clock::now();
  auto lease = server.Post("/api/v1/agent/lease?wait=0", json{{"agent", "busy-agent"}}.dump(), Server::kAgentToken);
  auto lease_time = Clock::now() - asked;
  int answered_before_lease = answered;
  for (auto& t : senders) t.join();

  CHECK(lease.status == 204);
  INFO("lease answered in " << std::chrono::duration_cast<std::chrono::milliseconds>(lease_time).count()
                            << " ms, with " << answered_before_lease << " deliveries answered");
  CHECK(answered_before_lease < kDeliveries);  // the load was still under way
  CHECK(lease_time < 1s);
  CHECK(ignored == kDeliveries);  // every ping was checked and recorded, none refused
  CHECK(server.Get("/healthz").status == 200);
}
