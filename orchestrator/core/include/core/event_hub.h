// EventHub: fans server-sent events out to the dashboards and CLIs that follow a topic.
//
// Topics: "events" (every run and job status change) and "job/<id>/log" (one job's log chunks).
// A subscriber is an open event stream (core/sinks.h); it leaves when it closes.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/sinks.h"

namespace slipway::core {

class EventHub {
 public:
  // Adds sink, a stream already begun, to topic.
  void Subscribe(const std::string& topic, std::shared_ptr<EventSink> sink);
  // Sends one event to every subscriber of topic: "id: <id>\nevent: <event>\ndata: <json>\n\n".
  void Publish(const std::string& topic, std::string_view event, const nlohmann::json& data, long long id = 0);
  // Sends a last event to the topic's subscribers and ends their streams.
  void CloseTopic(const std::string& topic, std::string_view event, const nlohmann::json& data);
  // Ends every stream and lets go of its sink: at shutdown, before the HTTP server stops (a
  // sink must not outlive the server whose connection it holds). Later subscribers are ended at once.
  void CloseAll();
  // Sends an SSE comment to every subscriber (keeps proxies from closing idle streams, finds the gone).
  void Heartbeat();
  size_t SubscriberCount() const;

  static std::string Frame(std::string_view event, const nlohmann::json& data, long long id);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::shared_ptr<EventSink>>> topics_;  // GUARDED_BY(mu_)
  bool closed_ = false;  // GUARDED_BY(mu_); set by CloseAll
};

}  // namespace slipway::core
