#include "common/http_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <strings.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <memory>
#include <optional>

#include "common/strings.h"

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
  UrlParts parts;
  if (url.substr(0, 8) == "https://") {
    parts.tls = true;
    url.remove_prefix(8);
  } else if (url.substr(0, 7) == "http://") {
    url.remove_prefix(7);
  } else {
    return Status::InvalidArgument("only http:// and https:// URLs are supported: " + std::string(url));
  }
  const std::string default_port = parts.tls ? "443" : "80";
  auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  parts.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (authority.empty()) return Status::InvalidArgument("URL has no host");
  if (authority.front() == '[') {  // [::1]:8080
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("bad IPv6 host in URL");
    parts.host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    parts.port = rest.size() > 1 && rest[0] == ':' ? std::string(rest.substr(1)) : default_port;
  } else {
    auto colon = authority.rfind(':');
    parts.host = std::string(authority.substr(0, colon));
    parts.port = colon == std::string_view::npos ? default_port : std::string(authority.substr(colon + 1));
  }
  return parts;
}

namespace {

// HTTPS_PROXY (or https_proxy), an http:// URL, unless NO_PROXY (or no_proxy) names the host, a
// domain of it, or "*".
std::optional<UrlParts> HttpsProxyFor(const std::string& host) {
  auto env = [](const char* upper, const char* lower) {
    const char* v = std::getenv(upper);
    if (v == nullptr || *v == '\0') v = std::getenv(lower);
    return std::string(v == nullptr ? "" : v);
  };
  const std::string proxy = env("HTTPS_PROXY", "https_proxy");
  if (proxy.empty()) return std::nullopt;
  for (std::string entry : SplitNonEmpty(env("NO_PROXY", "no_proxy"), ',')) {
    while (!entry.empty() && entry.front() == ' ') entry.erase(0, 1);
    while (!entry.empty() && entry.back() == ' ') entry.pop_back();
    if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
    if (entry == "*" || entry == host ||
        (host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
         host[host.size() - entry.size() - 1] == '.')) {
      return std::nullopt;
    }
  }
  auto parsed = ParseHttpUrl(proxy.find("://") == std::string::npos ? "http://" + proxy : proxy);
  if (!parsed.ok() || parsed->tls) return std::nullopt;
  return *parsed;
}

http::verb VerbOf(const std::string& method) {
  http::verb v = http::string_to_verb(method);
  return v == http::verb::unknown ? http::verb::get : v;
}

// One exchange's socket: plain TCP, or TLS over it. Read and write through With().
class Connection {
 public:
  Connection() : ssl_(asio::ssl::context::tls_client) {}

  beast::tcp_stream& Tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : tcp_; }

  template <class F>
  auto With(F&& f) {
    return tls_ ? f(*tls_) : f(tcp_);
  }

