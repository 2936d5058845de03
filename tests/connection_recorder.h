// A TCP listener on a loopback address that counts the connections it accepts and closes each at
// once: it stands for a registry that must never be contacted, so a test can assert nobody came.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include "support/loopback.h"

namespace slipway::testing {

class ConnectionRecorder {
 public:
  // 127.0.0.2 is loopback too, but not the "127.0.0.1" a default allowlist names.
  explicit ConnectionRecorder(const std::string& address = "127.0.0.2") : address_(address) {
    fd_ = slipway::testing::ListenOnLoopback(&port_, 16, address);
    thread_ = std::thread([this] { Loop(); });
  }
  ~ConnectionRecorder() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  ConnectionRecorder(const ConnectionRecorder&) = delete;
  ConnectionRecorder& operator=(const ConnectionRecorder&) = delete;

  // "127.0.0.2:PORT": the registry host part of an image reference.
  std::string host() const { return address_ + ":" + std::to_string(port_); }
  int connections() const { return connections_.load(); }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      ++connections_;
      close(client);
    }
  }

  std::string address_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace slipway::testing
