#include "http/server.h"

#include <strings.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include "common/log.h"
#include "http/url.h"

namespace slipway::http {
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

std::string Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return "";
}

std::string Request::Query(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

namespace {

std::chrono::milliseconds Ms(int ms) { return std::chrono::milliseconds(ms); }

// What all connections hold together: connections in all and per peer address, open streams.
// Shared by the sessions, which may outlive the server's Impl by a moment.
class Limits {
 public:
  explicit Limits(const ServerOptions& options) : options_(options) {}

  // Counts a new connection from address; false (nothing counted) when a cap is reached.
  bool AcquireConnection(const std::string& address) {
    std::lock_guard lock(mu_);
    int& from_address = per_address_[address];
    if (connections_ >= options_.max_connections || from_address >= options_.max_connections_per_address) {
      if (from_address == 0) per_address_.erase(address);
      return false;
    }
    ++connections_;
    ++from_address;
    return true;
  }
  void ReleaseConnection(const std::string& address) {
    std::lock_guard lock(mu_);
    --connections_;
    if (auto it = per_address_.find(address); it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
  }
  bool AcquireStream() {
    std::lock_guard lock(mu_);
    if (streams_ >= options_.max_streams) return false;
    ++streams_;
    return true;
  }
  void ReleaseStream() {
    std::lock_guard lock(mu_);
    --streams_;
  }
  const ServerOptions& options() const { return options_; }

 private:
  const ServerOptions options_;
  std::mutex mu_;
  int connections_ = 0;                  // GUARDED_BY(mu_)
  std::map<std::string, int> per_address_;  // GUARDED_BY(mu_)
  int streams_ = 0;                      // GUARDED_BY(mu_)
};

std::string ErrorBody(std::string_view code, std::string_view message) {
  return "{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":\"" + std::string(message) + "\"}}";
}

template <class Stream>
class Session;

// Answers one request of a Session. Every method posts to the session's strand.
template <class Stream>
class Writer : public ResponseWriter, public std::enable_shared_from_this<Writer<Stream>> {
 public:
  Writer(std::shared_ptr<Session<Stream>> session, bool keep_alive, unsigned version)
      : session_(std::move(session)), keep_alive_(keep_alive), version_(version) {}
  void Send(Response response) override;
  void BeginStream(int status, std::string content_type) override;
  void Write(std::string data) override;
  void Close() override;
  bool Closed() const override { return closed_.load(); }
  void OnClose(std::function<void()> callback) override;
  void OnDrained(std::function<void()> callback) override;

  // On the strand: the exchange is over (sent, or the peer went away).
  void MarkClosed();

 private:
  // On the strand.
  void SendNow(Response r);
  void WriteNext();
  void Drop(const char* why);
  std::shared_ptr<Writer> shared_from_this() { return std::enable_shared_from_this<Writer>::shared_from_this(); }

  std::shared_ptr<Session<Stream>> session_;
  bool keep_alive_;
  unsigned version_;
  // The rest is used on the strand only (closed_ is read from anywhere).
  bool answered_ = false;
  bool streaming_ = false;  // holds one of the server's stream slots until closed
  bool writing_ = false;
  bool close_after_drain_ = false;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;  // in queue_ and in the write under way
  std::atomic<bool> closed_{false};
  std::vector<std::function<void()>> on_close_;
  std::vector<std::function<void()>> on_drained_;
};

// One connection: plain (Stream = beast::tcp_stream) or TLS (TlsStream), which differ only in the
// handshake before the first request and the close_notify at the end.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(Stream stream, std::string remote, std::shared_ptr<Limits> limits, const Handler& handler)
      : stream_(std::move(stream)), remote_(std::move(remote)), limits_(std::move(limits)), handler_(handler) {}
  ~Session() { ReleaseConnection(); }

  void Run() {
    if constexpr (kTls) {
      // The handshake has the head's deadline: a peer that opens a connection and says nothing
      // holds it no longer over TLS than without.
      asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        self->tcp().expires_after(Ms(self->options().head_timeout_ms));
        self->stream_.async_handshake(asio::ssl::stream_base::server,
                                      beast::bind_front_handler(&Session::OnHandshake, self));
      });
    } else {
      asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::DoRead, shared_from_this()));
    }
  }

  Stream& stream() { return stream_; }
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }
  const std::string& remote() const { return remote_; }
  Limits& limits() { return *limits_; }
  const ServerOptions& options() const { return limits_->options(); }

  // Reads the next request: its head within head_timeout_ms, then its body within body_timeout_ms.
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(options().max_body_bytes);
    parser_->header_limit(64 * 1024);
    tcp().expires_after(Ms(options().head_timeout_ms));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHead, shared_from_this()));
  }

  // Ends the connection; over TLS with a close_notify first (given a second), so that a client
  // reading a stream to its end can tell the end from a cut.
  void Shutdown() {
    ReleaseConnection();
    if (shut_down_) return;
    shut_down_ = true;
    if constexpr (kTls) {
      tcp().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->CloseSocket(); });
    } else {
      CloseSocket();
    }
  }

 private:
  std::shared_ptr<Session> shared_from_this() { return std::enable_shared_from_this<Session>::shared_from_this(); }

  void CloseSocket() {
    beast::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    tcp().close();
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {  // not TLS, an unknown CA on the client's side, or too slow: nothing to answer
      shut_down_ = true;
      ReleaseConnection();
      return CloseSocket();
    }
    DoRead();
  }

  void ReleaseConnection() {
    if (counted_) limits_->ReleaseConnection(remote_);
    counted_ = false;
  }

  void OnHead(beast::error_code ec, std::size_t) {
    if (ec) return OnRead(ec, 0);
    tcp().expires_after(Ms(options().body_timeout_ms));
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::ssl::error::stream_truncated) {
      return Shutdown();
    }
    if (ec == bhttp::error::body_limit) {
      return Reject(413, "too_large", "request body exceeds " + std::to_string(options().max_body_bytes) + " bytes");
    }
    if (ec == bhttp::error::header_limit) return Reject(431, "too_large", "request headers too large");
    if (ec) {
      if (ec != asio::error::operation_aborted && ec != asio::error::connection_reset) {
        return Reject(400, "invalid_argument", "malformed HTTP request: " + ec.message());
      }
      return Shutdown();
    }
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    SplitTarget(req.target, &req.path, &req.query);
    for (const auto& field : msg) req.headers.emplace_back(field.name_string(), field.value());
    req.body = std::move(msg.body());
    req.remote = remote_;
    auto writer = std::make_shared<Writer<Stream>>(shared_from_this(), msg.keep_alive(), msg.version());
    tcp().expires_never();  // the handler may hold the answer (long-poll, SSE)
    handler_(std::move(req), writer);
  }

  // Answers a request that never reached the handler, then closes.
  void Reject(int status, std::string code, std::string message) {
    auto writer = std::make_shared<Writer<Stream>>(shared_from_this(), false, 11);
    writer->Send({.status = status, .body = ErrorBody(code, message)});
  }

  Stream stream_;
  const std::string remote_;
  std::shared_ptr<Limits> limits_;
  bool counted_ = true;  // the connection holds its place in limits_ until shut down
  bool shut_down_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const Handler& handler_;
};

