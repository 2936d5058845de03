// Reads checked-in webhook fixtures (tests/data/fixtures/<forge>/) for the webhook tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "support/files.h"
#include "webhooks/forge.h"

namespace slipway::webhooks::testing {

inline std::string ReadFixture(const std::string& relative) {
  return ::slipway::testing::ReadFile(std::string(SLIPWAY_TEST_DATA_DIR) + "/fixtures/" + relative);
}

// "Name: value" lines, as in the forges' documented header blocks.
inline HeaderList ReadHeaderFixture(const std::string& relative) {
  HeaderList headers;
  std::istringstream lines(ReadFixture(relative));
  std::string line;
  while (std::getline(lines, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    headers.emplace_back(line.substr(0, colon), value);
  }
  return headers;
}

}  // namespace slipway::webhooks::testing
