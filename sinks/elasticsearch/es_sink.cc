// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/es_sink.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sinks/elasticsearch/bulk_encoder.h"
#include "sinks/elasticsearch/bulk_request.h"
#include "sinks/elasticsearch/bulk_response.h"
#include "sinks/elasticsearch/endpoint_set.h"
#include "sinks/elasticsearch/http_client.h"
#include "sinks/elasticsearch/request_compressor.h"
#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/base/log_limiter.h"
#include "src/base/status_macros.h"
#include "src/pipeline/backoff.h"
#include "src/pipeline/dead_letter.h"
#include "src/pipeline/sink_worker.h"

namespace logship {
namespace {

// Batches waiting between Submit and the sink's thread. Small: the thread encodes a batch into
// request bodies as soon as a request slot is free, so more queueing only holds memory.
constexpr size_t kQueueBatches = 4;
// A request's buffers are kept for reuse up to this size; beyond it they are freed after use, so
// one burst of huge events does not pin its memory.
constexpr size_t kMaxRetainedBodyBytes = 16u << 20;
// The thread looks at its timers at least this often.
constexpr int64_t kMaxPollNanos = 1'000'000'000;
// Elasticsearch answers only these fields (Beats ask for the same): the per-item `_index`,
// `_id`, `_version`, `result` and `_shards` would be most of a large answer.
constexpr std::string_view kFilterPath = "filter_path=errors,items.*.error,items.*.status";

// Threads: Submit and Stop run on the pipeline's threads; everything else on the sink's own
// thread, which alone touches the requests, the ack groups, the encoder and the HTTP client.
class ElasticsearchSink final : public Sink {
 public:
  ElasticsearchSink(EsSinkOptions options, std::string name, size_t sink_index, Clock& clock,
                    SinkStats stats, Counter* duplicates)
      : options_(std::move(options)),
        name_(std::move(name)),
        sink_index_(sink_index),
        clock_(clock),
        stats_(stats),
        duplicates_(duplicates),
        encoder_(options_),
        dead_letters_(name_, options_.dead_letter, clock, PosixFileSystem()),
        endpoints_(options_.urls.size(), options_.retry_initial_backoff.nanos,
                   options_.retry_max_backoff.nanos),
        backoff_(options_.retry_initial_backoff.nanos, options_.retry_max_backoff.nanos),
        // No gauge: Intake samples the queue's length into it instead (see there).
        worker_(kQueueBatches, clock, nullptr) {
    for (const EsEndpoint& e : options_.urls) urls_.push_back(e.url + "/_bulk");
  }

  ~ElasticsearchSink() override {
    // The runtime always calls Stop first; this only keeps a forgotten Stop from aborting.
    if (worker_.running()) (void)Stop(std::numeric_limits<int64_t>::min());
  }

  Status Start() override;
  void Submit(BatchPtr batch, AckHandle ack) override;
  bool WritesJsonDocuments() const override { return true; }

  Status Stop(int64_t deadline_ns) override;

 private:
  // The documents of one submitted batch still in flight. `pending` counts them, plus one while
  // the batch is being encoded, so a batch is never acknowledged half-encoded.
  struct AckGroup {
    AckHandle ack;
    uint32_t pending = 0;
    bool rejected = false;  // some of its events went to the dead-letter spool
  };
  using RequestPtr = std::unique_ptr<BulkRequest>;

  void Run();
  bool Idle() const;
  int WaitMillis(int64_t now, bool stopping, int64_t deadline) const;
  // Room for one more sealed request: fewer than `concurrency` waiting or in flight.
  bool HaveRoom() const {
    size_t compressing = compressor_ != nullptr ? compressor_->pending() : 0;
    return waiting_.size() + compressing + client_->in_flight() < in_flight_.size();
  }

  // Encoding: batches into request bodies.
  void Intake(int64_t now, bool stopping);
  bool TakeNextBatch();
  bool EncodeCurrent(int64_t now);
  void Seal();
  // A request with a new body: to the compressor first when compression is on, else waiting.
  void Enqueue(RequestPtr request);
  void RejectUnencodable(const Batch& batch, const Event& event);

