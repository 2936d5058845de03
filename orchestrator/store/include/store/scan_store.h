// ScanStore: vulnerability scan outcomes per image digest and scanner, so a build's findings can be
// diffed against the previous build's and gated by policy.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

struct ScanRecord {
  int64_t id = 0;  // set by the store
  std::string image_digest;
  std::string scanner;  // "trivy", "grype", ...
  int64_t finished_at = 0;
  std::string summary_json = "{}";   // counts per severity
  std::string findings_json = "[]";  // the findings, normalised
  std::string data_version;          // the vulnerability data matched against ("" when unknown)
};

class ScanStore {
 public:
  explicit ScanStore(Database& db) : db_(db) {}

  Result<int64_t> Record(const ScanRecord& scan);
  // The most recent scan of `image_digest` by `scanner`.
  Result<ScanRecord> Latest(std::string_view image_digest, std::string_view scanner);
  // The most recent scan of `image_digest` by each scanner, by scanner name.
  Result<std::vector<ScanRecord>> LatestEach(std::string_view image_digest);

 private:
  Database& db_;
};

}  // namespace slipway::store
