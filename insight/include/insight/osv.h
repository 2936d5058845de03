// The built-in offline scanner: matches an image's packages against an OSV database, either a
// folder of OSV records (.json, .yaml, .yml, searched recursively) or the per-ecosystem .zip files
// osv.dev publishes (a .zip given directly or found in the folder; read with libarchive).
//
// Ecosystems as the OSV schema names them: Debian packages are matched by their SOURCE package in
// "Debian:<release>" (the release as Debian's distro-info-data writes it: "12", "11", ..., "3.1"),
// Alpine ones in "Alpine:v<major>.<minor>", Python ones in "PyPI" by PEP 503 name. An OSV "affected"
// entry matches when its `versions` list holds the installed version or an ECOSYSTEM range
// (introduced / fixed / last_affected) covers it, with the ecosystem's own version order.
//
// The database is read once into an OsvIndex (records by ecosystem and package name), so a scan
// looks up each package instead of reading the database; OsvIndexCache reloads it when it changes.
//
// Thread-safety: an OsvIndex is immutable once loaded and may be shared; OsvIndexCache is safe to
// call from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "insight/findings.h"
#include "insight/packages.h"

namespace slipway::insight {

// The OSV ecosystem a package of this inventory is published in ("Debian:12", "Alpine:v3.19",
// "PyPI"), or "Debian"/"Alpine" alone when the OS release does not say which.
std::string OsvEcosystem(const PackageInventory& inventory, PackageType type);

// Debian's release number for a codename, as distro-info-data writes it ("bookworm" -> "12",
// "sarge" -> "3.1"); empty for one it does not know (and for sid, which has none).
std::string DebianReleaseOfCodename(std::string_view codename);

// One "affected" entry of one OSV record, in the form a scan needs.
struct OsvAffected {
  struct Event {
    std::string kind;  // introduced, fixed, last_affected, limit
    std::string version;
  };
  std::string id;
  std::vector<std::string> aliases;
  Severity severity = Severity::kUnknown;
  std::vector<std::string> versions;         // listed affected versions
  std::vector<std::vector<Event>> ranges;    // ECOSYSTEM and SEMVER ranges
};

class OsvIndex {
 public:
  // Reads every record under db_path. NotFound if db_path does not exist; a record that cannot be
  // parsed is skipped (counted in skipped()).
  static Result<std::shared_ptr<const OsvIndex>> Load(const std::string& db_path);

  // Adds one parsed record; false when it is not an OSV record (no object).
  bool Add(const nlohmann::json& record);
  // The sorted findings for the inventory.
  std::vector<Finding> Scan(const PackageInventory& inventory) const;

  size_t skipped() const { return skipped_; }
  const std::string& version() const { return version_; }

 private:
  std::vector<OsvAffected> entries_;
  // "ecosystem\n<name>" (PyPI names normalised) -> indexes into entries_
  std::unordered_map<std::string, std::vector<uint32_t>> by_package_;
  size_t skipped_ = 0;
  std::string version_;
};

// The database at one path, loaded on first use and again whenever OsvDatabaseVersion changes.
class OsvIndexCache {
 public:
  explicit OsvIndexCache(std::string db_path) : db_path_(std::move(db_path)) {}
  Result<std::shared_ptr<const OsvIndex>> Current();

 private:
  const std::string db_path_;
  std::mutex mu_;
  std::shared_ptr<const OsvIndex> index_;
};

// Loads the database under db_path and scans the inventory once (OsvIndex::Load, then Scan): for
// one-off scans. NotFound if db_path does not exist; *skipped gets the unreadable records.
Result<std::vector<Finding>> ScanWithOsv(const std::string& db_path,
                                         const PackageInventory& inventory,
                                         size_t* skipped = nullptr);

// A fingerprint of the database as it is on disk now (its record and zip files' count, sizes and
// latest modification time): when it changes, earlier scans are out of date. NotFound if db_path
// does not exist.
Result<std::string> OsvDatabaseVersion(const std::string& db_path);

}  // namespace slipway::insight
