// FakeForge: a stand-in for a hosted forge's REST API (GitHub, Gitea or GitLab) and for a
// notification receiver, which cannot run here. It listens on loopback, records every request it
// receives, and answers as a forge would: commit statuses are created, pull request comments
// (merge request notes) are listed, created and updated, anything else posted is taken. On demand
// it fails: an answer of the test's choosing (500, 403 with Retry-After, ...), a connection held
// without an answer (a time-out), or a connection dropped (an outage).
//
// Thread-safety: every public method may be called from any thread while the fake serves.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/loopback.h"

namespace slipway::testing {

class FakeForge {
 public:
  struct Request {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool delivered = false;  // answered with a 2xx
    std::chrono::steady_clock::time_point received;

    std::string Header(const std::string& name) const {
      for (const auto& [k, v] : headers) {
        if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
      }
      return "";
    }
    nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
  };

  struct Failure {
    enum class Kind { kAnswer, kHang, kDrop };
    Kind kind = Kind::kAnswer;
    int status = 500;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body = R"({"message":"fake outage"})";
    std::chrono::milliseconds hang{0};  // kHang: how long the connection is held
  };
  static Failure Answer(int status, std::vector<std::pair<std::string, std::string>> headers = {},
                        std::string body = R"({"message":"fake outage"})") {
    return {Failure::Kind::kAnswer, status, std::move(headers), std::move(body), {}};
  }
  static Failure Hang(std::chrono::milliseconds how_long) {
    return {Failure::Kind::kHang, 0, {}, "", how_long};
  }
  static Failure Drop() { return {Failure::Kind::kDrop, 0, {}, "", {}}; }

  FakeForge() {
    fd_ = ListenOnLoopback(&port_, 64);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeForge() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  FakeForge(const FakeForge&) = delete;
  FakeForge& operator=(const FakeForge&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The next `count` requests get `failure` instead of an answer.
  void FailNext(int count, const Failure& failure) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < count; ++i) failures_.push_back(failure);
  }
  // While down, every request is dropped.
  void SetDown(bool down) { down_ = down; }

