#include "agent/log_batcher.h"

#include <catch2/catch.hpp>

namespace slipway::agent {
namespace {

using std::chrono::milliseconds;

TEST_CASE("a chunk is due 200 ms after its oldest line, with increasing seq") {
  LogBatcher b;
  LogBatcher::Clock::time_point t0{};
  CHECK(!b.Take(t0).has_value());
  CHECK(!b.Deadline().has_value());
  b.Append("#1 a", t0);
  b.Append("#1 b", t0 + milliseconds(150));
  CHECK(*b.Deadline() == t0 + milliseconds(200));
  CHECK(!b.Take(t0 + milliseconds(199)).has_value());
  auto c = b.Take(t0 + milliseconds(200));
  REQUIRE(c.has_value());
  CHECK(c->seq == 0);
  CHECK(c->data == "#1 a\n#1 b\n");
  b.Append("#2 c", t0 + milliseconds(300));
  auto flushed = b.Take(t0 + milliseconds(301), /*flush=*/true);
  REQUIRE(flushed.has_value());
  CHECK(flushed->seq == 1);
  CHECK(flushed->data == "#2 c\n");
}

TEST_CASE("64 KiB pending makes a chunk at once, cut at a line end") {
  LogBatcher b(64 * 1024);
  LogBatcher::Clock::time_point t0{};
  std::string line(1000, 'x');
  for (int i = 0; i < 70; ++i) b.Append(line, t0);
  CHECK(b.Full());
  auto c = b.Take(t0);
  REQUIRE(c.has_value());
  CHECK(c->data.size() == 65 * 1001);
  CHECK(c->data.back() == '\n');
  CHECK(b.pending_bytes() == 5 * 1001);
  CHECK(!b.Take(t0).has_value());
  auto rest = b.Take(t0, true);
  REQUIRE(rest.has_value());
  CHECK(rest->seq == 1);
}

}  // namespace
}  // namespace slipway::agent
