// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/http_client.h"

#include <simdjson.h>

#include <mutex>
#include <utility>

namespace logship {
namespace {

// Answers larger than this are cut off (and the transfer fails): a bulk answer is about 60 bytes
// per document, so this only trips on a misbehaving server.
constexpr size_t kMaxResponseBytes = 256u << 20;

Status CurlGlobalInit() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK) return Status::Internal("libcurl", curl_easy_strerror(rc));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::Create(HttpClientOptions options, size_t slots) {
  std::unique_ptr<HttpClient> client(new HttpClient());
  Status st = client->Init(std::move(options), slots);
  if (!st.ok()) return st;
  return client;
}

Status HttpClient::Init(HttpClientOptions o, size_t slots) {
  Status st = CurlGlobalInit();
  if (!st.ok()) return st;
  multi_ = curl_multi_init();
  if (multi_ == nullptr) return Status::Internal("libcurl", "curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                    static_cast<long>(slots * std::max<size_t>(o.endpoints.size(), 1)));

  for (const EsEndpoint& e : o.endpoints) {
    // tls.server_name: the request names that host (SNI and certificate checks use it) while
    // CONNECT_TO sends the connection to the configured one.
    std::string host = o.tls.server_name.empty() ? e.host : o.tls.server_name;
    urls_.push_back(e.scheme + "://" + host + ":" + std::to_string(e.port) + e.path +
                    o.path_and_query);
    curl_slist* connect_to = nullptr;
    if (!o.tls.server_name.empty()) {
      std::string entry = o.tls.server_name + ":" + std::to_string(e.port) + ":" + e.host + ":" +
                          std::to_string(e.port);
      connect_to = curl_slist_append(nullptr, entry.c_str());
    }
    connect_to_.push_back(connect_to);
  }

  for (curl_slist** list : {&headers_, &gzip_headers_}) {
    *list = curl_slist_append(*list, "Content-Type: application/x-ndjson");
    *list = curl_slist_append(*list, "Accept: application/json");
    *list = curl_slist_append(*list, "Expect:");
    if (!o.authorization.empty()) {
      *list = curl_slist_append(*list, ("Authorization: " + o.authorization).c_str());
    }
  }
  gzip_headers_ = curl_slist_append(gzip_headers_, "Content-Encoding: gzip");

  slots_.resize(slots);  // never resized again: handles keep pointers into their slot
  for (Slot& s : slots_) {
    s.easy = curl_easy_init();
    if (s.easy == nullptr) return Status::Internal("libcurl", "curl_easy_init failed");
    CURL* h = s.easy;
    curl_easy_setopt(h, CURLOPT_PRIVATE, &s);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &HttpClient::OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s.error);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);  // multiplex on an HTTP/2 connection if there is one
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // answers may come compressed
    curl_easy_setopt(h, CURLOPT_USERAGENT, "logship");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o.request_timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_ms));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o.tls.verify ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o.tls.verify ? 2L : 0L);
    if (!o.tls.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, o.tls.ca_file.c_str());
    if (!o.tls.cert_file.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, o.tls.cert_file.c_str());
    if (!o.tls.key_file.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, o.tls.key_file.c_str());
    if (!o.tls.key_password.empty()) {
      curl_easy_setopt(h, CURLOPT_KEYPASSWD, o.tls.key_password.c_str());
    }
  }
  return Status::Ok();
}

HttpClient::~HttpClient() {
  for (Slot& s : slots_) {
    if (s.easy == nullptr) continue;
    if (s.busy) curl_multi_remove_handle(multi_, s.easy);
    curl_easy_cleanup(s.easy);
  }
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
  for (curl_slist* l : connect_to_) curl_slist_free_all(l);
  curl_slist_free_all(headers_);
  curl_slist_free_all(gzip_headers_);
}

size_t HttpClient::OnBody(char* data, size_t size, size_t n, void* slot) {
  std::string& body = static_cast<Slot*>(slot)->result.body;
  size_t bytes = size * n;
  if (body.size() + bytes > kMaxResponseBytes) return 0;  // fails the transfer
  // Keep simdjson's padding free after the body, so the parser needs no copy.
  if (body.capacity() < body.size() + bytes + simdjson::SIMDJSON_PADDING) {
    body.reserve(2 * (body.size() + bytes) + simdjson::SIMDJSON_PADDING);
  }
  body.append(data, bytes);
  return bytes;
}

void HttpClient::StartPost(size_t slot, size_t endpoint, std::string_view body, bool gzip) {
  Slot& s = slots_[slot];
  CURL* h = s.easy;
  s.result.code = CURLE_OK;
  s.result.status = 0;
  s.result.error.clear();
  s.result.body.clear();
  s.result.seconds = 0;
  s.error[0] = '\0';
  // The options must stay valid during the transfer: they are the client's own strings.
  curl_easy_setopt(h, CURLOPT_URL, urls_[endpoint].c_str());
  curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to_[endpoint]);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, gzip ? gzip_headers_ : headers_);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  s.busy = true;
  ++in_flight_;
  CURLMcode mc = curl_multi_add_handle(multi_, h);
  if (mc != CURLM_OK) {
    // Reported like a failed transfer at the next Poll, so the caller has one path for it.
    s.result.code = CURLE_FAILED_INIT;
    s.result.error = std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc);
    s.busy = false;
    --in_flight_;
    pending_failures_.push_back(slot);
  }
}

void HttpClient::Poll(int timeout_ms,
                      const std::function<void(size_t slot, HttpResult& result)>& done) {
  int running = 0;
  curl_multi_perform(multi_, &running);
  // Transfers that finished during that perform are reported without waiting: their sockets
  // will see no more activity, so curl_multi_poll would sleep the whole timeout.
  if (Collect(done) > 0) return;
  curl_multi_poll(multi_, nullptr, 0, timeout_ms, nullptr);
  curl_multi_perform(multi_, &running);
  Collect(done);
}

size_t HttpClient::Collect(const std::function<void(size_t slot, HttpResult& result)>& done) {
  size_t n = 0;
  std::vector<size_t> failures;
  failures.swap(pending_failures_);
  for (size_t slot : failures) {
    done(slot, slots_[slot].result);
    ++n;
  }
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* h = msg->easy_handle;
    Slot* s = nullptr;
    curl_easy_getinfo(h, CURLINFO_PRIVATE, reinterpret_cast<char**>(&s));
    HttpResult& r = s->result;
    r.code = msg->data.result;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &r.seconds);
    if (r.code != CURLE_OK) {
      r.status = 0;  // a partial answer is no answer
      r.error = curl_easy_strerror(r.code);
      if (s->error[0] != '\0' && r.error != s->error) r.error += std::string(": ") + s->error;
    }
    curl_multi_remove_handle(multi_, h);
    s->busy = false;
    --in_flight_;
    done(static_cast<size_t>(s - slots_.data()), r);
    ++n;
  }
  return n;
}

void HttpClient::Abort(size_t slot) {
  Slot& s = slots_[slot];
  if (!s.busy) return;
  curl_multi_remove_handle(multi_, s.easy);
  s.busy = false;
  --in_flight_;
}

void HttpClient::Wakeup() { curl_multi_wakeup(multi_); }

}  // namespace logship
