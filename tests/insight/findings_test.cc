// Trivy and Grype reports read from their projects' published outputs; severities and CVSS.
#include "insight/findings.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "insight/external_scanners.h"
#include "support/files.h"

namespace slipway::insight {
namespace {

std::string Fixture(const std::string& path) {
  return ::slipway::testing::ReadFile(std::string(SLIPWAY_TEST_DATA_DIR) + "/fixtures/" + path);
}

}  // namespace

TEST_CASE("trivy JSON report: the debian-buster golden") {
  auto findings = ReadTrivyReport(Fixture("trivy/debian-buster.json.golden"));
  REQUIRE(findings.ok());
  REQUIRE(findings->size() == 2);
  const Finding& critical = (*findings)[0];  // sorted: critical first
  CHECK(critical.id == "CVE-2019-18224");
  CHECK(critical.package == "libidn2-0");
  CHECK(critical.installed_version == "2.0.5-1");
  CHECK(critical.fixed_version == "2.0.5-1+deb10u1");
  CHECK(critical.severity == Severity::kCritical);
  CHECK(critical.aliases == std::vector<std::string>{"DSA-4613-1"});
  CHECK(critical.source == "trivy");
  const Finding& low = (*findings)[1];
  CHECK(low.id == "CVE-2019-18276");
  CHECK(low.package == "bash");
  CHECK(low.fixed_version.empty());
  CHECK(low.severity == Severity::kLow);
}

TEST_CASE("grype JSON report: the presenter golden") {
  auto findings = ReadGrypeReport(Fixture("grype/TestJsonImgsPresenter.golden"));
  REQUIRE(findings.ok());
  REQUIRE(findings->size() == 2);
  CHECK((*findings)[0].id == "CVE-1999-0002");
  CHECK((*findings)[0].severity == Severity::kCritical);
  CHECK((*findings)[0].package == "package-2");
  CHECK((*findings)[0].installed_version == "2.2.2");
  CHECK((*findings)[0].fixed_version.empty());
  CHECK((*findings)[1].id == "CVE-1999-0001");
  CHECK((*findings)[1].severity == Severity::kLow);
  CHECK((*findings)[1].fixed_version == "1.2.1");
  CHECK((*findings)[1].source == "grype");
}

TEST_CASE("reports that are not JSON are refused") {
  CHECK_FALSE(ReadTrivyReport("{not json").ok());
  CHECK(ReadGrypeReport("{not json").status().code() == ErrorCode::kInvalidArgument);
  auto empty = ReadTrivyReport("{\"Results\":[{\"Target\":\"x\"}]}");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("severity words and CVSS v3 base scores") {
  CHECK(ParseSeverity("MODERATE") == Severity::kMedium);
  CHECK(ParseSeverity("Negligible") == Severity::kLow);
  CHECK(ParseSeverity("important") == Severity::kHigh);
  CHECK(ParseSeverity("whatever") == Severity::kUnknown);
  CHECK(SeverityName(Severity::kCritical) == "critical");
  CHECK(CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == Approx(9.8));
  CHECK(CvssV3BaseScore("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N") == Approx(6.1));
  CHECK(CvssV3BaseScore("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H") == Approx(7.8));
  CHECK(CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:H") == Approx(8.2));
  CHECK(CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N") == Approx(0.0));
  CHECK(CvssV3BaseScore("AV:N/AC:L") < 0);
  CHECK(SeverityFromScore(9.8) == Severity::kCritical);
  CHECK(SeverityFromScore(6.1) == Severity::kMedium);
  CHECK(SeverityFromScore(7.0) == Severity::kHigh);
  CHECK(SeverityFromScore(3.9) == Severity::kLow);
}

}  // namespace slipway::insight

namespace slipway::insight {

TEST_CASE("external scanners: absent programs are Unavailable, bad references refused") {
  CHECK(ProgramAvailable("sh"));
  CHECK_FALSE(ProgramAvailable("slipway-no-such-scanner"));
  auto trivy = RunTrivy("busybox:1.36", "slipway-no-such-scanner");
  REQUIRE_FALSE(trivy.ok());
  CHECK(trivy.status().code() == ErrorCode::kUnavailable);
  CHECK(RunGrype("busybox:1.36", "/nonexistent/grype").status().code() == ErrorCode::kUnavailable);
  CHECK(RunTrivy("--help").status().code() == ErrorCode::kInvalidArgument);
}

}  // namespace slipway::insight
