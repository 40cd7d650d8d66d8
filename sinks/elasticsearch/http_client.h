// SPDX-License-Identifier: Apache-2.0
#pragma once

// HttpClient POSTs bulk bodies over libcurl's multi interface: up to `slots` transfers at once,
// each slot owning one easy handle for the client's whole life, so connections are kept alive
// and reused (HTTP/1.1 keep-alive, or HTTP/2 multiplexing when a TLS server offers it), over
// OpenSSL with the sink's TLS options. Requests carry Content-Type application/x-ndjson, an empty
// `Expect:` (no 100-continue round trip), the Authorization header, and Content-Encoding gzip
// when asked. The Authorization value is a secret: it is handed to libcurl and never logged;
// verbose output stays off.
//
// Threads: everything runs on the owner's thread except Wakeup(), which any thread may call to
// end a Poll early (a new batch was submitted, a stop was asked).

#include <curl/curl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sinks/elasticsearch/es_options.h"
#include "src/base/result.h"

namespace logship {

struct HttpClientOptions {
  std::vector<EsEndpoint> endpoints;
  std::string path_and_query;  // appended to each endpoint: "/_bulk?filter_path=…"
  EsTlsOptions tls;
  std::string authorization;  // secret; "" for none
  int64_t request_timeout_ms = 60'000;
  int64_t connect_timeout_ms = 10'000;
};

struct HttpResult {
  CURLcode code = CURLE_OK;  // CURLE_OK when an HTTP answer arrived
  long status = 0;           // HTTP status; 0 without an answer
  std::string error;         // why there was no answer (libcurl's reason, with details)
  std::string body;          // the answer; capacity leaves simdjson's padding free after it
  double seconds = 0;        // total time of the transfer
};

class HttpClient {
 public:
  // Builds the handles. Internal error when libcurl cannot be initialised.
  static Result<std::unique_ptr<HttpClient>> Create(HttpClientOptions options, size_t slots);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The request URL for endpoint `e`, for messages (never holds credentials).
  const std::string& url(size_t e) const { return urls_[e]; }

  // Starts POSTing `body` to endpoint `endpoint` on `slot`. The bytes of `body` must stay as
  // they are until the slot's transfer finished or was aborted. REQUIRES: !busy(slot).
  void StartPost(size_t slot, size_t endpoint, std::string_view body, bool gzip);

  // Drives the transfers, then calls `done(slot, result)` for each transfer that finished (the
  // slot is free again by then). Waits up to `timeout_ms` for network activity or Wakeup() only
  // when none had finished.
  void Poll(int timeout_ms, const std::function<void(size_t slot, HttpResult& result)>& done);

  // Cancels the slot's transfer, if any; no callback for it.
  void Abort(size_t slot);
  bool busy(size_t slot) const { return slots_[slot].busy; }
  size_t in_flight() const { return in_flight_; }

  // Ends a Poll early. Thread-safe.
  void Wakeup();

 private:
  struct Slot {
    CURL* easy = nullptr;
    bool busy = false;
    HttpResult result;
    char error[CURL_ERROR_SIZE] = {};
  };
  HttpClient() = default;
  Status Init(HttpClientOptions options, size_t slots);
  static size_t OnBody(char* data, size_t size, size_t n, void* slot);
  // Reports finished transfers (and ones that could not start); returns how many.
  size_t Collect(const std::function<void(size_t slot, HttpResult& result)>& done);

  CURLM* multi_ = nullptr;
  std::vector<Slot> slots_;
  std::vector<std::string> urls_;        // per endpoint
  std::vector<curl_slist*> connect_to_;  // per endpoint; null unless tls.server_name is set
  curl_slist* headers_ = nullptr;
  curl_slist* gzip_headers_ = nullptr;
  size_t in_flight_ = 0;
  std::vector<size_t> pending_failures_;  // slots whose transfer could not even start
};

}  // namespace logship
