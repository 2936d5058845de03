// The dashboard: index.html at / and its modules, styles and npm libraries at /static/..., all
// embedded at build time (cmake/embed_files.cmake). Only embedded paths are ever answered, so a
// request cannot reach the file system; unknown files get 404.
//
// Caching: every file carries a strong ETag from its content and "Cache-Control: no-cache", so
// browsers revalidate (a 304 without a body) and never run a stale dashboard after an upgrade.
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/routes.h"
#include "web_assets.h"

namespace slipway::api {
namespace {

// Allows only the dashboard's own files and API; styles may be set inline by the chart library.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const web::Asset* FindAsset(std::string_view path) {
  static const auto* const kIndex = [] {
    auto* index = new std::unordered_map<std::string_view, const web::Asset*>();
    for (const auto& asset : web::EmbeddedAssets()) (*index)[asset.path] = &asset;
    return index;
  }();
  auto it = kIndex->find(path);
  return it == kIndex->end() ? nullptr : it->second;
}

// True when If-None-Match names the asset's ETag (a list, or "*").
bool ClientHasCurrent(const http::Request& req, const web::Asset& asset) {
  std::string tags = req.Header("If-None-Match");
  if (tags.empty()) return false;
  if (tags == "*") return true;
  return tags.find(asset.etag) != std::string::npos;
}

void ServeAsset(const http::Request& req, std::string_view path, http::ResponseWriter& w) {
  const web::Asset* asset = FindAsset(path);
  if (asset == nullptr) {
    w.Send({.status = 404, .content_type = "text/plain; charset=utf-8", .body = "not found\n", .headers = {}});
    return;
  }
  http::Response res;
  res.content_type = std::string(asset->content_type);
  res.headers = {{"ETag", std::string(asset->etag)},
                 {"Cache-Control", "no-cache"},
                 {"X-Content-Type-Options", "nosniff"},
                 {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                 {"Referrer-Policy", "no-referrer"}};
  if (ClientHasCurrent(req, *asset)) {
    res.status = 304;
  } else {
    res.body = std::string(asset->body);
  }
  w.Send(std::move(res));
}

}  // namespace

void RegisterWebRoutes(Router& router) {
  router.Add("GET", "/", [](const http::Request& req, const PathParams&, WriterPtr w) {
    ServeAsset(req, "/index.html", *w);
  });
  router.Add("GET", "/index.html", [](const http::Request& req, const PathParams&, WriterPtr w) {
    ServeAsset(req, "/index.html", *w);
  });
  router.Add("GET", "/static/{file}", [](const http::Request& req, const PathParams& p, WriterPtr w) {
    ServeAsset(req, "/static/" + p.at("file"), *w);
  });
  router.Add("GET", "/static/{dir}/{file}", [](const http::Request& req, const PathParams& p, WriterPtr w) {
    ServeAsset(req, "/static/" + p.at("dir") + "/" + p.at("file"), *w);
  });
}

}  // namespace slipway::api
