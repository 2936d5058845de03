// A small blocking HTTP/1.1 client, for the agent, the CLI, registry look-ups and tests. Beast and
// its OpenSSL streams stay inside http_client.cc so that this header is cheap to include.
//
// https:// URLs are spoken over TLS with the server's certificate verified against the system's CA
// store (or `ca_file`) and the URL's host name or IP address; http:// only where a URL says so.
// A certificate that does not verify is PermissionDenied, so a caller can tell it from a server
// that cannot be reached (Unavailable). An https:// request goes through the HTTP proxy named by
// HTTPS_PROXY (http://host:port, a CONNECT tunnel; no proxy credentials) unless NO_PROXY names its
// host or a domain of it; http:// requests go direct.
//
// Thread-safety: each call opens its own connection; calls from many threads are fine.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace slipway {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http[s]://host:port/path?query
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{30000};
  std::string ca_file;  // https://: the PEM certificates to trust; "" for the system's store
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // The first header of that name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

// Sends the request and reads the whole response. An error Status when the server cannot be
// reached or the exchange breaks; any HTTP status (4xx, 5xx too) is a successful Result.
Result<HttpResponse> HttpFetch(const HttpRequest& request);

// Sends the request and hands the body to on_chunk as it arrives (for SSE and long logs), until
// the server closes it or on_chunk returns false. *status receives the HTTP status.
Status HttpStream(const HttpRequest& request, int* status,
                  const std::function<bool(std::string_view)>& on_chunk);

struct UrlParts {
  std::string host;
  std::string port;
  std::string target;  // path and query, "/" at least
  bool tls = false;    // https://
};
Result<UrlParts> ParseHttpUrl(std::string_view url);

}  // namespace slipway
