// Times the image analysis (docker save streamed into the reader, analysis, packages, optional
// OSV scan) beside a plain `docker save` of the same image whose output is discarded, and reports
// the analysis's peak memory. Usage: insight_bench [IMAGE] [RUNS] [OSV_PATH]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/subprocess.h"
#include "insight/insight.h"

namespace {

using Clock = std::chrono::steady_clock;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Plain `docker save IMAGE`, its output read and dropped: the baseline.
double TimeDockerSave(const std::string& image, uint64_t* bytes) {
  auto start = Clock::now();
  auto child = slipway::Subprocess::Start({"docker", "save", image});
  if (!child.ok()) {
    std::fprintf(stderr, "cannot start docker: %s\n", child.status().message().c_str());
    std::exit(1);
  }
  *bytes = 0;
  (*child)->Pump([&](std::string_view chunk) { *bytes += chunk.size(); }, nullptr);
  if ((*child)->Wait() != 0) {
    std::fprintf(stderr, "docker save %s failed\n", image.c_str());
    std::exit(1);
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double TimeAnalysis(const std::string& image, const slipway::insight::InsightOptions& options,
                    slipway::insight::ImageReport* report) {
  auto start = Clock::now();
  auto r = slipway::insight::AnalyzeLocalImage(image, options);
  if (!r.ok()) {
    std::fprintf(stderr, "analysis failed: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  *report = std::move(*r);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long MaxRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  std::string image = argc > 1 ? argv[1] : "python:3.11-slim";
  int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  slipway::insight::InsightOptions options;
  if (argc > 3) options.osv_database = argv[3];

  long rss_before = MaxRssKb();
  std::vector<double> save_s, analysis_s;
  uint64_t save_bytes = 0;
  slipway::insight::ImageReport report;
  // Warm the engine's caches once, then alternate so both see the same conditions.
  TimeDockerSave(image, &save_bytes);
  for (int i = 0; i < runs; ++i) {
    save_s.push_back(TimeDockerSave(image, &save_bytes));
    analysis_s.push_back(TimeAnalysis(image, options, &report));
  }
  long rss_peak = MaxRssKb();
  double save = Median(save_s);
  double analysis = Median(analysis_s);
  uint64_t files = 0;
  for (const auto& l : report.analysis.layers) files += l.files;
  std::printf("image                    %s\n", image.c_str());
  std::printf("runs                     %d (medians)\n", runs);
  std::printf("docker save stream       %.1f MB\n", save_bytes / 1e6);
  std::printf("image size (files)       %.1f MB in %zu layers, %llu entries\n",
              report.analysis.size_bytes / 1e6, report.analysis.layers.size(),
              static_cast<unsigned long long>(files));
  std::printf("packages / findings      %zu / %zu\n", report.inventory.packages.size(),
              report.vulnerabilities.size());
  std::printf("docker save (discarded)  %.3f s\n", save);
  std::printf("analysis                 %.3f s\n", analysis);
  std::printf("ratio analysis / save    %.2fx (target <= 2x)\n", save > 0 ? analysis / save : 0.0);
  std::printf("peak RSS                 %.1f MB (at start %.1f MB)\n", rss_peak / 1024.0,
              rss_before / 1024.0);
  return 0;
}
