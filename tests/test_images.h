// Base images made for tests: `docker import` of a small root, so nothing is pulled. With a shell,
// the root holds the host's static busybox as /bin/sh and /bin/cat, enough for RUN steps.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "common/subprocess.h"
#include "support/files.h"

namespace slipway::testing {

inline void MustRun(const std::vector<std::string>& argv) {
  auto r = RunProcess(argv);
  REQUIRE(r.ok());
  INFO(argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << ": " << r->out << r->err);
  REQUIRE(r->ok());
}

// Imports `files` (path -> content) as the image `ref`, replacing what the tag named before.
inline void ImportTestImage(const std::string& ref, const std::map<std::string, std::string>& files,
                            bool with_shell = false) {
  namespace fs = std::filesystem;
  TempDir temp;
  const fs::path dir = temp.path();
  fs::create_directories(dir / "root");
  for (const auto& [path, content] : files) std::ofstream(dir / "root" / path) << content;
  if (with_shell) {
    fs::create_directories(dir / "root" / "bin");
    fs::copy_file("/bin/busybox", dir / "root" / "bin" / "busybox");
    fs::create_symlink("busybox", dir / "root" / "bin" / "sh");
    fs::create_symlink("busybox", dir / "root" / "bin" / "cat");
  }
  MustRun({"tar", "-C", (dir / "root").string(), "-cf", (dir / "image.tar").string(), "."});
  MustRun({"docker", "import", (dir / "image.tar").string(), ref});
}

// Removes the tag when the test ends, passed or failed (the engine keeps layers other tags use).
class ImageCleanup {
 public:
  explicit ImageCleanup(std::string ref) : ref_(std::move(ref)) {}
  ~ImageCleanup() { (void)RunProcess({"docker", "image", "rm", "--force", "--", ref_}); }
  ImageCleanup(const ImageCleanup&) = delete;
  ImageCleanup& operator=(const ImageCleanup&) = delete;

 private:
  std::string ref_;
};

}  // namespace slipway::testing
