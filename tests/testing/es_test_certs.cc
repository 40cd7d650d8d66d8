// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/es_test_certs.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/testing/temp_dir.h"

namespace logship::testing {

EsTestCerts MakeEsTestCerts(const std::string& dir) {
  // One shell script, so the test sees openssl's own words when a step fails.
  const std::string script = R"(set -e
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
ca() {
  openssl req -x509 $ec -keyout "$1.key" -out "$1.pem" -days 3 -subj "/CN=$1" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
leaf() {  # name issuer cn extensions
  openssl req $ec -keyout "$1.key" -out "$1.csr" -subj "/CN=$3"
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" \
    -days 3 -extfile "$1.ext"
}
ca logship-test-ca
ca logship-client-ca
ca logship-other-ca
leaf server logship-test-ca localhost "subjectAltName=DNS:localhost,IP:127.0.0.1
basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=serverAuth"
leaf client logship-client-ca logship-client "basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=clientAuth"
)";
  WriteFile(dir + "/make_certs.sh", script);
  std::string command = "cd '" + dir + "' && sh make_certs.sh </dev/null >make_certs.log 2>&1";
  int rc = std::system(command.c_str());
  if (rc != 0) {
    ADD_FAILURE() << "openssl could not make the test certificates:\n"
                  << ReadFileOrEmpty(dir + "/make_certs.log");
  }
  EsTestCerts c;
  c.ca_cert = dir + "/logship-test-ca.pem";
  c.server_cert = dir + "/server.pem";
  c.server_key = dir + "/server.key";
  c.client_ca_cert = dir + "/logship-client-ca.pem";
  c.client_cert = dir + "/client.pem";
  c.client_key = dir + "/client.key";
  c.other_ca_cert = dir + "/logship-other-ca.pem";
  return c;
}

}  // namespace logship::testing
