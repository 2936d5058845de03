#include "http/server.h"

#include <strings.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "common/log.h"
#include "http/url.h"

namespace slipway::http {
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

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

constexpr auto kReadTimeout = std::chrono::seconds(60);

class Session;

// Answers one request of a Session. Every method posts to the session's strand.
class Writer : public ResponseWriter, public std::enable_shared_from_this<Writer> {
 public:
  Writer(std::shared_ptr<Session> session, bool keep_alive, unsigned version)
      : session_(std::move(session)), keep_alive_(keep_alive), version_(version) {}
  void Send(Response response) override;
  void BeginStream(int status, std::string content_type) override;
  void Write(std::string data) override;
  void Close() override;
  bool Closed() const override { return closed_.load(); }
  void OnClose(std::function<void()> callback) override;

  // On the strand: the exchange is over (sent, or the peer went away).
  void MarkClosed();

 private:
  void WriteNext();

  std::shared_ptr<Session> session_;
  bool keep_alive_;
  unsigned version_;
  bool answered_ = false;  // strand only
  bool streaming_ = false;
  bool writing_ = false;
  bool close_after_drain_ = false;
  std::deque<std::string> queue_;
  std::atomic<bool> closed_{false};
  std::vector<std::function<void()>> on_close_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const ServerOptions& options, const Handler& handler)
      : stream_(std::move(socket)), options_(options), handler_(handler) {}

  void Run() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::DoRead, shared_from_this()));
  }

  beast::tcp_stream& stream() { return stream_; }

  void DoRead() {
    parser_.emplace();
    parser_->body_limit(options_.max_body_bytes);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(kReadTimeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void Shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof) {
      return Shutdown();
    }
    if (ec == bhttp::error::body_limit) {
      return Reject(413, "too_large", "request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
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
    beast::error_code ignored;
    auto peer = stream_.socket().remote_endpoint(ignored);
    req.remote = ignored ? "" : peer.address().to_string();
    auto writer = std::make_shared<Writer>(shared_from_this(), msg.keep_alive(), msg.version());
    stream_.expires_never();  // the handler may hold the answer (long-poll, SSE)
    handler_(std::move(req), writer);
  }

  // Answers a request that never reached the handler, then closes.
  void Reject(int status, std::string code, std::string message) {
    auto writer = std::make_shared<Writer>(shared_from_this(), false, 11);
    Response r;
    r.status = status;
    r.body = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
    writer->Send(std::move(r));
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const ServerOptions& options_;
  const Handler& handler_;
};

void Writer::Send(Response response) {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this(), r = std::move(response)]() mutable {
    if (self->answered_) return;
    self->answered_ = true;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status),
                                                                      self->version_);
    res->set(bhttp::field::server, "slipwayd");
    res->set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->keep_alive(self->keep_alive_);
    res->body() = std::move(r.body);
    res->prepare_payload();
    self->session_->stream().expires_after(kReadTimeout);
    bhttp::async_write(self->session_->stream(), *res, [self, res](beast::error_code ec, std::size_t) {
      self->MarkClosed();
      if (ec || !res->keep_alive()) return self->session_->Shutdown();
      self->session_->DoRead();
    });
  });
}

void Writer::BeginStream(int status, std::string content_type) {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this(), status, ct = std::move(content_type)] {
    if (self->answered_) return;
    self->answered_ = true;
    self->streaming_ = true;
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                       std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(status))) +
                       "\r\nServer: slipwayd\r\nContent-Type: " + ct +
                       "\r\nCache-Control: no-cache\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n";
    self->queue_.push_front(std::move(head));
    self->WriteNext();
  });
}

void Writer::Write(std::string data) {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this(), d = std::move(data)]() mutable {
    if (!self->streaming_ || self->closed_) return;
    self->queue_.push_back(std::move(d));
    self->WriteNext();
  });
}

void Writer::Close() {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this()] {
    if (!self->streaming_) return;
    self->close_after_drain_ = true;
    self->WriteNext();
  });
}

void Writer::OnClose(std::function<void()> callback) {
  asio::dispatch(session_->stream().get_executor(), [self = shared_from_this(), cb = std::move(callback)]() mutable {
    if (self->closed_) {
      cb();
      return;
    }
    self->on_close_.push_back(std::move(cb));
  });
}

void Writer::MarkClosed() {
  if (closed_.exchange(true)) return;
  auto callbacks = std::move(on_close_);
  for (auto& cb : callbacks) cb();
}

void Writer::WriteNext() {
  if (writing_ || closed_) return;
  if (queue_.empty()) {
    if (close_after_drain_) {
      MarkClosed();
      session_->Shutdown();
    }
    return;
  }
  writing_ = true;
  auto data = std::make_shared<std::string>(std::move(queue_.front()));
  queue_.pop_front();
  asio::async_write(session_->stream().socket(), asio::buffer(*data),
                    asio::bind_executor(session_->stream().get_executor(),
                                        [self = shared_from_this(), data](beast::error_code ec, std::size_t) {
                                          self->writing_ = false;
                                          if (ec) {
                                            self->MarkClosed();
                                            self->session_->Shutdown();
                                            return;
                                          }
                                          self->WriteNext();
                                        }));
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  unsigned short bound_port = 0;

  void Accept() {
    acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket), options, handler)->Run();
      }
      Accept();
    });
  }
};

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

Server::~Server() { Stop(); }

bool Server::Start(std::string* error) {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) {
    *error = "bad listen address " + impl_->options.host + ": " + ec.message();
    return false;
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor.emplace(impl_->ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) + ": " +
             ec.message();
    return false;
  }
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return true;
}

void Server::Stop() {
  if (impl_->threads.empty()) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    if (impl_->acceptor) impl_->acceptor->close(ec);
  });
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

unsigned short Server::port() const { return impl_->bound_port; }

void Server::Schedule(int delay_ms, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->ioc, std::chrono::milliseconds(delay_ms));
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
    if (!ec) fn();
  });
}

}  // namespace slipway::http