  std::vector<Request> All() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<Request> Delivered() const {
    std::vector<Request> out;
    for (auto& r : All()) {
      if (r.delivered) out.push_back(r);
    }
    return out;
  }
  // Waits until `count` requests were delivered; false after `timeout`.
  bool WaitForDelivered(size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] {
      size_t n = 0;
      for (const auto& r : requests_) n += r.delivered;
      return n >= count;
    });
  }
  // A comment already on pull request `pr`; returns its id.
  int64_t AddComment(int64_t pr, const std::string& body) {
    std::lock_guard lock(mu_);
    comments_[++next_id_] = {pr, body};
    return next_id_;
  }
  // pr → bodies of its comments, in id order.
  std::map<int64_t, std::vector<std::string>> Comments() const {
    std::lock_guard lock(mu_);
    std::map<int64_t, std::vector<std::string>> out;
    for (const auto& [id, c] : comments_) out[c.first].push_back(c.second);
    return out;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) continue;
      Serve(conn);
      close(conn);
    }
  }

  // Reads one request (head and Content-Length body); false when the client gave up first.
  static bool ReadRequest(int conn, Request* r) {
    std::string data;
    char buf[8192];
    size_t head_end = std::string::npos;
    size_t length = 0;
    for (;;) {
      pollfd p{conn, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) return false;
      ssize_t n = read(conn, buf, sizeof buf);
      if (n <= 0) return false;
      data.append(buf, static_cast<size_t>(n));
      if (head_end == std::string::npos &&
          (head_end = data.find("\r\n\r\n")) != std::string::npos) {
        std::string head = data.substr(0, head_end);
        size_t line_end = head.find("\r\n");
        std::string first = head.substr(0, line_end);
        r->method = first.substr(0, first.find(' '));
        r->target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
        size_t pos = line_end;
        while (pos != std::string::npos && pos < head.size()) {
          size_t next = head.find("\r\n", pos + 2);
          std::string line =
              head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
          size_t colon = line.find(':');
          if (colon != std::string::npos) {
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            r->headers.emplace_back(line.substr(0, colon), value);
            if (strcasecmp(line.substr(0, colon).c_str(), "Content-Length") == 0)
              length = std::stoul(value);
          }
          pos = next;
        }
      }
      if (head_end != std::string::npos && data.size() >= head_end + 4 + length) {
        r->body = data.substr(head_end + 4, length);
        return true;
      }
    }
  }

  static void Reply(int conn, int status,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body) {
    std::string out =
        "HTTP/1.1 " + std::to_string(status) + " Fake\r\nContent-Type: application/json\r\n";
    for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
    out +=
        "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    for (size_t sent = 0; sent < out.size();) {
      ssize_t n = write(conn, out.data() + sent, out.size() - sent);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  void Serve(int conn) {
    Request r;
    if (!ReadRequest(conn, &r)) return;
    r.received = std::chrono::steady_clock::now();
    std::optional<Failure> failure;
    {
      std::lock_guard lock(mu_);
      if (down_) {
        failure = Drop();
      } else if (!failures_.empty()) {
        failure = failures_.front();
        failures_.pop_front();
      }
    }
    int status = 0;
    std::string body;
    if (failure) {
      if (failure->kind == Failure::Kind::kHang) std::this_thread::sleep_for(failure->hang);
      if (failure->kind == Failure::Kind::kAnswer)
        Reply(conn, failure->status, failure->headers, failure->body);
      status = failure->kind == Failure::Kind::kAnswer ? failure->status : 0;
    } else {
      std::tie(status, body) = Route(r);
      Reply(conn, status, {}, body);
    }
    std::lock_guard lock(mu_);
    r.delivered = status >= 200 && status < 300;
    requests_.push_back(std::move(r));
    changed_.notify_all();
  }

  // The forge's answer to a request that is not made to fail. REQUIRES: mu_ not held.
  std::pair<int, std::string> Route(const Request& r) {
    static const std::regex list(
        R"(.*/(?:issues|merge_requests)/(\d+)/(?:comments|notes)(?:\?.*)?)");
    static const std::regex edit(R"(.*/(?:issues/comments|merge_requests/\d+/notes)/(\d+))");
    std::smatch m;
    std::lock_guard lock(mu_);
    if (r.method == "GET" && std::regex_match(r.target, m, list)) {
      const int64_t pr = std::stoll(m[1]);
      static const std::regex page_param(R"([?&]page=(\d+))");
      std::smatch page;
      const bool second_page = std::regex_search(r.target, page, page_param) && page[1] != "1";
      nlohmann::json out = nlohmann::json::array();
      for (const auto& [id, c] : comments_) {
        if (c.first == pr && !second_page) out.push_back({{"id", id}, {"body", c.second}});
      }
      return {200, out.dump()};
    }
    if (r.method == "POST" && std::regex_match(r.target, m, list)) {
      comments_[++next_id_] = {std::stoll(m[1]),
                               nlohmann::json::parse(r.body, nullptr, false).value("body", "")};
      return {201, nlohmann::json{{"id", next_id_}}.dump()};
    }
    if ((r.method == "PATCH" || r.method == "PUT") && std::regex_match(r.target, m, edit)) {
      auto it = comments_.find(std::stoll(m[1]));
      if (it == comments_.end()) return {404, R"({"message":"Not Found"})"};
      it->second.second = nlohmann::json::parse(r.body, nullptr, false).value("body", "");
      return {200, nlohmann::json{{"id", it->first}}.dump()};
    }
    if (r.method == "POST") return {201, nlohmann::json{{"id", ++next_id_}}.dump()};
    return {404, R"({"message":"Not Found"})"};
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> down_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::deque<Failure> failures_;                                 // GUARDED_BY(mu_)
  std::vector<Request> requests_;                                // GUARDED_BY(mu_)
  std::map<int64_t, std::pair<int64_t, std::string>> comments_;  // GUARDED_BY(mu_): id → (pr, body)
  int64_t next_id_ = 1000;                                       // GUARDED_BY(mu_)
};

}  // namespace slipway::testing
