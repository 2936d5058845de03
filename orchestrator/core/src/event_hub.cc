#include "core/event_hub.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace slipway::core {

std::string EventHub::Frame(std::string_view event, const nlohmann::json& data, long long id) {
  std::string frame;
  if (id > 0) frame += "id: " + std::to_string(id) + "\n";
  frame += "event: ";
  frame += event;
  frame += "\ndata: ";
  frame += JsonText(data);  // one line: JSON escapes \n
  frame += "\n\n";
  return frame;
}

void EventHub::Subscribe(const std::string& topic, std::shared_ptr<EventSink> sink) {
  sink->Write(": subscribed to " + topic + "\n\n");
  std::unique_lock lock(mu_);
  if (closed_) {
    lock.unlock();
    return sink->Close();
  }
  topics_[topic].push_back(std::move(sink));
}

void EventHub::Publish(const std::string& topic, std::string_view event, const nlohmann::json& data, long long id) {
  std::string frame = Frame(event, data, id);
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  auto& subs = it->second;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [](const auto& w) { return w->Closed(); }), subs.end());
  for (auto& w : subs) w->Write(frame);
  if (subs.empty()) topics_.erase(it);
}

void EventHub::CloseAll() {
  std::map<std::string, std::vector<std::shared_ptr<EventSink>>> topics;
  {
    std::lock_guard lock(mu_);
    topics.swap(topics_);
    closed_ = true;
  }
  for (auto& [topic, subs] : topics) {
    for (auto& w : subs) w->Close();
  }
}

void EventHub::CloseTopic(const std::string& topic, std::string_view event, const nlohmann::json& data) {
  std::string frame = Frame(event, data, 0);
  std::vector<std::shared_ptr<EventSink>> subs;
  {
    std::lock_guard lock(mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return;
    subs = std::move(it->second);
    topics_.erase(it);
  }
  for (auto& w : subs) {
    w->Write(frame);
    w->Close();
  }
}

void EventHub::Heartbeat() {
  std::lock_guard lock(mu_);
  for (auto it = topics_.begin(); it != topics_.end();) {
    auto& subs = it->second;
    subs.erase(std::remove_if(subs.begin(), subs.end(), [](const auto& w) { return w->Closed(); }), subs.end());
    for (auto& w : subs) w->Write(": keepalive\n\n");
    it = subs.empty() ? topics_.erase(it) : std::next(it);
  }
}

size_t EventHub::SubscriberCount() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [topic, subs] : topics_) n += subs.size();
  return n;
}

}  // namespace slipway::core
