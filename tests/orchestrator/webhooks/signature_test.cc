#include "webhooks/signature.h"

#include <catch2/catch.hpp>

#include "fixture_files.h"

namespace slipway::webhooks {
namespace {

using testing::ReadFixture;

// The documented GitHub test vector: "secret: ...", "body: ...", "X-Hub-Signature-256: ..." lines.
struct Vector {
  std::string secret, body, header;
};

Vector LoadVector() {
  Vector v;
  std::istringstream lines(ReadFixture("github/hmac-sha256-vector.txt"));
  std::string line;
  while (std::getline(lines, line)) {
    auto colon = line.find(": ");
    std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "secret") v.secret = value;
    if (key == "body") v.body = value;
    if (key == "X-Hub-Signature-256") v.header = value;
  }
  return v;
}

TEST_CASE("GitHub documented HMAC vector verifies") {
  Vector v = LoadVector();
  REQUIRE(v.secret == "It's a Secret to Everybody");
  REQUIRE(v.body == "Hello, World!");
  CHECK("sha256=" + HmacSha256Hex(v.secret, v.body) == v.header);
  HeaderList headers = {{"X-Hub-Signature-256", v.header}};
  CHECK(VerifySignature(Forge::kGitHub, headers, v.body, v.secret).ok());
  // Header names are case-insensitive.
  HeaderList lower = {{"x-hub-signature-256", v.header}};
  CHECK(VerifySignature(Forge::kGitHub, lower, v.body, v.secret).ok());
}

TEST_CASE("GitHub signature: wrong body, secret, prefix, truncation and case are refused") {
  Vector v = LoadVector();
  HeaderList headers = {{"X-Hub-Signature-256", v.header}};
  Status tampered = VerifySignature(Forge::kGitHub, headers, "Hello, World?", v.secret);
  CHECK(tampered.code() == ErrorCode::kUnauthenticated);
  CHECK(tampered.message() == "X-Hub-Signature-256 does not match the body");
  CHECK(VerifySignature(Forge::kGitHub, headers, v.body, "another secret").code() ==
        ErrorCode::kUnauthenticated);

  HeaderList truncated = {{"X-Hub-Signature-256", v.header.substr(0, v.header.size() - 2)}};
  Status t = VerifySignature(Forge::kGitHub, truncated, v.body, v.secret);
  CHECK(t.code() == ErrorCode::kUnauthenticated);
  CHECK(t.message() == "X-Hub-Signature-256 must hold 64 hex digits after \"sha256=\"");

  HeaderList sha1 = {{"X-Hub-Signature-256", "sha1=" + v.header.substr(7)}};
  CHECK(VerifySignature(Forge::kGitHub, sha1, v.body, v.secret).message() ==
        "X-Hub-Signature-256 must start with \"sha256=\"");

  HeaderList bare = {{"X-Hub-Signature-256", v.header.substr(7)}};
  CHECK(VerifySignature(Forge::kGitHub, bare, v.body, v.secret).code() ==
        ErrorCode::kUnauthenticated);

  std::string flipped = v.header;
  flipped.back() = flipped.back() == '7' ? '8' : '7';
  HeaderList one_off = {{"X-Hub-Signature-256", flipped}};
  CHECK(VerifySignature(Forge::kGitHub, one_off, v.body, v.secret).code() ==
        ErrorCode::kUnauthenticated);
}

TEST_CASE("Missing, repeated signature headers and empty secrets are refused") {
  Vector v = LoadVector();
  Status missing = VerifySignature(Forge::kGitHub, {}, v.body, v.secret);
  CHECK(missing.code() == ErrorCode::kUnauthenticated);
  CHECK(missing.message() == "missing X-Hub-Signature-256 header");

  // The old SHA-1 header alone does not count.
  HeaderList sha1_only = {{"X-Hub-Signature", "sha1=0000"}};
  CHECK(VerifySignature(Forge::kGitHub, sha1_only, v.body, v.secret).message() ==
        "missing X-Hub-Signature-256 header");

  HeaderList twice = {{"X-Hub-Signature-256", v.header}, {"X-Hub-Signature-256", v.header}};
  CHECK(VerifySignature(Forge::kGitHub, twice, v.body, v.secret).message() ==
        "repeated X-Hub-Signature-256 header");

  HeaderList headers = {{"X-Hub-Signature-256", "sha256=" + HmacSha256Hex("", v.body)}};
  Status empty = VerifySignature(Forge::kGitHub, headers, v.body, "");
  CHECK(empty.code() == ErrorCode::kUnauthenticated);
  CHECK(empty.message() == "no webhook secret is configured for github");
}

TEST_CASE("Gitea signature is the bare hex HMAC of the body") {
  std::string body = ReadFixture("gitea/push.payload.json");
  REQUIRE(!body.empty());
  std::string secret = "gitea-hook-secret";
  HeaderList good = {{"X-Gitea-Signature", HmacSha256Hex(secret, body)}};
  CHECK(VerifySignature(Forge::kGitea, good, body, secret).ok());

  HeaderList prefixed = {{"X-Gitea-Signature", "sha256=" + HmacSha256Hex(secret, body)}};
  CHECK(VerifySignature(Forge::kGitea, prefixed, body, secret).message() ==
        "X-Gitea-Signature must hold 64 hex digits");
  CHECK(VerifySignature(Forge::kGitea, good, body + " ", secret).message() ==
        "X-Gitea-Signature does not match the body");
  CHECK(VerifySignature(Forge::kGitea, {}, body, secret).message() ==
        "missing X-Gitea-Signature header");
  // A GitHub header is no use on the Gitea endpoint.
  HeaderList github = {{"X-Hub-Signature-256", "sha256=" + HmacSha256Hex(secret, body)}};
  CHECK(VerifySignature(Forge::kGitea, github, body, secret).code() == ErrorCode::kUnauthenticated);
}

TEST_CASE("GitLab token is compared whole") {
  std::string body = ReadFixture("gitlab/push-hook.payload.json");
  std::string secret = "gitlab-token-1234";
  HeaderList good = {{"X-Gitlab-Token", secret}};
  CHECK(VerifySignature(Forge::kGitLab, good, body, secret).ok());
  for (std::string wrong : {"gitlab-token-123", "gitlab-token-12345", "GITLAB-TOKEN-1234", ""}) {
    HeaderList headers = {{"X-Gitlab-Token", wrong}};
    Status s = VerifySignature(Forge::kGitLab, headers, body, secret);
    CHECK(s.code() == ErrorCode::kUnauthenticated);
    CHECK(s.message() == "X-Gitlab-Token does not match the configured token");
  }
  CHECK(VerifySignature(Forge::kGitLab, {}, body, secret).message() ==
        "missing X-Gitlab-Token header");
}

TEST_CASE("Sha256Hex matches a known digest") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace slipway::webhooks

TEST_CASE("SameSecret compares secrets of any length") {
  CHECK(slipway::webhooks::SameSecret("token-1", "token-1"));
  CHECK_FALSE(slipway::webhooks::SameSecret("token-1", "token-2"));
  CHECK_FALSE(slipway::webhooks::SameSecret("token", "token-1"));
  CHECK_FALSE(slipway::webhooks::SameSecret("", "x"));
  CHECK(slipway::webhooks::SameSecret("", ""));
}
