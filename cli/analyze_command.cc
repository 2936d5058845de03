// slipway analyze IMAGE [--json] [--osv PATH] [--sbom] [--top N]
#include "analyze_command.h"

#include <cstdio>
#include <iostream>

#include "command.h"
#include "common/strings.h"
#include "common/json_text.h"
#include "insight/insight.h"

namespace slipway::cli {
namespace {

constexpr const char* kAnalyzeDescription =
    "Reads IMAGE from the local Docker engine (docker save, streamed), or a `docker save -o` archive,\n"
    "and prints its size, layers, efficiency and wasted bytes (as dive defines them), the largest\n"
    "files and folders, its Debian, Alpine and Python packages and, with --osv, the advisories of an\n"
    "offline OSV database (a folder of records or osv.dev's per-ecosystem zips) that match them.";

std::string Shorten(const std::string& s, size_t max) {
  return s.size() <= max ? s : s.substr(0, max - 3) + "...";
}

// Said wherever vulnerabilities would be listed when no database was given: no scan is not "none found".
constexpr const char* kNotScanned = "no OSV database given (--osv PATH)";

void PrintSummary(const insight::ImageReport& r, bool scanned) {
  const insight::Analysis& a = r.analysis;
  std::printf("image       %s\n", r.image_ref.c_str());
  std::printf("id          %s\n", a.image_id.c_str());
  if (r.inventory.os.known()) std::printf("os          %s\n", r.inventory.os.pretty_name.c_str());
  std::printf("size        %s", HumanBytes(a.size_bytes).c_str());
  if (a.compressed_size_bytes)
    std::printf(" (%s compressed)", HumanBytes(*a.compressed_size_bytes).c_str());
  std::printf("\nefficiency  %.2f%%\nwasted      %s\n", a.efficiency * 100,
              HumanBytes(a.wasted_bytes).c_str());
  std::printf("\nlayers\n");
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const auto& l = a.layers[i];
    std::printf("  %2zu  %10s  %s\n", i + 1, HumanBytes(l.size_bytes).c_str(),
                Shorten(l.created_by, 90).c_str());
  }
  if (!a.wasted.empty()) {
    std::printf("\nwasted space (count, bytes, path)\n");
    for (const auto& w : a.wasted) {
      std::printf("  %3llu  %10s  /%s\n", static_cast<unsigned long long>(w.occurrences),
                  HumanBytes(w.wasted_bytes).c_str(), w.path.c_str());
    }
  }
  std::printf("\nlargest files\n");
  for (const auto& f : a.largest_files)
    std::printf("  %10s  /%s\n", HumanBytes(f.size_bytes).c_str(), f.path.c_str());
  std::printf("\nlargest folders\n");
  for (const auto& f : a.largest_dirs)
    std::printf("  %10s  /%s\n", HumanBytes(f.size_bytes).c_str(), f.path.c_str());
  size_t counts[3] = {0, 0, 0};
  for (const auto& p : r.inventory.packages) ++counts[static_cast<int>(p.type)];
  std::printf("\npackages    %zu deb, %zu apk, %zu python\n", counts[0], counts[1], counts[2]);
  if (!scanned) {
    std::printf("\nvulnerabilities: not scanned (%s)\n", kNotScanned);
  } else if (r.vulnerabilities.empty()) {
    std::printf("\nvulnerabilities: none found\n");
  } else {
    std::printf("\nvulnerabilities (%zu)\n", r.vulnerabilities.size());
    for (const auto& f : r.vulnerabilities) {
      std::string sev(insight::SeverityName(f.severity));
      std::printf("  %-8s  %-22s  %s %s -> %s\n", sev.c_str(), f.id.c_str(), f.package.c_str(),
                  f.installed_version.c_str(),
                  f.fixed_version.empty() ? "(no fix)" : f.fixed_version.c_str());
    }
  }
}

}  // namespace

int AnalyzeCommand(const std::vector<std::string>& args) {
  std::string image, archive;
  bool json = false, sbom = false;
  insight::InsightOptions options;
  CLI::App app(kAnalyzeDescription, "slipway analyze");
  app.add_option("IMAGE", image, "an image of the local engine");
  app.add_flag("--json", json, "the whole report as JSON");
  app.add_flag("--sbom", sbom, "a CycloneDX 1.5 JSON SBOM instead");
  app.add_option("--osv", options.osv_database, "scan the packages against this OSV database")->type_name("PATH");
  app.add_option("--archive", archive, "read a `docker save -o` archive instead of asking the engine")
      ->type_name("FILE");
  app.add_option("--top", options.top_n, "entries in the wasted / largest lists")
      ->check(InRange({1, 100000}))
      ->type_name("N")
      ->capture_default_str();
  app.footer("Exit status: 0 done, 1 the image could not be read or scanned, 2 bad usage.\n");
  if (auto done = ParseCommandFlags(app, "analyze", args)) return *done;
  if (image.empty() == archive.empty())
    return UsageError("analyze", "give one IMAGE or --archive FILE");
  Result<insight::ImageReport> report = archive.empty()
                                            ? insight::AnalyzeLocalImage(image, options)
                                            : insight::AnalyzeImageArchive(archive, options);
  if (!report.ok()) {
    std::cerr << "slipway analyze: " << report.status().message() << "\n";
    return 1;
  }
  if (sbom) {
    std::cout << JsonText(insight::CycloneDxSbom(*report), 2) << "\n";
  } else if (json) {
    nlohmann::json j = insight::ToJson(*report);
    if (options.osv_database.empty()) j["not_scanned"] = kNotScanned;
    std::cout << JsonText(j, 2) << "\n";
  } else {
    PrintSummary(*report, !options.osv_database.empty());
  }
  return 0;
}

}  // namespace slipway::cli
