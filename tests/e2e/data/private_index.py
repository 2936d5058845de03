#!/usr/bin/env python3
"""A private Python package index for tests: PEP 503 "simple" pages and one wheel, served only to
HTTP basic auth with the user __token__ and the token given. Usage:

    private_index.py HOST TOKEN_FILE

Listens on HOST and a free port, prints "listening on HOST:PORT" once ready, serves until killed.
The wheel (slipway-greeting 1.0, a module whose greet() returns a fixed line) is made in memory.
"""
import base64
import hashlib
import http.server
import io
import sys
import zipfile

GREETING = "hello from the private index"


def make_wheel():
    files = {
        "slipway_greeting/__init__.py": "def greet():\n    return %r\n" % GREETING,
        "slipway_greeting-1.0.dist-info/METADATA":
            "Metadata-Version: 2.1\nName: slipway-greeting\nVersion: 1.0\n",
        "slipway_greeting-1.0.dist-info/WHEEL":
            "Wheel-Version: 1.0\nGenerator: slipway-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = ""
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record += "%s,sha256=%s,%d\n" % (name, digest, len(text.encode()))
    record += "slipway_greeting-1.0.dist-info/RECORD,,\n"
    files["slipway_greeting-1.0.dist-info/RECORD"] = record
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


WHEEL_NAME = "slipway_greeting-1.0-py3-none-any.whl"
WHEEL = make_wheel()


class Handler(http.server.BaseHTTPRequestHandler):
    expected = ""

    def log_message(self, *args):  # nothing logged: requests carry the token
        pass

    def do_GET(self):
        if self.headers.get("Authorization", "") != self.expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="private index"')
            self.end_headers()
            return
        sha = hashlib.sha256(WHEEL).hexdigest()
        pages = {
            "/simple/": b'<a href="slipway-greeting/">slipway-greeting</a>',
            "/simple/slipway-greeting/":
                ('<a href="/files/%s#sha256=%s">%s</a>' % (WHEEL_NAME, sha, WHEEL_NAME)).encode(),
            "/files/" + WHEEL_NAME: WHEEL,
        }
        body = pages.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if self.path.endswith("/") else "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    host, token_file = sys.argv[1], sys.argv[2]
    with open(token_file) as f:
        token = f.read()
    Handler.expected = "Basic " + base64.b64encode(("__token__:" + token).encode()).decode()
    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    print("listening on %s:%d" % (host, server.server_address[1]), file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
