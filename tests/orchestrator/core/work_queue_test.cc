#include "core/work_queue.h"

#include <catch2/catch.hpp>
#include <future>
#include <stdexcept>

#include <nlohmann/json.hpp>

using slipway::core::WorkQueue;

TEST_CASE("a task that throws costs that task only: its failure handler gets the message, the queue goes on") {
  std::promise<std::string> failure;
  std::promise<void> next_ran;
  {
    WorkQueue queue;
    // What reading pushed bytes used to do on the planning thread.
    queue.Post([] { (void)nlohmann::json("caf\xe9").dump(); },
               [&](const std::string& what) { failure.set_value(what); });
    queue.Post([] { throw 42; }, [](const std::string& what) { CHECK(what == "an unknown exception"); });
    queue.Post([] { throw std::runtime_error("x"); }, [](const std::string&) { throw std::logic_error("handler"); });
    queue.Post([&] { next_ran.set_value(); }, nullptr);
  }
  CHECK(failure.get_future().get().find("type_error.316") != std::string::npos);
  next_ran.get_future().get();
}
