"""HTTP front end: GET /products, GET /products/<sku>, GET /healthz."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shopapi.catalogue import DEFAULT


class Handler(BaseHTTPRequestHandler):
    catalogue = DEFAULT

    def do_GET(self):
        if self.path == "/healthz":
            return self._send(200, {"ok": True})
        if self.path == "/products":
            return self._send(200, {"products": self.catalogue.all()})
        if self.path.startswith("/products/"):
            product = self.catalogue.get(self.path.removeprefix("/products/"))
            if product:
                return self._send(200, product.__dict__)
        return self._send(404, {"error": "not found"})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


def main():
    port = int(os.environ.get("PORT", "8000"))
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
