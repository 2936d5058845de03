// A certificate authority for tests, made with the openssl command at run time in a temporary
// folder: ca.crt, and server.crt / server.key for 127.0.0.1 signed by it. Servers under test
// (slipwayd, a registry) present the server pair; clients trust ca.crt. Two TestCa are unrelated,
// so one's ca.crt is the "wrong CA" for the other's server.
//
// Thread-safety: one per test; not shared.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/subprocess.h"

namespace slipway::testing {

class TestCa {
 public:
  TestCa() {
    char tmpl[] = "/tmp/slipway-ca-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=slipway test CA", "-days", "1"});
    Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"});
    std::ofstream(dir / "san.cnf") << "subjectAltName=IP:127.0.0.1\n";
    Openssl({"x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "san.cnf"});
  }
  ~TestCa() { std::filesystem::remove_all(dir); }
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  std::string ca_file() const { return (dir / "ca.crt").string(); }
  std::string cert_file() const { return (dir / "server.crt").string(); }
  std::string key_file() const { return (dir / "server.key").string(); }

  std::filesystem::path dir;

 private:
  void Openssl(std::vector<std::string> args) {
    args.insert(args.begin(), "openssl");
    auto out = RunProcess(args, {.cwd = dir.string()});
    REQUIRE(out.ok());
    INFO("openssl: " << out->err);
    REQUIRE(out->ok());
  }
};

}  // namespace slipway::testing
