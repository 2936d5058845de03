// A listening TCP socket on a loopback address and a free port, for tests that stand a small
// server (or a silent one) in for a real peer.
//
// Thread-safety: plain function; the socket belongs to the caller, who closes it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

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

}  // namespace slipway::testing