template <class Stream>
void Writer<Stream>::Send(Response response) {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this(), r = std::move(response)]() mutable {
    self->SendNow(std::move(r));
  });
}

template <class Stream>
void Writer<Stream>::SendNow(Response r) {
  if (answered_) return;
  answered_ = true;
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status), version_);
  res->set(bhttp::field::server, "slipwayd");
  res->set(bhttp::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) res->set(k, v);
  res->keep_alive(keep_alive_);
  res->body() = std::move(r.body);
  res->prepare_payload();
  session_->tcp().expires_after(Ms(session_->options().write_timeout_ms));
  bhttp::async_write(session_->stream(), *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
    self->MarkClosed();
    if (ec || !res->keep_alive()) return self->session_->Shutdown();
    self->session_->DoRead();
  });
}

template <class Stream>
void Writer<Stream>::BeginStream(int status, std::string content_type) {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this(), status, ct = std::move(content_type)] {
    if (self->answered_) return;
    if (!self->session_->limits().AcquireStream()) {
      self->keep_alive_ = false;
      return self->SendNow({.status = 503,
                            .body = ErrorBody("unavailable", "too many open streams; try again later"),
                            .headers = {{"Retry-After", "5"}}});
    }
    self->answered_ = true;
    self->streaming_ = true;
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                       std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(status))) +
                       "\r\nServer: slipwayd\r\nContent-Type: " + ct +
                       "\r\nCache-Control: no-cache\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n";
    self->queued_bytes_ += head.size();
    self->queue_.push_front(std::move(head));
    self->WriteNext();
  });
}

