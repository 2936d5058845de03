// Fuzzes the readers of package databases found in an image: dpkg status, apk installed, Python
// core metadata, and os-release.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "insight/packages.h"

using namespace slipway::insight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseDpkgStatus(text, "var/lib/dpkg/status");
  (void)ParseApkInstalled(text, "lib/apk/db/installed");
  (void)ParsePythonMetadata(text, "site-packages/x.dist-info/METADATA");
  (void)ParseOsRelease(text);
  (void)NormalisePythonName(text);
  return 0;
}
