#include "common/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include <catch2/catch.hpp>

using slipway::RunProcess;
using slipway::Subprocess;

TEST_CASE("RunProcess passes arguments verbatim, never through a shell") {
  auto r = RunProcess({"printf", "%s|", "a b", "$(touch /tmp/slipway-pwned)", "`id`;"});
  REQUIRE(r.ok());
  CHECK(r->exit_code == 0);
  CHECK(r->out == "a b|$(touch /tmp/slipway-pwned)|`id`;|");
}

TEST_CASE("RunProcess reports exit codes, stderr, cwd, env and stdin") {
  auto r = RunProcess({"sh", "-c", "pwd; echo \"$SLIPWAY_X\"; cat; echo oops >&2; exit 3"},
                      {.cwd = "/tmp", .extra_env = {"SLIPWAY_X=hello"}, .stdin_data = "fed"});
  REQUIRE(r.ok());
  CHECK(r->exit_code == 3);
  CHECK(r->out == "/tmp\nhello\nfed");
  CHECK(r->err == "oops\n");
}

TEST_CASE("RunProcess says when a program does not exist") {
  auto r = RunProcess({"slipway-no-such-program"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("slipway-no-such-program") != std::string::npos);
}

TEST_CASE("Signal reaches the child's whole process group") {
  auto p = Subprocess::Start({"sh", "-c", "sleep 30 & sleep 30; wait"});
  REQUIRE(p.ok());
  (*p)->Signal(SIGTERM);
  (*p)->Pump(nullptr, nullptr);  // returns only when the grandchild closed its pipes too
  CHECK((*p)->Wait() == 128 + SIGTERM);
}

TEST_CASE("a child inherits no descriptor above 2, even one opened without O_CLOEXEC") {
  // What a server holds: a file and a listening socket, both inheritable, at high numbers too.
  int file = open("/dev/null", O_RDONLY);
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(file >= 3);
  REQUIRE(sock >= 3);
  REQUIRE(dup2(file, 200) == 200);
  // The shell names each descriptor it has above 2 (test -e opens none itself).
  auto r = RunProcess({"sh", "-c", "for fd in $(seq 3 256); do [ -e /proc/self/fd/$fd ] && echo $fd; done; true"});
  close(file);
  close(sock);
  close(200);
  REQUIRE(r.ok());
  REQUIRE(r->exit_code == 0);
  CHECK(r->out == "");
}

TEST_CASE("RunProcess stops a child that runs past its timeout, with its whole group") {
  auto start = std::chrono::steady_clock::now();
  auto r = RunProcess({"sh", "-c", "sleep 30 & sleep 30"}, {.timeout = std::chrono::milliseconds(300)});
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK_FALSE(r->ok());
  CHECK(r->exit_code == 128 + SIGKILL);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  auto quick = RunProcess({"true"}, {.timeout = std::chrono::seconds(10)});
  REQUIRE(quick.ok());
  CHECK(quick->ok());
  CHECK_FALSE(quick->timed_out);
}

TEST_CASE("RunProcess keeps at most max_stdout_bytes of a child's output and stops it there") {
  auto r = RunProcess({"yes"}, {.max_stdout_bytes = 100000});
  REQUIRE(r.ok());
  CHECK(r->truncated);
  CHECK(r->out.size() == 100000);
  CHECK_FALSE(r->ok());
}
