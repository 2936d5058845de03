// Data-driven: every directory under tests/data/pipelines/cases is planned and compared with its
// expected.txt (format in that directory's README.md).
#include <catch2/catch.hpp>

#include <algorithm>

#include "pipelines/planner.h"
#include "test_files.h"

namespace fs = std::filesystem;
using namespace slipway::pipelines;
using namespace slipway::pipelines::testing;

namespace {

std::vector<std::string> Actual(const PlanResult& r) {
  std::vector<std::string> out;
  for (const Diagnostic& d : r.diagnostics) {
    out.push_back("diag " + d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.code);
  }
  for (const JobSpec& j : r.jobs) {
    std::string needs;
    for (const std::string& n : j.needs) needs += (needs.empty() ? "" : ",") + n;
    out.push_back("job " + j.name + " target=" + j.target + " needs=" + needs);
  }
  if (r.filtered_out) out.push_back("filtered");
  return out;
}

}  // namespace

TEST_CASE("pipeline corpus: each case gives exactly its expected diagnostics and jobs") {
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(DataDir() / "cases")) {
    if (entry.is_directory()) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 15);
  for (const fs::path& dir : cases) {
    INFO("case " << dir.filename().string());
    std::string expected = ReadFile(dir / "expected.txt");
    PlanContext ctx{"main", "0123456789abcdef0123456789abcdef01234567", 7, std::nullopt};
    if (auto changed = ReadIfExists(dir / "changed.txt")) ctx.changed_paths = Lines(*changed);
    PlanResult r = PlanPipeline(DirectoryReader(dir), ctx);
    std::vector<std::string> actual = Actual(r);
    CHECK(actual == Lines(expected));
    bool expects_error = std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
    CHECK(r.has_errors == expects_error);
    if (r.has_errors || r.filtered_out) CHECK(r.jobs.empty());
  }
}