template <class Stream>
void Writer<Stream>::Write(std::string data) {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this(), d = std::move(data)]() mutable {
    if (!self->streaming_ || self->closed_) return;
    // Over the cap is a reader too far behind; a write to an empty queue (a page of a producer
    // that waits for OnDrained) always goes.
    if (self->queued_bytes_ > 0 && self->queued_bytes_ + d.size() > self->session_->options().max_stream_queue_bytes) {
      return self->Drop("the reader is too slow");
    }
    self->queued_bytes_ += d.size();
    self->queue_.push_back(std::move(d));
    self->WriteNext();
  });
}

template <class Stream>
void Writer<Stream>::Close() {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this()] {
    if (!self->streaming_) return;
    self->close_after_drain_ = true;
    self->WriteNext();
  });
}

template <class Stream>
void Writer<Stream>::OnClose(std::function<void()> callback) {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this(), cb = std::move(callback)]() mutable {
    if (self->closed_) {
      cb();
      return;
    }
    self->on_close_.push_back(std::move(cb));
  });
}

template <class Stream>
void Writer<Stream>::OnDrained(std::function<void()> callback) {
  // Posted, never run inline: the callback usually writes the next page.
  asio::post(session_->stream().get_executor(), [self = shared_from_this(), cb = std::move(callback)]() mutable {
    if (self->closed_ || !self->streaming_) return;
    self->on_drained_.push_back(std::move(cb));
    self->WriteNext();
  });
}

template <class Stream>
void Writer<Stream>::MarkClosed() {
  if (closed_.exchange(true)) return;
  if (streaming_) session_->limits().ReleaseStream();
  queue_.clear();
  on_drained_.clear();
  auto callbacks = std::move(on_close_);
  for (auto& cb : callbacks) cb();
}

template <class Stream>
void Writer<Stream>::Drop(const char* why) {
  LogWarn("stream dropped", {{"peer", session_->remote()}, {"reason", why}});
  MarkClosed();
  session_->Shutdown();
}

template <class Stream>
void Writer<Stream>::WriteNext() {
  if (writing_ || closed_) return;
  if (queue_.empty()) {
    auto drained = std::move(on_drained_);
    on_drained_.clear();
    for (auto& cb : drained) cb();
    if (close_after_drain_ && queue_.empty() && !writing_) {
      MarkClosed();
      session_->Shutdown();
    }
    return;
  }
  writing_ = true;
  auto data = std::make_shared<std::string>(std::move(queue_.front()));
  queue_.pop_front();
  session_->tcp().expires_after(Ms(session_->options().write_timeout_ms));
  asio::async_write(session_->stream(), asio::buffer(*data),
                    asio::bind_executor(session_->stream().get_executor(),
                                        [self = shared_from_this(), data](beast::error_code ec, std::size_t) {
                                          self->writing_ = false;
                                          self->queued_bytes_ -= data->size();
                                          if (ec) {
                                            if (ec == beast::error::timeout) return self->Drop("a write timed out");
                                            self->MarkClosed();
                                            self->session_->Shutdown();
                                            return;
                                          }
                                          self->WriteNext();
                                        }));
}

