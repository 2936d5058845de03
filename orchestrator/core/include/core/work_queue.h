// WorkQueue: background threads running queued tasks (planning: git fetches and pipeline
// expansion; the HTTP handlers' heavy work), which must not block the HTTP threads. With one
// thread (the default) tasks run one at a time, in order.
//
// Thread-safety: Post and TryPost may be called from any thread. The destructor finishes the
// queued tasks.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace slipway::core {

class WorkQueue {
 public:
  explicit WorkQueue(int threads = 1) {
    for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~WorkQueue() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

  void Post(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

  // Queues task unless max_waiting tasks already wait; false (task not queued) then.
  bool TryPost(std::function<void()> task, size_t max_waiting) {
    {
      std::lock_guard lock(mu_);
      if (tasks_.size() >= max_waiting) return false;
      tasks_.emplace_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace slipway::core
