// A listening TCP socket on a loopback address and a free port, for tests that stand a small
// server (or a silent one) in for a real peer; and an acceptor that serves it from a thread.
//
// Thread-safety: ListenOnLoopback is a plain function (the socket belongs to the caller, who
// closes it); a LoopbackAcceptor calls its handler on its own thread, one connection at a time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace slipway::testing {

// Binds `address` (127.0.0.2 is loopback too) on a port the kernel picks and listens; sets *port.
inline int ListenOnLoopback(int* port, int backlog = 16, const std::string& address = "127.0.0.1") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  REQUIRE(inet_pton(AF_INET, address.c_str(), &addr.sin_addr) == 1);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(fd, backlog) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  *port = ntohs(addr.sin_port);
  return fd;
}

// Listens on a loopback address and hands each accepted connection to `serve`, which owns (and
// closes) it; stops when destroyed. Declare it after whatever `serve` uses, so it stops first.
class LoopbackAcceptor {
 public:
  explicit LoopbackAcceptor(std::function<void(int client)> serve,
                            const std::string& address = "127.0.0.1")
      : serve_(std::move(serve)) {
    fd_ = ListenOnLoopback(&port_, 16, address);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        int client = accept(fd_, nullptr, nullptr);
        if (client >= 0) serve_(client);
      }
    });
  }
  ~LoopbackAcceptor() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  LoopbackAcceptor(const LoopbackAcceptor&) = delete;
  LoopbackAcceptor& operator=(const LoopbackAcceptor&) = delete;
  int port() const { return port_; }

 private:
  std::function<void(int)> serve_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace slipway::testing
