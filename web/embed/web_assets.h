// The dashboard's files, embedded into slipwayd at build time (cmake/embed_files.cmake): each
// with the URL path it is served at, its content type and a strong ETag taken from its content.
//
// Thread-safety: the table is immutable static data; read it from any thread.
#pragma once

#include <span>
#include <string_view>

namespace slipway::web {

struct Asset {
  std::string_view path;          // "/static/app.js" (the index is "/index.html")
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted, as sent in the ETag header
  std::string_view body;
};

std::span<const Asset> EmbeddedAssets();

}  // namespace slipway::web
