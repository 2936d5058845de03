// The built-in offline scanner: matches an image's packages against an OSV database, either a
// folder of OSV records (.json, .yaml, .yml, searched recursively) or the per-ecosystem .zip files
// osv.dev publishes (a .zip given directly or found in the folder; read with libarchive).
//
// Ecosystems: Debian packages are matched by their SOURCE package in "Debian:<VERSION_ID>" (as
// Debian advisories name source packages), Alpine ones in "Alpine:v<major>.<minor>", Python ones in
// "PyPI" by PEP 503 name. An OSV "affected" entry matches when its `versions` list holds the
// installed version or an ECOSYSTEM range (introduced / fixed / last_affected) covers it, with the
// ecosystem's own version order. Records stream through one at a time; only matches are kept.
//
// Thread-safety: pure functions; the database is only read.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "insight/findings.h"
#include "insight/packages.h"

namespace slipway::insight {

// The OSV ecosystem a package of this inventory is published in ("Debian:12", "Alpine:v3.19",
// "PyPI"), or empty when the OS release does not say.
std::string OsvEcosystem(const PackageInventory& inventory, PackageType type);

// The findings one OSV record (already parsed) gives for the inventory.
std::vector<Finding> MatchOsvRecord(const nlohmann::json& record,
                                    const PackageInventory& inventory);

// Reads every record under db_path and returns the sorted findings. NotFound if db_path does not
// exist; a record that cannot be parsed is skipped (counted in *skipped when given).
Result<std::vector<Finding>> ScanWithOsv(const std::string& db_path,
                                         const PackageInventory& inventory,
                                         size_t* skipped = nullptr);

// A fingerprint of the database as it is on disk now (its record and zip files' count, sizes and
// latest modification time): when it changes, earlier scans are out of date. NotFound if db_path
// does not exist.
Result<std::string> OsvDatabaseVersion(const std::string& db_path);

}  // namespace slipway::insight
