// A small blocking HTTP/1.1 client (plain http://), for the agent, the CLI, registry look-ups and
// tests. Beast stays inside http_client.cc so that this header is cheap to include.
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
  std::string url;  // http://host:port/path?query
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{30000};
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
};
Result<UrlParts> ParseHttpUrl(std::string_view url);

}  // namespace slipway
