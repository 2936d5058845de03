#include "core/rescanner.h"

#include "common/log.h"
#include "core/image_details.h"
#include "insight/osv.h"
#include "store/image_store.h"
#include "store/scan_store.h"

namespace slipway::core {

void Rescanner::Tick(int64_t now_ms) {
  if (now_ms < next_check_ms_ || busy_.exchange(true)) return;
  next_check_ms_ = now_ms + config_.recheck_seconds * 1000LL;
  queue_.Post(
      [this, now_ms] {
        Check(now_ms);
        busy_ = false;
      },
      [this](const std::string&) { busy_ = false; });  // logged by the queue; the next check tries again
}

void Rescanner::Check(int64_t now_ms) {
  auto version = insight::OsvDatabaseVersion(config_.osv_database);
  if (!version.ok()) {
    LogWarn("osv database unreadable", {{"error", version.status().ToString()}});
    return;
  }
  if (*version == checked_version_) return;
  auto digests = store::ImageStore(db_).PushedDigestsWithReport(kMaxImages);
  if (!digests.ok()) return LogWarn("pushed images unreadable", {{"error", digests.status().ToString()}});
  int rescanned = 0;
  for (const auto& digest : *digests) {
    auto last = store::ScanStore(db_).Latest(digest, "osv");
    if (last.ok() && last->data_version == *version) continue;
    auto report = StoredReport(db_, digest);
    if (!report.ok()) continue;
    auto findings = reviewer_.ScanWithOsv(digest, report->inventory, now_ms);
    if (!findings.ok()) {
      LogWarn("rescan failed", {{"digest", digest}, {"error", findings.status().ToString()}});
      return;  // the database is being replaced, or unreadable: the next check tries again
    }
    ++rescanned;
    hub_.Publish("events", "image.rescanned", {{"digest", digest}, {"findings", findings->size()}});
  }
  checked_version_ = *version;
  if (rescanned > 0) LogInfo("pushed images scanned again", {{"count", std::to_string(rescanned)}, {"osv", *version}});
}

}  // namespace slipway::core