// Answers a connection over a cap with 503 (if the socket takes it at once; over TLS there is no
// answer before a handshake) and closes it.
void Refuse(tcp::socket& socket, bool tls) {
  static const std::string kBusy = [] {
    std::string body = ErrorBody("unavailable", "too many connections; try again later");
    return "HTTP/1.1 503 Service Unavailable\r\nServer: slipwayd\r\nContent-Type: application/json\r\n"
           "Retry-After: 5\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  beast::error_code ec;
  socket.non_blocking(true, ec);
  if (!tls) socket.write_some(asio::buffer(kBusy), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  std::shared_ptr<Limits> limits;
  asio::io_context ioc;
  std::optional<asio::ssl::context> tls;  // set: HTTPS only
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_backoff;
  std::chrono::milliseconds backoff{0};
  std::vector<std::thread> threads;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  unsigned short bound_port = 0;

  void Accept() {
    acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) return AcceptLater(ec);  // out of descriptors (EMFILE) or memory: no busy loop
      backoff = std::chrono::milliseconds(0);
      beast::error_code peer_ec;
      auto peer = socket.remote_endpoint(peer_ec);
      std::string remote = peer_ec ? "" : peer.address().to_string();
      if (!limits->AcquireConnection(remote)) {
        Refuse(socket, tls.has_value());
      } else if (socket.set_option(tcp::no_delay(true), ec); tls) {
        std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls), std::move(remote), limits, handler)
            ->Run();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), std::move(remote), limits,
                                                     handler)
            ->Run();
      }
      Accept();
    });
  }

  // Waits before accepting again: 10 ms, doubling up to a second while accept keeps failing.
  void AcceptLater(const beast::error_code& ec) {
    backoff = std::clamp(backoff * 2, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    LogWarn("accept failed", {{"error", ec.message()}, {"retry_ms", std::to_string(backoff.count())}});
    accept_backoff->expires_after(backoff);
    accept_backoff->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
  }
};

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->limits = std::make_shared<Limits>(impl_->options);
}

Server::~Server() { Stop(); }

namespace {

// A server context from PEM files: TLS 1.2 or later, the certificate chain and its key.
Status LoadTls(const ServerOptions& options, std::optional<asio::ssl::context>* tls) {
  if (options.tls_cert_file.empty() && options.tls_key_file.empty()) return Status::Ok();
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return Status::InvalidArgument("TLS needs both a certificate and a key file");
  }
  auto& ctx = tls->emplace(asio::ssl::context::tls_server);
  beast::error_code ec;
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                  ec);
  ctx.use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec) {
    return Status::InvalidArgument("cannot use TLS certificate " + options.tls_cert_file + ": " + ec.message());
  }
  ctx.use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
  if (ec) return Status::InvalidArgument("cannot use TLS key " + options.tls_key_file + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Status Server::Start() {
  if (Status s = LoadTls(impl_->options, &impl_->tls); !s.ok()) return s;
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return Status::InvalidArgument("bad listen address " + impl_->options.host + ": " + ec.message());
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor.emplace(impl_->ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
                               ": " + ec.message());
  }
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->accept_backoff.emplace(impl_->ioc);
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return Status::Ok();
}

void Server::Stop() {
  if (impl_->threads.empty()) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    if (impl_->acceptor) impl_->acceptor->close(ec);
    if (impl_->accept_backoff) impl_->accept_backoff->cancel();
  });
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

unsigned short Server::port() const { return impl_->bound_port; }

}  // namespace slipway::http
