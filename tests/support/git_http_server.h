// A private git server for tests: smart HTTP on a loopback port, `git http-backend` run as a CGI
// program behind HTTP basic authentication (one user name and password). A request without them,
// or with others, is answered 401 with a `WWW-Authenticate` challenge, as a forge answers.
//
// One connection at a time (each answered with `Connection: close`), on a thread of its own.
// Repositories are the bare ones under `root`: http://127.0.0.1:PORT/<path under root>.
//
// Thread-safety: the counters may be read from any thread.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include "common/strings.h"
#include "common/subprocess.h"
#include "support/loopback.h"

namespace slipway::testing {

inline std::string Base64(std::string_view in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

class GitHttpServer {
 public:
  GitHttpServer(std::string root, const std::string& username, const std::string& password)
      : root_(std::move(root)),
        expected_("Basic " + Base64(username + ":" + password)),
        acceptor_([this](int client) {
          Request req;
          if (Read(client, &req)) Send(client, Answer(req));
          close(client);
        }) {}

  int port() const { return acceptor_.port(); }
  // The URL of the repository at `path` under the root (no credential in it).
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/" + path;
  }
  int refused() const { return refused_; }  // requests answered 401
  int served() const { return served_; }    // requests handed to git http-backend

 private:
  struct Request {
    std::string method, path, query, body;
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
    std::string Header(const std::string& name) const {
      for (const auto& [k, v] : headers) {
        if (k == name) return v;
      }
      return "";
    }
  };

  static bool Read(int client, Request* req) {
    std::string data;
    char buf[65536];
    size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(client, buf, sizeof buf, 0);
      if (n <= 0 || data.size() > (1 << 20)) return false;
      data.append(buf, static_cast<size_t>(n));
    }
    std::vector<std::string> lines = SplitNonEmpty(data.substr(0, head_end), '\n');
    std::vector<std::string> first = SplitNonEmpty(std::string(TrimAsciiSpace(lines[0])), ' ');
    if (first.size() < 2) return false;
    req->method = first[0];
    req->path = first[1].substr(0, first[1].find('?'));
    if (first[1].find('?') != std::string::npos)
      req->query = first[1].substr(first[1].find('?') + 1);
    for (size_t i = 1; i < lines.size(); ++i) {
      auto colon = lines[i].find(':');
      if (colon == std::string::npos) continue;
      req->headers.emplace_back(AsciiLower(lines[i].substr(0, colon)),
                                std::string(TrimAsciiSpace(lines[i].substr(colon + 1))));
    }
    std::string rest = data.substr(head_end + 4);
    auto more = [&]() {
      ssize_t n = recv(client, buf, sizeof buf, 0);
      if (n <= 0) return false;
      rest.append(buf, static_cast<size_t>(n));
      return true;
    };
    if (AsciiLower(req->Header("transfer-encoding")) == "chunked") {
      for (size_t at = 0;;) {  // size line, data, CRLF; a zero size ends the body
        size_t eol;
        while ((eol = rest.find("\r\n", at)) == std::string::npos)
          if (!more()) return false;
        size_t size = std::stoul(rest.substr(at, eol - at), nullptr, 16);
        while (rest.size() < eol + 2 + size + 2)
          if (!more()) return false;
        if (size == 0) break;
        req->body.append(rest, eol + 2, size);
        at = eol + 2 + size + 2;
      }
    } else {
      size_t length =
          req->Header("content-length").empty() ? 0 : std::stoul(req->Header("content-length"));
      while (rest.size() < length)
        if (!more()) return false;
      req->body = rest.substr(0, length);
    }
    return true;
  }

  std::string Answer(const Request& req) {
    if (req.Header("authorization") != expected_) {
      ++refused_;
      return "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic "
             "realm=\"git\"\r\nContent-Length: 0\r\n"
             "Connection: close\r\n\r\n";
    }
    ++served_;
    ProcessOptions cgi;
    cgi.extra_env = {"GIT_PROJECT_ROOT=" + root_,
                     "GIT_HTTP_EXPORT_ALL=1",
                     "REQUEST_METHOD=" + req.method,
                     "PATH_INFO=" + req.path,
                     "QUERY_STRING=" + req.query,
                     "REMOTE_USER=git",
                     "REMOTE_ADDR=127.0.0.1",
                     "CONTENT_TYPE=" + req.Header("content-type"),
                     "CONTENT_LENGTH=" + std::to_string(req.body.size()),
                     "HTTP_CONTENT_ENCODING=" + req.Header("content-encoding"),
                     "GIT_PROTOCOL=" + req.Header("git-protocol")};
    cgi.stdin_data = req.body;
    cgi.timeout = std::chrono::seconds(60);
    auto out = RunProcess({"git", "http-backend"}, cgi);
    if (!out.ok() || out->exit_code != 0) {
      return "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    // CGI: header lines ("Status: 404 Not Found" among them), a blank line, the body.
    size_t end = out->out.find("\r\n\r\n");
    size_t body_at = end == std::string::npos ? out->out.find("\n\n") + 2 : end + 4;
    std::string status = "200 OK", headers;
    for (const std::string& line : SplitNonEmpty(out->out.substr(0, body_at), '\n')) {
      std::string h(TrimAsciiSpace(line));
      if (h.empty()) continue;
      if (AsciiLower(h).starts_with("status:"))
        status = std::string(TrimAsciiSpace(h.substr(7)));
      else
        headers += h + "\r\n";
    }
    std::string body = out->out.substr(body_at);
    return "HTTP/1.1 " + status + "\r\n" + headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
           body;
  }

  static void Send(int client, const std::string& reply) {
    for (size_t sent = 0; sent < reply.size();) {
      ssize_t n = send(client, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  std::string root_;
  std::string expected_;
  std::atomic<int> refused_{0};
  std::atomic<int> served_{0};
  LoopbackAcceptor acceptor_;  // last: stops before the members it uses go
};

}  // namespace slipway::testing