  // Sending and answers.
  void StartTransfers(int64_t now);
  void Send(size_t slot, RequestPtr request, int64_t now);
  void Finished(size_t slot, HttpResult& result);
  void HandleItems(RequestPtr request, HttpResult& result, int64_t now);
  void Split(RequestPtr request, const HttpResult& result, int64_t now);
  void Retry(RequestPtr request, int64_t now, const std::string& reason, bool endpoint_failed);

  // Acknowledgement.
  uint32_t NewGroup(AckHandle ack);
  void FinishDoc(uint32_t group, bool rejected);
  void DeadLetter(std::string_view event_json, std::string_view reason, int status);
  void CommitDeadLetters(int64_t now);
  void AbandonAll();

  RequestPtr NewRequest();
  void ReleaseRequest(RequestPtr request);
  int64_t UnixNow() { return clock_.NowUnixNanos(); }

  const EsSinkOptions options_;
  const std::string name_;
  const size_t sink_index_;  // this sink's routes in each batch
  Clock& clock_;
  const SinkStats stats_;
  Counter* const duplicates_;
  std::vector<std::string> urls_;  // per endpoint: the bulk URL as configured, for messages

  // Sink-thread state.
  BulkEncoder encoder_;
  BulkResponse response_;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<RequestCompressor> compressor_;  // with compression: gzip; after client_, so
                                                   // it stops before the client it wakes goes
  DeadLetterSpool dead_letters_;
  EndpointSet endpoints_;
  Backoff backoff_;
  LogLimiter log_;
  QueuedBatch current_;  // the batch being encoded
  size_t cursor_ = 0;    // its next event
  uint32_t current_group_ = 0;
  std::vector<QueuedBatch> popped_;
  RequestPtr open_;  // the request being filled
  int64_t open_since_ns_ = 0;
  std::vector<RequestPtr> waiting_;    // sealed, not in flight (new, or waiting for a retry)
  std::vector<RequestPtr> in_flight_;  // per HTTP client slot
  std::vector<RequestPtr> spare_;
  std::vector<AckGroup> groups_;
  std::vector<uint32_t> free_groups_;
  std::vector<uint32_t> awaiting_commit_;  // complete groups whose dead letters are not durable
  int64_t commit_retry_ns_ = 0;
  int commit_attempt_ = 0;
  OutputBuffer scratch_;
  size_t undelivered_batches_ = 0;  // read by Stop after join

