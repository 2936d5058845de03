// A TCP listener on a loopback address that counts the connections it accepts and closes each at
// once: it stands for a registry that must never be contacted, so a test can assert nobody came.
#pragma once

#include <unistd.h>

#include <atomic>
#include <string>

#include "support/loopback.h"

namespace slipway::testing {

class ConnectionRecorder {
 public:
  // 127.0.0.2 is loopback too, but not the "127.0.0.1" a default allowlist names.
  explicit ConnectionRecorder(const std::string& address = "127.0.0.2")
      : address_(address),
        acceptor_(
            [this](int client) {
              ++connections_;
              close(client);
            },
            address) {}

  // "127.0.0.2:PORT": the registry host part of an image reference.
  std::string host() const { return address_ + ":" + std::to_string(acceptor_.port()); }
  int connections() const { return connections_.load(); }

 private:
  std::string address_;
  std::atomic<int> connections_{0};
  LoopbackAcceptor acceptor_;  // last: stops before the members it uses go
};

}  // namespace slipway::testing
