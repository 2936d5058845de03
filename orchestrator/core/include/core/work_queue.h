// WorkQueue: background threads running queued tasks (planning: git fetches and pipeline
// expansion; base checks; rescans; the HTTP handlers' heavy work), which must not block the HTTP
// threads. With one thread (the default) tasks run one at a time, in order.
//
// Tasks work on pushed content, so a task that throws must cost that task only: the exception is
// caught, and its message handed to the task's on_failure (which records it as the run's error,
// for instance). The thread, and the process, carry on with the next task.
//
// Thread-safety: Post and TryPost may be called from any thread. The destructor finishes the
// queued tasks.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/log.h"

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

  using OnFailure = std::function<void(const std::string& what)>;

  void Post(std::function<void()> task, OnFailure on_failure) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back({std::move(task), std::move(on_failure)});
    }
    cv_.notify_one();
  }

  // Queues task unless max_waiting tasks already wait; false (task not queued) then.
  bool TryPost(std::function<void()> task, size_t max_waiting) {
    {
      std::lock_guard lock(mu_);
      if (tasks_.size() >= max_waiting) return false;
      tasks_.push_back({std::move(task), nullptr});
    }
    cv_.notify_one();
    return true;
  }

 private:
  struct Task {
    std::function<void()> run;
    OnFailure on_failure;
  };

  static void RunGuarded(const Task& task) {
    std::string what;
    try {
      task.run();
      return;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "an unknown exception";
    }
    LogError("background task failed", {{"error", what}});
    try {
      if (task.on_failure) task.on_failure(what);
    } catch (...) {
      LogError("recording a failed background task failed too", {{"error", what}});
    }
  }

  void Loop() {
    for (;;) {
      Task task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      RunGuarded(task);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace slipway::core
