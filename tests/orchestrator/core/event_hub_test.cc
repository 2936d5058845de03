#include "core/event_hub.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using slipway::core::EventHub;

namespace {

// Records what the hub writes, as an SSE response would carry it.
class RecordingSink : public slipway::core::EventSink {
 public:
  void Write(std::string data) override { written += data; }
  void Close() override { closed = true; }
  bool Closed() const override { return closed; }
  std::string written;
  bool closed = false;
};

}  // namespace

TEST_CASE("an SSE frame is one event with its JSON on one data line") {
  std::string frame = EventHub::Frame("log", {{"data", "line one\nline two"}}, 7);
  CHECK(frame == "id: 7\nevent: log\ndata: {\"data\":\"line one\\nline two\"}\n\n");
}

TEST_CASE("the hub fans events out per topic and forgets closed subscribers") {
  EventHub hub;
  auto a = std::make_shared<RecordingSink>();
  auto b = std::make_shared<RecordingSink>();
  hub.Subscribe("events", a);
  hub.Subscribe("job/1/log", b);
  CHECK(a->written == ": subscribed to events\n\n");
  hub.Publish("events", "run", {{"run_id", 1}});
  CHECK(a->written.find("event: run") != std::string::npos);
  CHECK(b->written.find("event: run") == std::string::npos);
  CHECK(hub.SubscriberCount() == 2);

  a->closed = true;
  hub.Publish("events", "run", {{"run_id", 2}});
  CHECK(hub.SubscriberCount() == 1);

  hub.CloseTopic("job/1/log", "end", {{"status", "success"}});
  CHECK(b->written.find("event: end") != std::string::npos);
  CHECK(b->closed);
  CHECK(hub.SubscriberCount() == 0);
}
