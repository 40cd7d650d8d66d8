// SPDX-License-Identifier: Apache-2.0
#pragma once

// EsBulkServer runs tests/tools/es_bulk_server.py, the stand-in for Elasticsearch's bulk API, as a
// child process for one test: plain HTTP or TLS (optionally requiring client certificates), with
// the credentials it accepts, its records and control file in a directory of the test's. The
// server's output goes to DIR/server.log, never to the test's own stdout/stderr (ctest would wait
// for it), and the process is stopped (SIGTERM, then SIGKILL) when the object goes away; it also
// exits by itself if the test process dies.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/testing/es_test_certs.h"

namespace logship::testing {

struct EsServerOptions {
  bool tls = true;                // needs `certs`
  bool client_auth = false;       // require a client certificate signed by certs->client_ca_cert
  std::vector<std::string> auth;  // accepted: "api_key:V", "basic:USER:PASS", "bearer:T"
  bool fast = false;              // count and answer errors:false, store nothing (benchmarks)
};

// A document the server accepted.
struct EsStoredDoc {
  std::string index;
  std::string id;
  std::string op;        // "index" or "create"
  std::string pipeline;  // "" when none
  std::string source;    // the document as JSON (the server's re-serialisation)
  std::string message;   // source.message, "" when absent
};

// One item of a recorded bulk request.
struct EsItemRecord {
  std::string op;
  std::string index;
  std::string id;
  std::string message;  // source.message
  int status = 0;
};

// One bulk request as the server saw it.
struct EsRequestRecord {
  std::string path;  // with the query
  std::string authorization;
  std::string content_type;
  std::string content_encoding;
  int64_t bytes = 0;    // body as received
  int status = 0;       // HTTP status answered; 0 for a dropped connection
  int client_port = 0;  // tells connections apart
  std::vector<EsItemRecord> items;
};

// A loopback TCP port nobody listens on (bound, then closed): connections to it are refused.
int UnusedLocalPort();

class EsBulkServer {
 public:
  // Starts the server with its files in `dir` (created) and waits for its port. `certs` must
  // outlive the server when options.tls is set. On failure the test fails and started() is false.
  EsBulkServer(std::string dir, const EsTestCerts* certs, EsServerOptions options);
  ~EsBulkServer();
  EsBulkServer(const EsBulkServer&) = delete;
  EsBulkServer& operator=(const EsBulkServer&) = delete;

  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  // "https://localhost:PORT" (the certificate's name) or "http://127.0.0.1:PORT".
  std::string url() const;
  const std::string& dir() const { return dir_; }

  // Replaces the injection settings (see the script's docstring), atomically.
  void SetControl(const std::string& json);

  std::vector<EsStoredDoc> Docs() const;
  size_t CountDocs() const;  // complete lines in docs.ndjson, without parsing
  std::vector<EsRequestRecord> Requests() const;
  std::string Log() const;

  // SIGTERM and wait (the server writes stats.json). Idempotent.
  void Stop();

 private:
  std::string dir_;
  bool tls_ = false;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace logship::testing
