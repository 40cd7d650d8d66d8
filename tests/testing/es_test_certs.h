// SPDX-License-Identifier: Apache-2.0
#pragma once

// Certificates for the Elasticsearch sink's TLS tests, made with the `openssl` command line at
// test time into a directory of the test's (nothing secret is ever checked in): a CA and a server
// certificate it signed for localhost and 127.0.0.1 (OpenSSL 3 and libcurl check the
// subjectAltName), a second CA with a client certificate for mTLS, and an unrelated CA that
// signed nothing here, for "wrong CA" tests. EC P-256 keys: a few milliseconds each.

#include <string>

namespace logship::testing {

struct EsTestCerts {
  std::string ca_cert;  // signed server_cert
  std::string server_cert;
  std::string server_key;
  std::string client_ca_cert;  // signed client_cert
  std::string client_cert;
  std::string client_key;
  std::string other_ca_cert;  // signed nothing the server or client uses
};

// Makes the files in `dir` (which must exist). On failure the test fails with openssl's output
// and the returned paths point at files that do not exist.
EsTestCerts MakeEsTestCerts(const std::string& dir);

}  // namespace logship::testing
