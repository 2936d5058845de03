#!/usr/bin/env python3
"""A fake token service for the Docker registry token flow, standing in for a registry's
authorization server in tests. It answers GET /token?service=...&scope=... for one user with a
JWT signed (RS256, through `openssl dgst`) by the given key, whose certificate travels in the
`x5c` header and is in the registry's `rootcertbundle`. Every request it receives (query and the
user it authenticated, or "-") is appended to the record file, one JSON object a line, so a
test can check what the client asked for.

    fake_token_issuer.py PORT KEY CERT ISSUER USER PASSWORD RECORD_FILE
"""
import base64
import http.server
import json
import subprocess
import sys
import time
import urllib.parse

PORT, KEY, CERT, ISSUER, USER, PASSWORD, RECORD = sys.argv[1:8]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der():
    return subprocess.run(["openssl", "x509", "-in", CERT, "-outform", "DER"], check=True,
                          capture_output=True).stdout


def sign(payload):
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=payload, check=True,
                          capture_output=True).stdout


def token_for(service, scopes):
    access = []
    for scope in scopes:
        kind, name, actions = scope.split(":")  # repository:NAME:pull,push
        access.append({"type": kind, "name": name, "actions": actions.split(",")})
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(cert_der()).decode()]}
    claims = {"iss": ISSUER, "sub": USER, "aud": service, "exp": now + 300, "nbf": now - 10,
              "iat": now, "jti": str(now), "access": access}
    signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
    return signing_input.decode() + "." + b64url(sign(signing_input))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        user = "-"
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            user = name if (name, password) == (USER, PASSWORD) else "refused:" + name
        with open(RECORD, "a", encoding="utf-8") as out:
            out.write(json.dumps({"path": url.path, "query": query, "user": user}) + "\n")
        if url.path != "/token" or user != USER:
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"token": token_for(query.get("service", [""])[0], query.get("scope", []))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
