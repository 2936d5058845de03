// Comparison with the previous build, budgets broken and kept, the scan gate and finding diffs.
#include "insight/compare.h"

#include <catch2/catch.hpp>

#include "insight/report.h"

namespace slipway::insight {
namespace {

Analysis Make(std::vector<LayerSummary> layers, double efficiency = 1.0, uint64_t wasted = 0) {
  Analysis a;
  for (const LayerSummary& l : layers) a.size_bytes += l.size_bytes;
  a.layers = std::move(layers);
  a.efficiency = efficiency;
  a.wasted_bytes = wasted;
  return a;
}

LayerSummary L(const std::string& id, const std::string& by, uint64_t size) {
  LayerSummary l;
  l.diff_id = id;
  l.created_by = by;
  l.size_bytes = size;
  return l;
}

Finding F(const std::string& id, const std::string& pkg, Severity s,
          std::vector<std::string> aliases = {}) {
  Finding f;
  f.id = id;
  f.package = pkg;
  f.installed_version = "1.0";
  f.fixed_version = "1.1";
  f.severity = s;
  f.aliases = std::move(aliases);
  return f;
}

}  // namespace

TEST_CASE("comparison: unchanged, grown, added and removed layers") {
  Analysis before =
      Make({L("sha256:base", "ADD rootfs", 1000), L("sha256:a", "RUN pip install", 500),
            L("sha256:b", "COPY old.txt /", 10)});
  Analysis after =
      Make({L("sha256:base", "ADD rootfs", 1000), L("sha256:a2", "RUN pip install", 800),
            L("sha256:c", "COPY app /app", 200)});
  Comparison c = CompareAnalyses(before, after);
  CHECK(c.size_delta_bytes == 490);
  CHECK(c.size_delta_percent == Approx(100.0 * 490 / 1510));
  REQUIRE(c.layers.size() == 3);
  CHECK(c.layers[0].kind == LayerChange::Kind::kGrown);
  CHECK(c.layers[0].created_by == "RUN pip install");
  CHECK(c.layers[0].before_bytes == 500);
  CHECK(c.layers[0].after_bytes == 800);
  CHECK(c.layers[1].kind == LayerChange::Kind::kAdded);
  CHECK(c.layers[1].created_by == "COPY app /app");
  CHECK(c.layers[2].kind == LayerChange::Kind::kRemoved);
  CHECK(c.layers[2].created_by == "COPY old.txt /");
  nlohmann::json j = ToJson(c);
  CHECK(j["layers"][0]["change"] == "grown");
  CHECK(j["size_delta_bytes"] == 490);
  CHECK(CompareAnalyses(before, before).layers.empty());
}

TEST_CASE("budgets: broken ones give the numbers, kept ones say nothing") {
  Analysis before = Make({L("sha256:x", "ADD", 100'000'000)});
  Analysis after = Make({L("sha256:y", "ADD", 120'000'000)}, 0.8, 24'000'000);
  Budget budget;
  budget.max_size_bytes = 150'000'000;
  budget.max_growth_percent = 10;
  budget.min_efficiency = 0.9;
  auto broken = CheckBudget(budget, after, &before);
  REQUIRE(broken.size() == 2);
  CHECK(broken[0] ==
        "size grew 20.0% (100.0 MB (100000000 bytes) -> 120.0 MB (120000000 bytes)), over "
        "max_growth 10.0%");
  CHECK(broken[1] == "efficiency 80.0% (24000000 bytes wasted) is under min_efficiency 90.0%");
  budget.max_size_bytes = 110'000'000;
  CHECK(CheckBudget(budget, after, nullptr).size() == 2);  // no previous build: growth unchecked
  CHECK(CheckBudget(budget, after, nullptr)[0] ==
        "size 120.0 MB (120000000 bytes) is over max_size 110.0 MB (110000000 bytes)");
  Budget kept;
  kept.max_size_bytes = 150'000'000;
  kept.max_growth_percent = 25;
  kept.min_efficiency = 0.5;
  CHECK(CheckBudget(kept, after, &before).empty());
  CHECK(CheckBudget(Budget{}, after, &before).empty());

  // max_ratio_of: against another stage's image; unchecked until its size is known.
  Budget ratio;
  ratio.max_ratio_percent = 30;
  ratio.ratio_of = "build";
  CHECK(CheckBudget(ratio, after, nullptr).empty());
  ratio.ratio_of_bytes = 600'000'000;  // 120 MB is 20% of it
  CHECK(CheckBudget(ratio, after, nullptr).empty());
  ratio.ratio_of_bytes = 300'000'000;
  auto over = CheckBudget(ratio, after, nullptr);
  REQUIRE(over.size() == 1);
  CHECK(over[0] == "size 120.0 MB (120000000 bytes) is 40.0% of build (300.0 MB (300000000 bytes)), over "
                   "max_ratio_of 30.0%");
}

TEST_CASE("scan gate: fail_on, ignores by id or alias until a date") {
  std::vector<Finding> findings = {F("CVE-1", "openssl", Severity::kCritical),
                                   F("GHSA-2", "requests", Severity::kHigh, {"CVE-2"}),
                                   F("CVE-3", "zlib", Severity::kMedium),
                                   F("X-4", "foo", Severity::kUnknown)};
  ScanPolicy policy;
  policy.fail_on = Severity::kHigh;
  GateResult g = GateFindings(findings, policy, "2026-11-28");
  CHECK(g.failed);
  REQUIRE(g.blocking.size() == 2);
  CHECK(g.message ==
        "2 findings at or above high: CVE-1 (openssl 1.0, critical, fixed in 1.1), GHSA-2 "
        "(requests 1.0, high, fixed in 1.1)");

  policy.ignore = {{"CVE-2", "2026-12-31", "no proxy with credentials"},
                   {"CVE-1", "2026-11-27", "expired"}};
  g = GateFindings(findings, policy, "2026-11-28");
  REQUIRE(g.blocking.size() == 1);
  CHECK(g.blocking[0].id == "CVE-1");  // its ignore rule expired yesterday
  REQUIRE(g.ignored.size() == 1);
  CHECK(g.ignored[0].id == "GHSA-2");
  policy.ignore.push_back({"CVE-1", "", "accepted"});
  g = GateFindings(findings, policy, "2026-11-28");
  CHECK_FALSE(g.failed);
  CHECK(g.message.empty());
  policy.fail_on = Severity::kLow;
  CHECK(GateFindings(findings, policy, "2027-01-01").blocking.size() ==
        2);  // CVE-3, and GHSA-2 once expired
  CHECK_FALSE(GateFindings(findings, ScanPolicy{}, "2026-11-28").failed);
}

TEST_CASE("new and fixed findings against the previous build") {
  std::vector<Finding> before = {F("CVE-1", "openssl", Severity::kHigh),
                                 F("CVE-2", "zlib", Severity::kLow)};
  std::vector<Finding> after = {F("CVE-1", "openssl", Severity::kHigh),
                                F("CVE-9", "curl", Severity::kMedium)};
  FindingDiff d = DiffFindings(before, after);
  REQUIRE(d.added.size() == 1);
  CHECK(d.added[0].id == "CVE-9");
  REQUIRE(d.fixed.size() == 1);
  CHECK(d.fixed[0].id == "CVE-2");
}

}  // namespace slipway::insight
