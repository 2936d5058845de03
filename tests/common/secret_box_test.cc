#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/secret_box.h"
#include "support/files.h"

namespace slipway {
namespace {

SecretBox::Key KeyOf(unsigned char fill) {
  SecretBox::Key key;
  key.fill(fill);
  return key;
}

}  // namespace

TEST_CASE("A sealed secret opens with the same key and context, and hides its value") {
  SecretBox box(KeyOf(7));
  auto sealed = box.Seal("pypi-token-123", "repo:1/PYPI_TOKEN");
  REQUIRE(sealed.ok());
  CHECK(sealed->starts_with("v1:"));
  CHECK(sealed->find("pypi-token-123") == std::string::npos);
  auto opened = box.Open(*sealed, "repo:1/PYPI_TOKEN");
  REQUIRE(opened.ok());
  CHECK(*opened == "pypi-token-123");
  // A fresh nonce each time: the same value never seals to the same text.
  CHECK(*box.Seal("pypi-token-123", "repo:1/PYPI_TOKEN") != *sealed);
}

TEST_CASE("A sealed secret does not open in another context, with another key, or altered") {
  SecretBox box(KeyOf(7));
  auto sealed = box.Seal("value", "repo:1/A");
  REQUIRE(sealed.ok());
  CHECK(box.Open(*sealed, "repo:2/A").status().code() == ErrorCode::kInvalidArgument);
  CHECK(!SecretBox(KeyOf(8)).Open(*sealed, "repo:1/A").ok());
  std::string tampered = *sealed;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  CHECK(!box.Open(tampered, "repo:1/A").ok());
  CHECK(!box.Open("v1:", "repo:1/A").ok());
  CHECK(!box.Open("plain text", "repo:1/A").ok());
}

TEST_CASE("Seal and Open carry empty, binary and large values") {
  SecretBox box(KeyOf(1));
  for (std::string value : {std::string(), std::string("\0\xff\n", 3), std::string(70000, 'x')}) {
    auto sealed = box.Seal(value, "server/X");
    REQUIRE(sealed.ok());
    auto opened = box.Open(*sealed, "server/X");
    REQUIRE(opened.ok());
    CHECK(*opened == value);
  }
}

TEST_CASE("The key file is created 0600 on first use and read back the same") {
  testing::TempDir dir;
  const std::string path = dir.File("secrets.key");
  auto first = SecretBox::LoadOrCreateKeyFile(path);
  REQUIRE(first.ok());
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size == 32);
  auto sealed = first->Seal("v", "c");
  REQUIRE(sealed.ok());
  auto second = SecretBox::LoadOrCreateKeyFile(path);
  REQUIRE(second.ok());
  CHECK(*second->Open(*sealed, "c") == "v");
}

TEST_CASE("A key file others can read, or of the wrong size, is refused with its name") {
  testing::TempDir dir;
  const std::string path = dir.File("secrets.key");
  { std::ofstream(path) << std::string(32, 'k'); }
  chmod(path.c_str(), 0644);
  auto open_to_all = SecretBox::LoadOrCreateKeyFile(path);
  REQUIRE(!open_to_all.ok());
  CHECK(open_to_all.status().message().find(path) != std::string::npos);
  chmod(path.c_str(), 0600);
  { std::ofstream(path) << "short"; }
  CHECK(!SecretBox::LoadOrCreateKeyFile(path).ok());
}

}  // namespace slipway
