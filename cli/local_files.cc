#include "local_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace slipway::cli {

pipelines::FileReader LocalFileReader(const std::string& root) {
  return [root](const std::string& path) -> std::optional<std::string> {
    std::filesystem::path full = std::filesystem::path(root.empty() ? "." : root) / path;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(full, ec)) return std::nullopt;
    auto size = std::filesystem::file_size(full, ec);
    if (ec || size > (8u << 20)) return std::nullopt;
    std::ifstream in(full, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  };
}

}  // namespace slipway::cli
