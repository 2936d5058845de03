// Rescanner: scans pushed images again with the built-in OSV scanner when its database changes,
// so advisories published after a build reach the images already shipped. Each image's latest
// OSV scan records the database version it used; a check rescans the pushed images whose version
// differs from the database's now. Checks run on a thread of their own, at most one at a time.
//
// Thread-safety: Tick may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/config.h"
#include "core/event_hub.h"
#include "core/image_review.h"
#include "core/work_queue.h"
#include "store/database.h"

namespace slipway::core {

class Rescanner {
 public:
  static constexpr int kMaxImages = 1000;  // the most recently built pushed images

  Rescanner(const ScanConfig& config, ImageReviewer& reviewer, store::Database& db, EventHub& hub)
      : config_(config), reviewer_(reviewer), db_(db), hub_(hub) {}

  // Starts a check when one is due (every scan.recheck_seconds) and none is running.
  void Tick(int64_t now_ms);

 private:
  void Check(int64_t now_ms);

  const ScanConfig& config_;
  ImageReviewer& reviewer_;
  store::Database& db_;
  EventHub& hub_;
  std::atomic<bool> busy_{false};
  int64_t next_check_ms_ = 0;  // only Tick's caller touches it
  std::string checked_version_;  // the database version the last full check saw (queue thread only)
  WorkQueue queue_;            // last: its thread stops before the members above go
};

}  // namespace slipway::core
