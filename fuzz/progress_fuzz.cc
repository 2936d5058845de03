// Fuzzes the agent's reader of `docker buildx build --progress=rawjson` output. The first byte sets
// the size of the chunks the rest is fed in, since buildx's output arrives split anywhere.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/progress_parser.h"

using namespace slipway::agent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + data[0] * 16;
  std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  ProgressParser parser;
  std::vector<std::string> lines;
  for (size_t at = 0; at < stream.size(); at += chunk) parser.Feed(stream.substr(at, chunk), &lines);
  parser.Finish(&lines);
  (void)parser.Cache();
  (void)parser.FailedStep();
  (void)parser.FailedName();
  (void)ParseRfc3339Ms(stream.substr(0, 64));
  (void)DecodeBase64(stream);
  return 0;
}
