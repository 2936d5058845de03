// The orchestrator's HTTP/1.1 server: accepts connections, reads requests (bodies capped), hands
// each to one Handler and writes what the handler answers; over TLS when given a certificate and
// key (HTTPS). Beast, Asio and OpenSSL stay in server.cc.
//
// A handler answers through a ResponseWriter, now or later: long-polls keep the writer and Send()
// from another thread when work arrives; SSE streams call BeginStream() then Write() repeatedly.
// Request handling knows nothing of sockets, like the handle_request of Beast's example servers.
//
// Thread-safety: ResponseWriter methods may be called from any thread; they post to the
// connection's strand. The Handler runs on the connection's strand and must not block for long.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace slipway::http {

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // path and query as sent
  std::string path;     // decoded path, no query
  std::map<std::string, std::string> query;  // decoded query parameters (last one wins)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;   // peer address

  // The first header of that name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // The query parameter, or fallback.
  std::string Query(const std::string& name, const std::string& fallback = "") const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // Sends one whole response. Later calls are ignored.
  virtual void Send(Response response) = 0;
  // Starts an open-ended body (SSE: content type text/event-stream); then Write() and Close().
  virtual void BeginStream(int status, std::string content_type) = 0;
  virtual void Write(std::string data) = 0;
  virtual void Close() = 0;
  // True once the peer has gone or the response is complete: long-polls and streams stop then.
  virtual bool Closed() const = 0;
  // Called (once, on the connection's strand) when the peer goes away or the response completes.
  virtual void OnClose(std::function<void()> callback) = 0;
  // Calls callback once everything written so far has reached the socket, so that a producer
  // writes page by page (a long log) instead of queueing it all. Never called if the stream
  // closes first. Writers without a queue call it at once.
  virtual void OnDrained(std::function<void()> callback) { callback(); }
};

using Handler = std::function<void(Request, std::shared_ptr<ResponseWriter>)>;

// Anyone who can reach the port may be hostile: every resource a client can hold is capped, and
// every wait on a client has a deadline.
struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port (see Server::port())
  size_t max_body_bytes = 25 * 1024 * 1024;  // larger bodies get 413
  int threads = 2;
  // Open connections in all and from one peer address; a connection over either is answered 503
  // and closed at once.
  int max_connections = 1024;
  int max_connections_per_address = 64;
  // To receive a request's head (from the first byte, or the keep-alive wait for the next
  // request), and then its body; a slower client is disconnected.
  int head_timeout_ms = 10'000;
  int body_timeout_ms = 60'000;
  // For one write of a response or of a stream's queued data; a peer that stops reading is
  // disconnected.
  int write_timeout_ms = 30'000;
  // A stream's (SSE) data not yet sent; a reader further behind is disconnected.
  size_t max_stream_queue_bytes = 4 * 1024 * 1024;
  // Streams open at once; BeginStream beyond it answers 503.
  int max_streams = 256;
  // PEM files of the certificate chain and its private key: both set, every connection speaks
  // TLS (1.2 or later) and plain HTTP is not served; both empty, plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on background threads. InvalidArgument for a bad address or TLS
  // file, Unavailable when the address cannot be listened on (in use, not ours).
  Status Start();
  // Stops accepting, closes connections and joins the threads.
  void Stop();
  unsigned short port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace slipway::http
