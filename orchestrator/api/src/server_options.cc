#include "api/server_options.h"

namespace slipway::api {

http::ServerOptions ServerOptionsFor(const core::ServerConfig& config) {
  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.tls_cert_file = config.tls_cert_file;
  options.tls_key_file = config.tls_key_file;
  const core::HttpLimits& limits = config.http;
  options.max_connections = limits.max_connections.value_or(options.max_connections);
  options.max_connections_per_address =
      limits.max_connections_per_address.value_or(options.max_connections_per_address);
  options.head_timeout_ms = limits.head_timeout_ms.value_or(options.head_timeout_ms);
  options.body_timeout_ms = limits.body_timeout_ms.value_or(options.body_timeout_ms);
  options.write_timeout_ms = limits.write_timeout_ms.value_or(options.write_timeout_ms);
  options.max_streams = limits.max_streams.value_or(options.max_streams);
  return options;
}

}  // namespace slipway::api
