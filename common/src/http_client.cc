#include "common/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <strings.h>

namespace slipway {
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return "";
}

Result<UrlParts> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("only http:// URLs are supported: " + std::string(url));
  }
  url.remove_prefix(kScheme.size());
  UrlParts parts;
  auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  parts.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (authority.empty()) return Status::InvalidArgument("URL has no host");
  if (authority.front() == '[') {  // [::1]:8080
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("bad IPv6 host in URL");
    parts.host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    parts.port = rest.size() > 1 && rest[0] == ':' ? std::string(rest.substr(1)) : "80";
  } else {
    auto colon = authority.rfind(':');
    parts.host = std::string(authority.substr(0, colon));
    parts.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  }
  return parts;
}

namespace {

http::verb VerbOf(const std::string& method) {
  http::verb v = http::string_to_verb(method);
  return v == http::verb::unknown ? http::verb::get : v;
}

// Opens a connection and writes the request; the caller reads the response.
Status Connect(const HttpRequest& request, const UrlParts& url, asio::io_context& ioc,
               beast::tcp_stream& stream) {
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) return Status::Unavailable("resolve " + url.host + ": " + ec.message());
  stream.expires_after(request.timeout);
  stream.connect(endpoints, ec);
  if (ec) return Status::Unavailable("connect " + url.host + ":" + url.port + ": " + ec.message());
  http::request<http::string_body> req{VerbOf(request.method), url.target, 11};
  req.set(http::field::host, url.host + ":" + url.port);
  req.set(http::field::user_agent, "slipway");
  for (const auto& [k, v] : request.headers) req.set(k, v);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    req.body() = request.body;
    req.prepare_payload();
  }
  http::write(stream, req, ec);
  if (ec) return Status::Unavailable("send to " + url.host + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Result<HttpResponse> HttpFetch(const HttpRequest& request) {
  auto url = ParseHttpUrl(request.url);
  if (!url.ok()) return url.status();
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  if (Status s = Connect(request, *url, ioc, stream); !s.ok()) return s;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024ull * 1024 * 1024);
  if (VerbOf(request.method) == http::verb::head) parser.skip(true);  // no body follows, whatever the length says
  beast::error_code ec;
  http::read(stream, buffer, parser, ec);
  if (ec) return Status::Unavailable("read from " + url->host + ": " + ec.message());
  auto& res = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  for (const auto& field : res) out.headers.emplace_back(field.name_string(), field.value());
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return out;
}

Status HttpStream(const HttpRequest& request, int* status,
                  const std::function<bool(std::string_view)>& on_chunk) {
  auto url = ParseHttpUrl(request.url);
  if (!url.ok()) return url.status();
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  if (Status s = Connect(request, *url, ioc, stream); !s.ok()) return s;
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  beast::error_code ec;
  stream.expires_never();
  http::read_header(stream, buffer, parser, ec);
  if (ec) return Status::Unavailable("read from " + url->host + ": " + ec.message());
  *status = static_cast<int>(parser.get().result_int());
  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    http::read(stream, buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) break;
    size_t got = sizeof chunk - parser.get().body().size;
    if (got > 0 && !on_chunk(std::string_view(chunk, got))) break;
  }
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return Status::Ok();
}

}  // namespace slipway
