// CancelToken: a one-way flag that asks a running build to stop, with a wait that wakes on it.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace slipway::agent {

class CancelToken {
 public:
  void Cancel() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      canceled_ = true;
    }
    cv_.notify_all();
  }
  bool canceled() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return canceled_;
  }
  // Returns true as soon as the token is canceled, false when timeout passes first.
  bool WaitFor(std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return canceled_; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool canceled_ = false;
};

}  // namespace slipway::agent
