// Benchmark: scanning one image's packages against an OSV database of generated records, with the
// database loaded once into an index (what slipwayd does) beside the baseline of reading the whole
// database for every scan (what each scan cost before the index).
//
//   osv_bench [RECORDS] [SCANS]     defaults: 100000 records, 20 scans
//
// Records are written as JSON files into a temporary folder, spread over Debian:12, Debian:11,
// Alpine:v3.18 and PyPI, each naming one of 20,000 package names with a fixed/introduced range;
// the image holds 300 Debian packages and 40 Python ones from the same names, so scans find things.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "insight/osv.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using slipway::insight::PackageInventory;
using slipway::insight::PackageType;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string Name(int i) { return "pkg" + std::to_string(i % 20000); }

void WriteRecords(const fs::path& dir, int count) {
  const char* ecosystems[] = {"Debian:12", "Debian:11", "Alpine:v3.18", "PyPI"};
  for (int i = 0; i < count; ++i) {
    std::string ecosystem = ecosystems[i % 4];
    bool deb = ecosystem.starts_with("Debian");
    nlohmann::json record = {
        {"schema_version", "1.6.0"},
        {"id", "GEN-" + std::to_string(i)},
        {"aliases", {"CVE-2099-" + std::to_string(i)}},
        {"modified", "2026-01-01T00:00:00Z"},
        {"affected",
         {{{"package", {{"ecosystem", ecosystem}, {"name", Name(i * 7)}}},
           {"ranges",
            {{{"type", "ECOSYSTEM"},
              {"events",
               {{{"introduced", "0"}}, {{"fixed", deb ? "1." + std::to_string(i % 9) + "-1" : "1." + std::to_string(i % 9)}}}}}}}}}},
        {"database_specific", {{"severity", (i % 3) ? "MODERATE" : "HIGH"}}}};
    std::ofstream(dir / ("GEN-" + std::to_string(i) + ".json")) << record.dump();
  }
}

PackageInventory Image() {
  PackageInventory inv;
  inv.os = {"debian", "12", "Debian GNU/Linux 12 (bookworm)", "bookworm"};
  for (int i = 0; i < 300; ++i) {
    inv.packages.push_back({PackageType::kDeb, Name(i * 13), "1.4-1", Name(i * 13), "1.4-1", "amd64", "/s"});
  }
  for (int i = 0; i < 40; ++i) {
    inv.packages.push_back({PackageType::kPython, Name(i * 29), "1.4", Name(i * 29), "1.4", "", "/m"});
  }
  return inv;
}

}  // namespace

int main(int argc, char** argv) {
  int records = argc > 1 ? std::atoi(argv[1]) : 100000;
  int scans = argc > 2 ? std::atoi(argv[2]) : 20;
  if (records <= 0 || scans <= 0) {
    std::fprintf(stderr, "usage: osv_bench [RECORDS] [SCANS]\n");
    return 2;
  }
  fs::path dir = fs::temp_directory_path() / ("slipway-osv-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto start = Clock::now();
  WriteRecords(dir, records);
  std::printf("records        %d generated in %.0f ms\n", records, MsSince(start));
  PackageInventory image = Image();

  start = Clock::now();
  auto index = slipway::insight::OsvIndex::Load(dir.string());
  double load_ms = MsSince(start);
  if (!index.ok()) {
    std::fprintf(stderr, "osv_bench: %s\n", index.status().ToString().c_str());
    return 1;
  }
  std::vector<double> indexed;
  size_t findings = 0;
  for (int i = 0; i < scans; ++i) {
    start = Clock::now();
    findings = (*index)->Scan(image).size();
    indexed.push_back(MsSince(start));
  }
  // Baseline: the whole database read for the scan, as every scan did before the index.
  std::vector<double> streaming;
  size_t baseline_findings = 0;
  for (int i = 0; i < std::min(scans, 3); ++i) {
    start = Clock::now();
    auto found = slipway::insight::ScanWithOsv(dir.string(), image);
    streaming.push_back(MsSince(start));
    baseline_findings = found.ok() ? found->size() : 0;
  }
  std::printf("image          %zu packages\n", image.packages.size());
  std::printf("index load     %.0f ms (once, and again when the database changes)\n", load_ms);
  std::printf("indexed scan   median %.3f ms, max %.3f ms over %d scans (%zu findings)\n", Median(indexed),
              *std::max_element(indexed.begin(), indexed.end()), scans, findings);
  std::printf("baseline       median %.0f ms per scan reading the whole database (%zu findings)\n",
              Median(streaming), baseline_findings);
  std::printf("ratio          %.0fx\n", Median(streaming) / std::max(Median(indexed), 1e-6));
  fs::remove_all(dir);
  return findings == baseline_findings ? 0 : 1;
}
