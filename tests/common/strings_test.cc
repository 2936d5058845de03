#include <catch2/catch.hpp>

#include "common/strings.h"

namespace slipway {

TEST_CASE("SplitNonEmpty drops empty pieces") {
  using V = std::vector<std::string>;
  CHECK(SplitNonEmpty("osv,trivy", ',') == V{"osv", "trivy"});
  CHECK(SplitNonEmpty(",a,,b,", ',') == V{"a", "b"});
  CHECK(SplitNonEmpty("/api/v1/runs/", '/') == V{"api", "v1", "runs"});
  CHECK(SplitNonEmpty("", ',').empty());
  CHECK(SplitNonEmpty("solo", ',') == V{"solo"});
}

}  // namespace slipway
