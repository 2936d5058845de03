// The HTTP server under hostile clients, over real loopback sockets: connection caps per address
// and in all, slow heads, stream readers that never read, the cap on streams. Every case checks
// that the server still answers a well-behaved client afterwards.
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <chrono>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include "support/sanitizers.h"

using slipway::http::Request;
using slipway::http::ResponseWriter;
using slipway::http::Server;
using slipway::http::ServerOptions;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kGetHealthz = "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
constexpr std::string_view kGetStream = "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n";

// A server answering /healthz at once and keeping every /stream open for the test to write to.
class TestServer {
 public:
  explicit TestServer(ServerOptions options) : server_(Options(options), [this](Request req, auto writer) {
    if (req.path == "/stream") {
      writer->BeginStream(200, "text/event-stream");
      std::lock_guard lock(mu_);
      streams_.push_back(writer);
      return;
    }
    writer->Send({.status = 200, .content_type = "text/plain", .body = "ok"});
  }) {
    REQUIRE(server_.Start().ok());
  }
  // Writers must go before the server whose connections they hold.
  ~TestServer() {
    server_.Stop();
    std::lock_guard lock(mu_);
    streams_.clear();
  }
  unsigned short port() const { return server_.port(); }
  // The n-th stream opened (waits up to 5 s for it).
  std::shared_ptr<ResponseWriter> Stream(size_t n) {
    for (auto deadline = Clock::now() + 5s; Clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
      std::lock_guard lock(mu_);
      if (streams_.size() > n) return streams_[n];
    }
    FAIL("stream " << n << " was never opened");
    return nullptr;
  }

 private:
  static ServerOptions Options(ServerOptions o) {
    o.host = "0.0.0.0";  // reachable from every loopback address
    o.port = 0;
    return o;
  }
  std::mutex mu_;
  std::vector<std::shared_ptr<ResponseWriter>> streams_;
  Server server_;
};

// A connection to the server from `source` (any 127.x.y.z works on loopback); rcvbuf > 0 shrinks
// the client's receive buffer, so that a reader that never reads fills up soon.
int Connect(unsigned short port, const char* source = "127.0.0.1", int rcvbuf = 0) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  return fd;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// What arrives until the peer closes, the connection breaks, or timeout.
std::string ReadAll(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  char buf[65536];
  for (auto deadline = Clock::now() + timeout; Clock::now() < deadline;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// The status of an HTTP response's first line, or 0.
int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

// GET /healthz on a fresh connection from source: the status (0: none).
int Healthz(unsigned short port, const char* source = "127.0.0.1") {
  int fd = Connect(port, source);
  SendAll(fd, kGetHealthz);
  int status = StatusOf(ReadAll(fd, 5s));
  close(fd);
  return status;
}

// True once the peer has closed fd (a read sees the end or an error), waiting up to timeout.
bool PeerClosed(int fd, std::chrono::milliseconds timeout) {
  char buf[4096];
  for (auto deadline = Clock::now() + timeout; Clock::now() < deadline;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    if (recv(fd, buf, sizeof buf, MSG_DONTWAIT) <= 0) return true;
  }
  return false;
}

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  for (auto deadline = Clock::now() + timeout; Clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
    if (pred()) return true;
  }
  return pred();
}

}  // namespace

