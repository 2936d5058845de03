// The HTTP server over TLS, with a test CA made by openssl: clients that trust the CA are served
// (whole answers and streams that end cleanly), a client trusting another CA is refused, plain
// HTTP gets nothing, and Start reports bad files and busy ports as values.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "common/http_client.h"
#include "http/server.h"
#include "support/test_ca.h"

using slipway::ErrorCode;
using slipway::HttpFetch;
using slipway::HttpStream;
using slipway::http::Request;
using slipway::http::Server;
using slipway::http::ServerOptions;
using slipway::testing::TestCa;

namespace {

ServerOptions TlsOptions(const TestCa& ca) {
  ServerOptions o;
  o.port = 0;
  o.tls_cert_file = ca.cert_file();
  o.tls_key_file = ca.key_file();
  return o;
}

// Answers /hello at once; /stream sends three events and ends.
void Handle(Request req, std::shared_ptr<slipway::http::ResponseWriter> writer) {
  if (req.path == "/stream") {
    writer->BeginStream(200, "text/event-stream");
    for (int i = 0; i < 3; ++i) writer->Write("data: " + std::to_string(i) + "\n\n");
    writer->Close();
    return;
  }
  writer->Send({.status = 200, .content_type = "text/plain", .body = "hello over " + req.path});
}

}  // namespace

TEST_CASE("an HTTPS server serves clients that trust its CA and no one else") {
  TestCa ca, other;
  Server server(TlsOptions(ca), Handle);
  REQUIRE(server.Start().ok());
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port());

  auto ok = HttpFetch({.url = base + "/hello", .ca_file = ca.ca_file()});
  REQUIRE(ok.ok());
  CHECK(ok->status == 200);
  CHECK(ok->body == "hello over /hello");

  // Keep-alive and a second request on a fresh connection work the same.
  auto again = HttpFetch({.url = base + "/hello", .ca_file = ca.ca_file()});
  REQUIRE(again.ok());
  CHECK(again->status == 200);

  auto wrong_ca = HttpFetch({.url = base + "/hello", .ca_file = other.ca_file()});
  REQUIRE_FALSE(wrong_ca.ok());
  CHECK(wrong_ca.status().code() == ErrorCode::kPermissionDenied);

  // Plain HTTP to the TLS port: no answer (the handshake fails and the connection closes).
  auto plain = HttpFetch({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hello",
                          .timeout = std::chrono::milliseconds(5000)});
  CHECK((!plain.ok() || plain->status != 200));

  // A stream ends with a TLS close_notify: the client reads every event and a clean end.
  int status = 0;
  std::string body;
  auto streamed = HttpStream({.url = base + "/stream", .ca_file = ca.ca_file()}, &status,
                             [&](std::string_view chunk) {
                               body.append(chunk);
                               return true;
                             });
  INFO(streamed.message());
  CHECK(streamed.ok());
  CHECK(status == 200);
  CHECK(body == "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  server.Stop();
}

TEST_CASE("Start reports bad TLS files and a busy port as a Status") {
  TestCa ca;
  ServerOptions missing_key = TlsOptions(ca);
  missing_key.tls_key_file = "";
  auto h = [](Request, std::shared_ptr<slipway::http::ResponseWriter>) {};
  Server a(missing_key, h);
  CHECK(a.Start().code() == ErrorCode::kInvalidArgument);

  ServerOptions no_file = TlsOptions(ca);
  no_file.tls_cert_file = (ca.dir / "absent.crt").string();
  Server b(no_file, h);
  auto bad = b.Start();
  CHECK(bad.code() == ErrorCode::kInvalidArgument);
  CHECK(bad.message().find("absent.crt") != std::string::npos);

  ServerOptions swapped = TlsOptions(ca);  // a certificate where the key belongs
  swapped.tls_key_file = ca.ca_file();
  Server c(swapped, h);
  CHECK(c.Start().code() == ErrorCode::kInvalidArgument);

  Server first(ServerOptions{.port = 0}, h);
  REQUIRE(first.Start().ok());
  Server second(ServerOptions{.port = first.port()}, h);
  auto busy = second.Start();
  CHECK(busy.code() == ErrorCode::kUnavailable);
  CHECK(busy.message().find("cannot listen on 127.0.0.1:" + std::to_string(first.port())) !=
        std::string::npos);

  ServerOptions bad_host;
  bad_host.host = "not-an-address";
  Server d(bad_host, h);
  CHECK(d.Start().code() == ErrorCode::kInvalidArgument);
}
