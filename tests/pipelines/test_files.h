// Helpers shared by the pipelines tests: reading checked-in data and in-memory or on-disk FileReaders.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "pipelines/planner.h"
#include "support/files.h"

namespace slipway::pipelines::testing {

inline std::filesystem::path DataDir() { return std::filesystem::path(SLIPWAY_TEST_DATA_DIR) / "pipelines"; }

using ::slipway::testing::ReadFile;

// The file's content, or nullopt when it cannot be read (a FileReader's answer for a missing file).
inline std::optional<std::string> ReadIfExists(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// A repository held in memory: path -> content. Records what was read.
struct MemoryRepo {
  std::map<std::string, std::string> files;
  std::vector<std::string> reads;

  FileReader Reader() {
    return [this](const std::string& path) -> std::optional<std::string> {
      reads.push_back(path);
      auto it = files.find(path);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
  }
};

// A FileReader over a directory of the checked-in corpus.
inline FileReader DirectoryReader(const std::filesystem::path& root) {
  return [root](const std::string& path) { return ReadIfExists(root / path); };
}

}  // namespace slipway::pipelines::testing