  SinkWorker worker_;
};

Status ElasticsearchSink::Start() {
  // libcurl would only say "problem with the local client certificate" at the first request.
  const std::pair<const char*, const std::string*> files[] = {
      {"tls.ca_file", &options_.tls.ca_file},
      {"tls.cert_file", &options_.tls.cert_file},
      {"tls.key_file", &options_.tls.key_file}};
  for (const auto& [option, path] : files) {
    if (path->empty()) continue;
    int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
    // The pipeline prefixes the sink's name to what Start returns.
    if (fd < 0) return Status::FromErrno(*path, errno).WithContext(option);
    ::close(fd);
  }
  LOGSHIP_RETURN_IF_ERROR(dead_letters_.Open());

  HttpClientOptions http;
  http.endpoints = options_.urls;
  http.path_and_query = "/_bulk?" + std::string(kFilterPath);
  if (!options_.pipeline.empty()) http.path_and_query += "&pipeline=" + options_.pipeline;
  http.tls = options_.tls;
  http.authorization = AuthorizationHeader(options_.auth);
  http.request_timeout_ms = options_.request_timeout.millis();
  http.connect_timeout_ms = options_.connect_timeout.millis();
  size_t slots = static_cast<size_t>(options_.concurrency);
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(std::move(http), slots);
  if (!client.ok()) return client.status();
  client_ = std::move(client).value();
  in_flight_.resize(slots);
  if (options_.compression == EsCompression::kGzip) {
    compressor_ = std::make_unique<RequestCompressor>(options_.compression_level,
                                                      [this] { client_->Wakeup(); });
  }

  spdlog::info("{}: elasticsearch {}", name_, Describe(options_));
  bool https = false, http_only = false;
  for (const EsEndpoint& e : options_.urls) (e.https() ? https : http_only) = true;
  if (https && !options_.tls.verify) {
    spdlog::warn(
        "{}: tls.verify is false: server certificates are NOT checked, so anyone on the network "
        "path can read and change the events and the credentials",
        name_);
  }
  if (http_only && options_.auth.kind != EsAuthKind::kNone) {
    spdlog::warn("{}: credentials are sent in clear text to the http:// URLs", name_);
  }
  // The thread sleeps in the client's poll, which Stop must interrupt.
  worker_.Start([this] { Run(); }, [this] { client_->Wakeup(); });
  return Status::Ok();
}

void ElasticsearchSink::Submit(BatchPtr batch, AckHandle ack) {
  if (!worker_.Submit(std::move(batch), ack)) {
    spdlog::warn("{}: batch submitted after stop, not sent", name_);
    return;
  }
  client_->Wakeup();
}

Status ElasticsearchSink::Stop(int64_t deadline_ns) {
  size_t undelivered = worker_.Stop(deadline_ns) + undelivered_batches_;
  undelivered_batches_ = 0;
  if (undelivered > 0) {
    return Status::Unavailable("elasticsearch",
                               std::to_string(undelivered) +
                                   " batches not delivered by the stop deadline; they "
                                   "stay unacknowledged and are read again next run");
  }
  return Status::Ok();
}

void ElasticsearchSink::Run() {
  while (true) {
    int64_t now = clock_.MonotonicNanos();
    SinkWorker::StopRequest stop = worker_.stop_request();
    bool stopping = stop.requested;
    int64_t deadline = stop.deadline_ns;
    if (stopping && now >= deadline) break;
    if (compressor_ != nullptr) compressor_->TakeReady(&waiting_);
    Intake(now, stopping);
    CommitDeadLetters(now);
    StartTransfers(now);
    if (stopping && Idle()) break;
    client_->Poll(WaitMillis(now, stopping, deadline),
                  [this](size_t slot, HttpResult& result) { Finished(slot, result); });
  }
  AbandonAll();
}

bool ElasticsearchSink::Idle() const {
  return current_.batch == nullptr && (open_ == nullptr || open_->docs.empty()) &&
         waiting_.empty() && client_->in_flight() == 0 && awaiting_commit_.empty() &&
         worker_.queued() == 0 && (compressor_ == nullptr || compressor_->pending() == 0);
}

int ElasticsearchSink::WaitMillis(int64_t now, bool stopping, int64_t deadline) const {
  int64_t wake = now + kMaxPollNanos;
  if (open_ != nullptr && !open_->docs.empty()) {
    wake = std::min(wake, open_since_ns_ + options_.batch_timeout.nanos);
  }
  if (client_->in_flight() < in_flight_.size()) {
    for (const RequestPtr& r : waiting_) wake = std::min(wake, r->not_before_ns);
  }
  if (!awaiting_commit_.empty()) wake = std::min(wake, commit_retry_ns_);
  if (stopping) wake = std::min(wake, deadline);
  if (wake <= now) return 0;
  return static_cast<int>((wake - now + 999'999) / 1'000'000);
}

// ---- Encoding -------------------------------------------------------------------------------

void ElasticsearchSink::Intake(int64_t now, bool stopping) {
  while (current_.batch != nullptr || TakeNextBatch()) {
    if (!EncodeCurrent(now)) break;
  }
  if (open_ != nullptr && !open_->docs.empty() &&
      (now - open_since_ns_ >= options_.batch_timeout.nanos ||
       (stopping && current_.batch == nullptr && worker_.queued() == 0))) {
    Seal();
  }
  // The queue's length, sampled once per turn: unlike the spool and Kafka gauges, a Submit blocked
  // on the full queue is not counted (EsSinkTest.BackPressureBoundsWhatTheSinkHolds reads it).
  stats_.queue_batches->Set(static_cast<int64_t>(worker_.queued()));
}

bool ElasticsearchSink::TakeNextBatch() {
  if (!HaveRoom()) return false;
  popped_.clear();
  if (worker_.Pop(&popped_, 1, 0) == 0) return false;
  current_ = std::move(popped_[0]);
  popped_.clear();
  cursor_ = 0;
  current_group_ = NewGroup(current_.ack);
  return true;
}

// Encodes the current batch's events into open requests, sealing each when full. Returns false
// when it stopped for want of room for another request (the rest waits: back-pressure), true
// when the batch is done; the batch is then released to its pool, its bytes live in the bodies.
bool ElasticsearchSink::EncodeCurrent(int64_t now) {
  const Batch& batch = *current_.batch;
  const std::vector<Event>& events = batch.events();
  const size_t max_bytes = options_.batch_max_bytes.bytes;
  const size_t max_events = static_cast<size_t>(options_.batch_max_events);
  while (cursor_ < events.size()) {
    if (!batch.RoutedTo(sink_index_, cursor_)) {
      ++cursor_;
      continue;
    }
    if (open_ == nullptr) {
      if (!HaveRoom()) return false;
      open_ = NewRequest();
      open_since_ns_ = now;
    }
    BulkRequest& request = *open_;
    size_t begin = request.body.size();
    BulkEncoder::Encoded encoded = encoder_.Append(batch, events[cursor_], request.body);
    if (encoded == BulkEncoder::Encoded::kNoIndex) {
      RejectUnencodable(batch, events[cursor_]);
      ++cursor_;
      continue;
    }
    if (request.body.size() > max_bytes && !request.docs.empty()) {
      // It does not fit: the request goes as it is, and this event opens the next one.
      request.body.Truncate(begin);
      Seal();
      continue;
    }
    const char* action_end = static_cast<const char*>(
        std::memchr(request.body.data() + begin, '\n', request.body.size() - begin));
    BulkDoc doc;
    doc.begin = begin;
    doc.source = static_cast<size_t>(action_end - request.body.data()) + 1;
    doc.end = request.body.size();
    doc.group = current_group_;
    doc.deterministic = encoded == BulkEncoder::Encoded::kWithId;
    request.docs.push_back(doc);
    ++groups_[current_group_].pending;
    ++cursor_;
    if (request.docs.size() >= max_events || request.body.size() >= max_bytes) Seal();
  }
  current_ = QueuedBatch{};
  FinishDoc(current_group_, false);  // the encoding token
  return true;
}

void ElasticsearchSink::Seal() {
  open_->not_before_ns = 0;
  Enqueue(std::move(open_));
}

void ElasticsearchSink::Enqueue(RequestPtr request) {
  if (compressor_ != nullptr) {
    compressor_->Add(std::move(request));
  } else {
    waiting_.push_back(std::move(request));
  }
}

void ElasticsearchSink::RejectUnencodable(const Batch& batch, const Event& event) {
  scratch_.clear();
  encoder_.WriteSource(batch, event, scratch_);
  DeadLetter(scratch_.view(),
             "index '" + encoder_.pattern() + "': a field it names is not set in this event", 0);
  groups_[current_group_].rejected = true;
  stats_.dead_letters->Add(1);
}

// ---- Sending ----------------------------------------------------------------------------------

void ElasticsearchSink::StartTransfers(int64_t now) {
  for (size_t slot = 0; slot < in_flight_.size() && !waiting_.empty(); ++slot) {
    if (in_flight_[slot] != nullptr) continue;
    auto it = std::find_if(waiting_.begin(), waiting_.end(),
                           [now](const RequestPtr& r) { return r->not_before_ns <= now; });
    if (it == waiting_.end()) return;
    RequestPtr request = std::move(*it);
    waiting_.erase(it);
    Send(slot, std::move(request), now);
  }
}

void ElasticsearchSink::Send(size_t slot, RequestPtr request, int64_t now) {
  request->endpoint =
      endpoints_.Pick(now, request->attempt > 0 ? request->endpoint : static_cast<size_t>(-1));
  // wire_ready: compressed by compressor_ (a body zlib could not compress goes as it is).
  bool gzip = request->wire_ready;
  std::string_view wire = gzip ? request->wire.view() : request->body.view();
  client_->StartPost(slot, request->endpoint, wire, gzip);
  in_flight_[slot] = std::move(request);
}

void ElasticsearchSink::Finished(size_t slot, HttpResult& result) {
  RequestPtr request = std::move(in_flight_[slot]);
  int64_t now = clock_.MonotonicNanos();
  size_t e = request->endpoint;
  const std::string& url = urls_[e];
  if (result.status == 0) {
    endpoints_.Failed(e, now);
    Retry(std::move(request), now, "POST " + url + ": " + result.error, true);
    return;
  }
  std::string status = "HTTP " + std::to_string(result.status);
  switch (ClassifyRequest(result.status)) {
    case RequestOutcome::kItems:
      endpoints_.Answered(e);
      HandleItems(std::move(request), result, now);
      return;
    case RequestOutcome::kSplit:
      endpoints_.Answered(e);
      Split(std::move(request), result, now);
      return;
    case RequestOutcome::kAuth:
      endpoints_.Answered(e);
      Retry(std::move(request), now,
            "POST " + url + ": " + status + ", " +
                (result.status == 401 ? "authentication failed" : "not authorized") + " (" +
                ErrorSummary(result.body) + "): check the sink's auth options",
            false);
      return;
    case RequestOutcome::kRetry:
    case RequestOutcome::kUnexpected: {
      // 5xx and 408 say this node (or the proxy before it) is in trouble; 429 is the cluster
      // asking everybody to slow down, another node would not do better.
      bool node_trouble = result.status >= 500 || result.status == 408;
      if (node_trouble) endpoints_.Failed(e, now);
      Retry(std::move(request), now,
            "POST " + url + ": " + status + " (" + ErrorSummary(result.body) + ")", node_trouble);
      return;
    }
  }
}

void ElasticsearchSink::Retry(RequestPtr request, int64_t now, const std::string& reason,
                              bool endpoint_failed) {
  ++request->attempt;
  stats_.retries->Add(1);
  int64_t delay = endpoint_failed && endpoints_.OtherUsable(now, request->endpoint)
                      ? 0
                      : backoff_.DelayNanos(request->attempt);
  request->not_before_ns = now + delay;
  if (stats_.health != nullptr) stats_.health->Failing(name_ + ": " + reason, UnixNow());
  log_.Error(name_ + ": " + reason + "; retrying with backoff, nothing is dropped", now);
  waiting_.push_back(std::move(request));
}

void ElasticsearchSink::HandleItems(RequestPtr request, HttpResult& result, int64_t now) {
  const std::vector<BulkDoc>& docs = request->docs;
  Status parsed = response_.Parse(result.body, result.body.capacity(), docs.size());
  if (!parsed.ok()) {
    // Which documents were indexed is unknown: sending all again loses nothing.
    std::string reason = "POST " + urls_[request->endpoint] +
                         ": unreadable answer: " + std::string(parsed.message());
    Retry(std::move(request), now, reason, false);
    return;
  }
  if (stats_.health != nullptr) stats_.health->Delivered(UnixNow());
  if (!response_.errors()) {
    stats_.events_out->Add(docs.size());
    for (const BulkDoc& doc : docs) FinishDoc(doc.group, false);
    ReleaseRequest(std::move(request));
    return;
  }
  const std::vector<BulkResponse::Item>& items = response_.items();
  RequestPtr again;
  uint64_t delivered = 0, duplicates = 0, rejected = 0;
  int most_attempts = 0;
  std::string retry_reason;
  const int max_attempts = options_.retry_max_item_attempts;
  for (size_t i = 0; i < docs.size(); ++i) {
    const BulkDoc& doc = docs[i];
    const BulkResponse::Item& item = items[i];
    switch (ClassifyItem(item.status, doc.deterministic)) {
      case ItemOutcome::kIndexed:
        ++delivered;
        FinishDoc(doc.group, false);
        break;
      case ItemOutcome::kDuplicate:
        ++delivered;
        ++duplicates;
        FinishDoc(doc.group, false);
        break;
      case ItemOutcome::kRetry:
        if (max_attempts > 0 && doc.attempts + 1 >= max_attempts) {
          DeadLetter(request->Source(doc),
                     "not indexed after " + std::to_string(doc.attempts + 1) +
                         " attempts (retry.max_item_attempts): " + BulkResponse::Reason(item),
                     item.status);
          ++rejected;
          FinishDoc(doc.group, true);
          break;
        }
        if (again == nullptr) again = NewRequest();
        again->CopyDoc(*request, doc);
        ++again->docs.back().attempts;
        most_attempts = std::max<int>(most_attempts, again->docs.back().attempts);
        if (retry_reason.empty()) retry_reason = BulkResponse::Reason(item);
        break;
      case ItemOutcome::kReject:
        DeadLetter(request->Source(doc), BulkResponse::Reason(item), item.status);
        ++rejected;
        FinishDoc(doc.group, true);
        break;
    }
  }
  if (delivered > 0) stats_.events_out->Add(delivered);
  if (duplicates > 0 && duplicates_ != nullptr) duplicates_->Add(duplicates);
  if (rejected > 0) stats_.dead_letters->Add(rejected);
  if (again != nullptr) {
    again->not_before_ns = now + backoff_.DelayNanos(most_attempts);
    stats_.retries->Add(1);
    log_.Warn(name_ + ": POST " + urls_[request->endpoint] + ": documents not indexed (" +
                  retry_reason + "); sending only those again with backoff",
              now);
    Enqueue(std::move(again));
  }
  ReleaseRequest(std::move(request));
}

void ElasticsearchSink::Split(RequestPtr request, const HttpResult& result, int64_t now) {
  std::string why = "POST " + urls_[request->endpoint] + ": HTTP " + std::to_string(result.status) +
                    " (" + ErrorSummary(result.body) + ")";
  std::vector<BulkDoc>& docs = request->docs;
  if (docs.size() == 1) {
    if (result.status == 400 && !IsElasticsearchError(result.body)) {
      // Not the cluster's verdict on this document (a proxy's page, say): never dead-letter on it.
      Retry(std::move(request), now, why + ", not an Elasticsearch answer", false);
      return;
    }
    DeadLetter(request->Source(docs[0]),
               "HTTP " + std::to_string(result.status) + " for this document alone (" +
                   ErrorSummary(result.body) + ")",
               static_cast<int>(result.status));
    stats_.dead_letters->Add(1);
    FinishDoc(docs[0].group, true);
    ReleaseRequest(std::move(request));
    return;
  }
  log_.Warn(name_ + ": " + why + " for " + std::to_string(docs.size()) +
                " documents: sending them again in two halves (lower batch.max_bytes if this "
                "repeats)",
            now);
  stats_.retries->Add(1);
  size_t half = docs.size() / 2;
  RequestPtr first = NewRequest();
  RequestPtr second = NewRequest();
  for (size_t i = 0; i < docs.size(); ++i) (i < half ? first : second)->CopyDoc(*request, docs[i]);
  Enqueue(std::move(first));
  Enqueue(std::move(second));
  ReleaseRequest(std::move(request));
}

// ---- Acknowledgement ----------------------------------------------------------------------------

uint32_t ElasticsearchSink::NewGroup(AckHandle ack) {
  uint32_t g;
  if (!free_groups_.empty()) {
    g = free_groups_.back();
    free_groups_.pop_back();
  } else {
    g = static_cast<uint32_t>(groups_.size());
    groups_.emplace_back();
  }
  groups_[g] = AckGroup{ack, 1, false};
  return g;
}

void ElasticsearchSink::FinishDoc(uint32_t g, bool rejected) {
  AckGroup& group = groups_[g];
  group.rejected = group.rejected || rejected;
  LOGSHIP_CHECK(group.pending > 0) << name_ << ": ack group " << g << " finished twice";
  if (--group.pending > 0) return;
  if (group.rejected) {
    // Acknowledged once its dead letters are durable (CommitDeadLetters).
    awaiting_commit_.push_back(g);
    return;
  }
  group.ack.Done(AckStatus::kDelivered);
  group.ack = AckHandle();
  free_groups_.push_back(g);
}

void ElasticsearchSink::DeadLetter(std::string_view event_json, std::string_view reason,
                                   int status) {
  dead_letters_.Add(event_json, reason, status);
}

void ElasticsearchSink::CommitDeadLetters(int64_t now) {
  if (awaiting_commit_.empty() || now < commit_retry_ns_) return;
  Status st = dead_letters_.Commit();
  if (!st.ok()) {
    ++commit_attempt_;
    commit_retry_ns_ = now + backoff_.DelayNanos(commit_attempt_);
    if (stats_.health != nullptr) stats_.health->Failing(std::string(st.message()), UnixNow());
    log_.Error(std::string(st.message()) + "; retrying, the batches wait unacknowledged", now);
    return;
  }
  commit_attempt_ = 0;
  for (uint32_t g : awaiting_commit_) {
    groups_[g].ack.Done(AckStatus::kRejected);
    groups_[g].ack = AckHandle();
    free_groups_.push_back(g);
  }
  awaiting_commit_.clear();
}

// Called at the stop deadline: what is not delivered by now stays unacknowledged.
void ElasticsearchSink::AbandonAll() {
  compressor_.reset();
  for (size_t slot = 0; slot < in_flight_.size(); ++slot) {
    if (in_flight_[slot] == nullptr) continue;
    client_->Abort(slot);
    in_flight_[slot].reset();
  }
  commit_retry_ns_ = 0;
  CommitDeadLetters(clock_.MonotonicNanos());
  waiting_.clear();
  open_.reset();
  current_ = QueuedBatch{};
  undelivered_batches_ = groups_.size() - free_groups_.size();
  groups_.clear();
  free_groups_.clear();
  awaiting_commit_.clear();
}

ElasticsearchSink::RequestPtr ElasticsearchSink::NewRequest() {
  if (spare_.empty()) return std::make_unique<BulkRequest>();
  RequestPtr r = std::move(spare_.back());
  spare_.pop_back();
  return r;
}

void ElasticsearchSink::ReleaseRequest(RequestPtr request) {
  request->Reset();
  request->body.ShrinkTo(kMaxRetainedBodyBytes);
  request->wire.ShrinkTo(kMaxRetainedBodyBytes);
  if (spare_.size() < in_flight_.size() + 2) spare_.push_back(std::move(request));
}

}  // namespace

Result<std::unique_ptr<Sink>> MakeElasticsearchSink(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN(EsSinkOptions options, ParseEsSinkOptions(node, ctx));
  return MakeElasticsearchSinkWithOptions(std::move(options), ctx);
}

std::unique_ptr<Sink> MakeElasticsearchSinkWithOptions(EsSinkOptions options, PluginContext& ctx) {
  Clock& clock = ctx.clock != nullptr ? *ctx.clock : RealClock();
  SinkStats stats = ctx.sink_stats != nullptr ? *ctx.sink_stats : NullSinkStats();
  Counter* duplicates = nullptr;
  if (ctx.metrics != nullptr) {
    duplicates = &ctx.metrics->GetCounter(
        "logship_es_duplicates_avoided_total",
        "Documents Elasticsearch already held (409 on create with a deterministic _id): a "
        "replay after a restart that was not indexed twice.",
        {{"pipeline", ctx.pipeline}, {"sink", ctx.component}});
  }
  return std::make_unique<ElasticsearchSink>(std::move(options), ctx.component,
                                             static_cast<size_t>(std::max(ctx.sink_index, 0)),
                                             clock, stats, duplicates);
}

}  // namespace logship