  // Connects to the URL's host (through the proxy, if any) and writes the request; the caller
  // reads the response.
  Status Open(const HttpRequest& request, const UrlParts& url) {
    std::optional<UrlParts> proxy = url.tls ? HttpsProxyFor(url.host) : std::nullopt;
    const UrlParts& peer = proxy ? *proxy : url;
    beast::error_code ec;
    asio::ip::tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(peer.host, peer.port, ec);
    if (ec) return Status::Unavailable("resolve " + peer.host + ": " + ec.message());
    if (url.tls) {
      if (Status s = PrepareTls(request, url); !s.ok()) return s;
    }
    Tcp().expires_after(request.timeout);
    Tcp().connect(endpoints, ec);
    if (ec) return Status::Unavailable("connect " + peer.host + ":" + peer.port + ": " + ec.message());
    if (proxy) {
      if (Status s = Tunnel(url, *proxy); !s.ok()) return s;
    }
    if (tls_) {
      tls_->handshake(asio::ssl::stream_base::client, ec);
      if (ec) return HandshakeError(url, ec);
    }
    http::request<http::string_body> req{VerbOf(request.method), url.target, 11};
    const bool default_port = url.port == (url.tls ? "443" : "80");
    const bool v6 = url.host.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + url.host + "]" : url.host;
    req.set(http::field::host, default_port ? host : host + ":" + url.port);
    req.set(http::field::user_agent, "slipway");
    for (const auto& [k, v] : request.headers) req.set(k, v);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      req.body() = request.body;
      req.prepare_payload();
    }
    With([&](auto& stream) { http::write(stream, req, ec); });
    if (ec) return Status::Unavailable("send to " + url.host + ": " + ec.message());
    return Status::Ok();
  }

  // CONNECT host:port through the proxy; afterwards the socket reaches the URL's host.
  Status Tunnel(const UrlParts& url, const UrlParts& proxy) {
    const std::string where = url.host.find(':') != std::string::npos ? "[" + url.host + "]:" + url.port
                                                                      : url.host + ":" + url.port;
    http::request<http::empty_body> connect{http::verb::connect, where, 11};
    connect.set(http::field::host, where);
    beast::error_code ec;
    http::write(Tcp(), connect, ec);
    if (ec) return Status::Unavailable("proxy " + proxy.host + ":" + proxy.port + ": " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a tunnel follows the header, not a body
    http::read_header(Tcp(), buffer, parser, ec);
    if (ec) return Status::Unavailable("proxy " + proxy.host + ":" + proxy.port + ": " + ec.message());
    if (parser.get().result_int() != 200) {
      return Status::Unavailable("proxy " + proxy.host + ":" + proxy.port + " refused CONNECT " + where + ": " +
                                 std::to_string(parser.get().result_int()));
    }
    return Status::Ok();
  }

  void Close() {
    beast::error_code ec;
    if (tls_) tls_->shutdown(ec);  // best effort; many servers just close
    Tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  }

 private:
  // Trust: the given CA file or the system's store; the peer must prove the URL's name or address.
  Status PrepareTls(const HttpRequest& request, const UrlParts& url) {
    beast::error_code ec;
    if (request.ca_file.empty()) {
      ssl_.set_default_verify_paths(ec);
    } else {
      ssl_.load_verify_file(request.ca_file, ec);
    }
    if (ec) return Status::InvalidArgument("CA certificates " + request.ca_file + ": " + ec.message());
    ssl_.set_verify_mode(asio::ssl::verify_peer);
    tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, ssl_);
    SSL* ssl = tls_->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    boost::system::error_code not_ip;
    asio::ip::make_address(url.host, not_ip);
    if (!not_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, url.host.c_str());
      X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
    }
    return Status::Ok();
  }

  Status HandshakeError(const UrlParts& url, const beast::error_code& ec) {
    const std::string where = url.host + ":" + url.port;
    long verify = SSL_get_verify_result(tls_->native_handle());
    if (verify != X509_V_OK) {
      return Status::PermissionDenied("TLS certificate of " + where + " not trusted: " +
                                      X509_verify_cert_error_string(verify));
    }
    return Status::Unavailable("TLS handshake with " + where + ": " + ec.message());
  }

  asio::io_context ioc_;
  asio::ssl::context ssl_;
  beast::tcp_stream tcp_{ioc_};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
};

}  // namespace

Result<HttpResponse> HttpFetch(const HttpRequest& request) {
  auto url = ParseHttpUrl(request.url);
  if (!url.ok()) return url.status();
  Connection conn;
  if (Status s = conn.Open(request, *url); !s.ok()) return s;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024ull * 1024 * 1024);
  if (VerbOf(request.method) == http::verb::head) parser.skip(true);  // no body follows, whatever the length says
  beast::error_code ec;
  conn.With([&](auto& stream) { http::read(stream, buffer, parser, ec); });
  if (ec) return Status::Unavailable("read from " + url->host + ": " + ec.message());
  auto& res = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  for (const auto& field : res) out.headers.emplace_back(field.name_string(), field.value());
  conn.Close();
  return out;
}

Status HttpStream(const HttpRequest& request, int* status,
                  const std::function<bool(std::string_view)>& on_chunk) {
  auto url = ParseHttpUrl(request.url);
  if (!url.ok()) return url.status();
  Connection conn;
  if (Status s = conn.Open(request, *url); !s.ok()) return s;
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  beast::error_code ec;
  conn.Tcp().expires_never();
  conn.With([&](auto& stream) { http::read_header(stream, buffer, parser, ec); });
  if (ec) return Status::Unavailable("read from " + url->host + ": " + ec.message());
  *status = static_cast<int>(parser.get().result_int());
  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    conn.With([&](auto& stream) { http::read(stream, buffer, parser, ec); });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) break;
    size_t got = sizeof chunk - parser.get().body().size;
    if (got > 0 && !on_chunk(std::string_view(chunk, got))) break;
  }
  conn.Close();
  return Status::Ok();
}

}  // namespace slipway
