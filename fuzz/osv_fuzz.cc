// Fuzzes the offline OSV scanner on one record (JSON, or YAML when it does not start with '{'),
// matched against a Debian, an Alpine and a Python inventory. The record goes through the
// scanner's own reading: it is written to a database folder of one file, as the scanner reads them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "insight/osv.h"
#include "insight/packages.h"

using namespace slipway::insight;
namespace fs = std::filesystem;

namespace {

Package Pkg(PackageType type, std::string name, std::string version, std::string source = "") {
  Package p{.type = type, .name = name, .version = version};
  p.source_name = source.empty() ? name : source;
  p.source_version = version;
  return p;
}

const std::vector<PackageInventory>& Inventories() {
  static const std::vector<PackageInventory> inventories = {
      {.os = {.id = "debian", .version_id = "12"},
       .packages = {Pkg(PackageType::kDeb, "libssl3", "3.0.11-1~deb12u2", "openssl"),
                    Pkg(PackageType::kDeb, "zlib1g", "1:1.2.13.dfsg-1", "zlib"),
                    Pkg(PackageType::kPython, "requests", "2.28.1"),
                    Pkg(PackageType::kPython, "pip", "23.0.1")}},
      {.os = {.id = "alpine", .version_id = "3.19.1"},
       .packages = {Pkg(PackageType::kApk, "busybox", "1.36.1-r15"),
                    Pkg(PackageType::kApk, "libcrypto3", "3.1.4-r5", "openssl")}},
  };
  return inventories;
}

// A folder of its own for this process, removed at exit.
const fs::path& DatabaseDir() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "slipway-osv-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    std::atexit([] { fs::remove_all(DatabaseDir()); });
    return fs::path(tmpl);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bool json = size > 0 && data[0] == '{';
  fs::path record = DatabaseDir() / (json ? "record.json" : "record.yaml");
  fs::remove(DatabaseDir() / (json ? "record.yaml" : "record.json"));
  {
    std::ofstream out(record, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  for (const PackageInventory& inventory : Inventories()) {
    (void)ScanWithOsv(DatabaseDir().string(), inventory);
  }
  return 0;
}