TEST_CASE("connections over the per-address cap are refused with 503 while another address is served") {
  TestServer server({.max_connections_per_address = 4, .head_timeout_ms = 30'000});
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) held.push_back(Connect(server.port()));
  // Accepted in order after the four: over the cap, answered 503 before it sent anything, closed.
  int fifth = Connect(server.port());
  std::string refused = ReadAll(fifth, 5s);
  close(fifth);
  INFO(refused);
  CHECK(StatusOf(refused) == 503);
  CHECK(refused.find("too many connections") != std::string::npos);

  CHECK(Healthz(server.port(), "127.0.0.2") == 200);
  // A place freed is a place to take again.
  close(held[0]);
  CHECK(WaitUntil([&] { return Healthz(server.port()) == 200; }, 3s));
  for (size_t i = 1; i < held.size(); ++i) close(held[i]);
}

TEST_CASE("connections over the total cap are refused, whatever their address") {
  TestServer server({.max_connections = 3, .head_timeout_ms = 30'000});
  std::vector<int> held = {Connect(server.port(), "127.0.0.1"), Connect(server.port(), "127.0.0.2"),
                           Connect(server.port(), "127.0.0.3")};
  int fourth = Connect(server.port(), "127.0.0.4");
  CHECK(StatusOf(ReadAll(fourth, 5s)) == 503);
  close(fourth);
  for (int fd : held) close(fd);
  CHECK(WaitUntil([&] { return Healthz(server.port(), "127.0.0.4") == 200; }, 3s));
}

TEST_CASE("clients sending their head a byte a second are dropped after the head timeout while /healthz stays fast") {
  TestServer server({.head_timeout_ms = 2000});
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  std::vector<int> slow;
  for (int i = 0; i < 10; ++i) slow.push_back(Connect(server.port()));
  std::vector<Clock::duration> dropped_after(slow.size(), Clock::duration::zero());
  std::vector<std::string> answers(slow.size());
  std::vector<Clock::duration> healthz_times;
  const auto start = Clock::now();
  auto all_dropped = [&] {
    return std::all_of(dropped_after.begin(), dropped_after.end(), [](auto d) { return d != Clock::duration::zero(); });
  };
  for (size_t sent = 0; sent < head.size() && Clock::now() - start < 8s && !all_dropped(); ++sent) {
    for (size_t i = 0; i < slow.size(); ++i) {
      if (dropped_after[i] != Clock::duration::zero()) continue;
      char buf[4096];
      ssize_t n = recv(slow[i], buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) answers[i].append(buf, static_cast<size_t>(n));
      if (n == 0 || (n < 0 && errno != EAGAIN) || !SendAll(slow[i], head.substr(sent, 1))) {
        dropped_after[i] = Clock::now() - start;
      }
    }
    auto asked = Clock::now();
    CHECK(Healthz(server.port()) == 200);
    healthz_times.push_back(Clock::now() - asked);
    std::this_thread::sleep_for(1s - (Clock::now() - asked));
  }
  for (size_t i = 0; i < slow.size(); ++i) {
    INFO("slow client " << i);
    CHECK(dropped_after[i] > 1500ms);
    CHECK(dropped_after[i] < 5s);
    CHECK(StatusOf(answers[i]) != 200);
    close(slow[i]);
  }
  for (auto t : healthz_times) CHECK(t < 500ms);
}

TEST_CASE("a stream reader that never reads is dropped when its queue is full, with memory bounded") {
  TestServer server({.write_timeout_ms = 30'000, .max_stream_queue_bytes = 1024 * 1024});
  int reader = Connect(server.port(), "127.0.0.1", 4096);
  REQUIRE(SendAll(reader, kGetStream));
  auto stream = server.Stream(0);
  const size_t before = ResidentBytes();
  const std::string event(1024 * 1024, 'x');
  size_t offered = 0;
  for (int i = 0; i < 256; ++i) {  // 256 MiB offered to a reader that takes none of it
    stream->Write(event);
    offered += event.size();
    std::this_thread::sleep_for(1ms);
  }
  CHECK(WaitUntil([&] { return stream->Closed(); }, 5s));
  const size_t grown = ResidentBytes() > before ? ResidentBytes() - before : 0;
  INFO("offered " << offered << " bytes, resident memory grew by " << grown);
  CHECK(grown < 32 * 1024 * 1024 + slipway::testing::kSanitizerMemorySlack);
  CHECK(Healthz(server.port()) == 200);
  close(reader);
}

TEST_CASE("a stream whose reader stalls is dropped after the write timeout") {
  TestServer server({.write_timeout_ms = 1000, .max_stream_queue_bytes = size_t{1} << 30});
  int reader = Connect(server.port(), "127.0.0.1", 4096);
  REQUIRE(SendAll(reader, kGetStream));
  auto stream = server.Stream(0);
  const std::string event(256 * 1024, 'y');
  const auto start = Clock::now();
  while (!stream->Closed() && Clock::now() - start < 15s) {
    stream->Write(event);
    std::this_thread::sleep_for(20ms);
  }
  CHECK(stream->Closed());
  CHECK(Clock::now() - start < 10s);
  CHECK(PeerClosed(reader, 2s));
  CHECK(Healthz(server.port()) == 200);
  close(reader);
}

TEST_CASE("streams over the cap are answered 503, and a closed stream frees its place") {
  TestServer server({.max_streams = 2});
  int first = Connect(server.port()), second = Connect(server.port());
  // One after the other, so that stream 0 is the first reader's whatever the threads' timing.
  REQUIRE(SendAll(first, kGetStream));
  server.Stream(0);
  REQUIRE(SendAll(second, kGetStream));
  server.Stream(1);
  int third = Connect(server.port());
  REQUIRE(SendAll(third, kGetStream));
  std::string refused = ReadAll(third, 5s);
  INFO(refused);
  CHECK(StatusOf(refused) == 503);
  CHECK(refused.find("too many open streams") != std::string::npos);
  close(third);

  // The first reader goes; the server finds out on its next writes and frees the place.
  close(first);
  auto gone = server.Stream(0);
  CHECK(WaitUntil([&] {
    gone->Write(": ping\n\n");
    return gone->Closed();
  }, 5s));
  int fourth = Connect(server.port());
  REQUIRE(SendAll(fourth, kGetStream));
  server.Stream(3);
  char head[12] = {};
  CHECK(recv(fourth, head, sizeof head, MSG_WAITALL) == sizeof head);
  CHECK(std::string(head, sizeof head) == "HTTP/1.1 200");
  close(second);
  close(fourth);
}

TEST_CASE("when accept fails for want of descriptors the server backs off instead of spinning, then recovers") {
  TestServer server({});
  // Client sockets first (connect needs no new descriptor), then a limit that leaves the server
  // room for a few connections only.
  std::vector<int> clients;
  for (int i = 0; i < 30; ++i) clients.push_back(socket(AF_INET, SOCK_STREAM, 0));
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(*std::max_element(clients.begin(), clients.end()) + 1 + 4);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &tight) == 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server.port());
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  for (int fd : clients) CHECK(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);

  // Connections wait in the backlog that accept cannot take: CPU time over two seconds.
  auto cpu = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return std::chrono::seconds(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           std::chrono::microseconds(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  };
  auto cpu_before = cpu();
  std::this_thread::sleep_for(2s);
  auto spent = cpu() - cpu_before;
  REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
  INFO("CPU time while accept failed: " << std::chrono::duration_cast<std::chrono::milliseconds>(spent).count() << " ms");
  CHECK(spent < 300ms);

  for (int fd : clients) close(fd);
  CHECK(WaitUntil([&] { return Healthz(server.port()) == 200; }, 5s));
}
