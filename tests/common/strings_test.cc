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

TEST_CASE("ASCII case mapping leaves other bytes alone") {
  CHECK(AsciiLower("FROM Python:3.11 AS Build") == "from python:3.11 as build");
  CHECK(AsciiUpper("run apt-get") == "RUN APT-GET");
  CHECK(AsciiLower("\xc3\x89T\xc3\x89") == "\xc3\x89t\xc3\x89");  // "ÉTÉ": only the T changes
  CHECK(AsciiUpper("") == "");
}

TEST_CASE("TrimAsciiSpace drops whitespace at both ends only") {
  CHECK(TrimAsciiSpace(" \t 150 MB \r\n") == "150 MB");
  CHECK(TrimAsciiSpace("a b") == "a b");
  CHECK(TrimAsciiSpace(" \n\v\f ").empty());
  CHECK(TrimAsciiSpace("").empty());
}

TEST_CASE("HexEncode writes two lower-case digits per byte") {
  CHECK(HexEncode(std::string("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(HexEncode("") == "");
}

TEST_CASE("Base64Encode pads to whole groups of four (RFC 4648's vectors)") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode("user:pw") == "dXNlcjpwdw==");
  CHECK(Base64Encode(std::string("\xff\xfe\x00", 3)) == "//4A");
}

TEST_CASE("PercentEncode keeps unreserved bytes and encodes the rest") {
  CHECK(PercentEncode("feat/a b&c") == "feat%2Fa%20b%26c");
  CHECK(PercentEncode("AZaz09-._~") == "AZaz09-._~");
  CHECK(PercentEncode("?=#%+\xff") == "%3F%3D%23%25%2B%FF");
  CHECK(PercentEncode("") == "");
}

TEST_CASE("sizes for people: 1000-based units, one decimal past bytes") {
  CHECK(HumanBytes(512) == "512 B");
  CHECK(HumanBytes(20500) == "20.5 kB");
  CHECK(HumanBytes(86400000) == "86.4 MB");
}

}  // namespace slipway
