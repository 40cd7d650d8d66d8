// SPDX-License-Identifier: Apache-2.0
// The elasticsearch sink in this process, against tests/tools/es_bulk_server.py over HTTPS: what
// is acknowledged when, what is sent again, what is dead-lettered, and what the server received.
#include "sinks/elasticsearch/es_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/config/config_node.h"
#include "src/event/batch_pool.h"
#include "src/metrics/metrics_registry.h"
#include "src/metrics/sink_stats.h"
#include "src/pipeline/ack_tracker.h"
#include "tests/testing/alloc/allocation_counter.h"
#include "tests/testing/es_bulk_server.h"
#include "tests/testing/es_test_certs.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using ::logship::testing::EsBulkServer;
using ::logship::testing::EsRequestRecord;
using ::logship::testing::EsServerOptions;
using ::logship::testing::EsTestCerts;
using ::logship::testing::ReadFileOrEmpty;
using ::logship::testing::TempDir;
using ::logship::testing::WaitUntil;
using ::testing::HasSubstr;

constexpr uint64_t kFileKey = 0x1234'5678'9abc'def0ULL;

// Every line of every file in a spool directory (the dead-letter spool).
std::vector<std::string> SpoolLines(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".ndjson") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> lines;
  for (const std::string& f : files) {
    std::string text = ReadFileOrEmpty(f);
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      lines.push_back(text.substr(start, nl - start));
    }
  }
  return lines;
}

EsServerOptions ClientCertificatesRequired() {
  EsServerOptions o;
  o.client_auth = true;
  return o;
}
EsServerOptions Accepting(const std::string& credentials) {
  EsServerOptions o;
  o.auth = {credentials};
  return o;
}

class EsSinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_dir_ = new TempDir();
    certs_ = new EsTestCerts(testing::MakeEsTestCerts(certs_dir_->path()));
  }
  static void TearDownTestSuite() {
    delete certs_;
    delete certs_dir_;
  }

  EsSinkTest() {
    ctx_.pipeline = "app";
    ctx_.component = "pipelines.app.sinks[0]";
    ctx_.base_dir = tmp_.path();
    ctx_.data_dir = tmp_.Sub("data");
    ctx_.sink_index = 0;
    ctx_.errors = &errors_;
    ctx_.claims = &claims_;
    ctx_.metrics = &metrics_;
    ctx_.sink_stats = &stats_;
  }
  ~EsSinkTest() override {
    if (sink_ != nullptr) (void)sink_->Stop(RealClock().MonotonicNanos() + 1'000'000'000);
    sink_.reset();
  }

  void StartServer(EsServerOptions options = {}) {
    server_ = std::make_unique<EsBulkServer>(tmp_.Sub("server"), certs_, options);
    ASSERT_TRUE(server_->started());
  }

  // Builds and starts the sink from `extra` (YAML lines) plus defaults for the options `extra`
  // does not set. `tls` replaces the default "{ca_file: <the test CA>}".
  void StartSink(const std::string& extra = "", const std::string& urls = "",
                 const std::string& tls = "") {
    std::string yaml =
        "type: elasticsearch\nurls: [" + (urls.empty() ? "\"" + server_->url() + "\"" : urls) +
        "]\ntls: " + (tls.empty() ? "{ca_file: \"" + certs_->ca_cert + "\"}" : tls) + "\n" + extra;
    const std::pair<const char*, const char*> defaults[] = {
        {"batch", "{max_events: 50, timeout: 20ms}"},
        {"retry", "{initial_backoff: 10ms, max_backoff: 100ms}"},
        {"dead_letter", "{path: dlq}"}};
    for (const auto& [key, value] : defaults) {
      if (("\n" + extra).find("\n" + std::string(key) + ":") == std::string::npos) {
        yaml += std::string(key) + ": " + value + "\n";
      }
    }
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "pipeline.yaml");
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    Result<EsSinkOptions> options = ParseEsSinkOptions(*node, ctx_);
    ASSERT_TRUE(options.ok()) << errors_.ToString();
    sink_ = MakeElasticsearchSinkWithOptions(*options, ctx_);
    Status st = sink_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // Submits a batch of events "event <first>" ... with field n, read from one file (kFileKey)
  // at offsets 100 * i, so `id: offset` names each the same way every time.
  struct Submission {
    BatchPtr batch;
    AckHandle ack;
  };
  // A batch of events "event <first>" ... with field n, read from one file (kFileKey) at offsets
  // 100 * i, so `id: offset` names each the same way every time; registered with the tracker.
  Submission MakeBatch(int first, int n, size_t padding = 0) {
    MutableBatch b = pool_.Acquire(60'000);
    EXPECT_NE(b, nullptr);
    b->sources().push_back(BatchSource{1, "/var/log/app.log", 0, kFileKey});
    for (int i = first; i < first + n; ++i) {
      Event& e = b->AddEvent();
      e.message = b->arena().Copy("event " + std::to_string(i) + std::string(padding, '.'));
      e.timestamp_ns = 1'795'552'446'123'000'000;
      e.offset = static_cast<uint64_t>(i) * 100;
      e.source = 0;
      b->AddField(e, "n", Value::Int(i));
    }
    b->sources()[0].end_offset = static_cast<uint64_t>(first + n) * 100;
    uint64_t seq = tracker_.Register(b->sources());
    b->ack_tracker = &tracker_;
    b->sequence = seq;
    return Submission{BatchPool::Freeze(std::move(b)), AckHandle(&tracker_, seq)};
  }
  void Submit(int first, int n, size_t padding = 0) {
    Submission s = MakeBatch(first, n, padding);
    sink_->Submit(std::move(s.batch), s.ack);
  }

  bool WaitAllAcked() {
    return WaitUntil([this] { return tracker_.in_flight() == 0; });
  }

  // How many times each message was stored.
  std::map<std::string, int> StoredMessages() {
    std::map<std::string, int> count;
    for (const auto& d : server_->Docs()) ++count[d.message];
    return count;
  }
  static std::map<std::string, int> Expected(int first, int n) {
    std::map<std::string, int> m;
    for (int i = first; i < first + n; ++i) m["event " + std::to_string(i)] = 1;
    return m;
  }
  static std::set<std::string> Messages(const EsRequestRecord& r) {
    std::set<std::string> s;
    for (const auto& item : r.items) s.insert(item.message);
    return s;
  }

  inline static TempDir* certs_dir_ = nullptr;
  inline static EsTestCerts* certs_ = nullptr;
  TempDir tmp_;
  ConfigErrors errors_;
  ResourceClaims claims_;
  MetricsRegistry metrics_;
  SinkHealth health_;
  SinkStats stats_ = MakeSinkStats(metrics_, "app", "pipelines.app.sinks[0]", &health_);
  PluginContext ctx_;
  std::unique_ptr<EsBulkServer> server_;
  // Declared before the sink, so every batch is back before the pool goes.
  BatchPool pool_{64};
  AckTracker tracker_{1};
  std::unique_ptr<Sink> sink_;
};

TEST_F(EsSinkTest, DeliversEveryEventOnceAndAcknowledgesAfterIndexing) {
  StartServer();
  StartSink("index: \"logs-app-%Y.%m.%d\"\n");
  for (int b = 0; b < 10; ++b) Submit(b * 100, 100);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 1000));
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  EXPECT_EQ(stats_.events_out->value(), 1000u);
  EXPECT_TRUE(health_.ok());
  for (const auto& d : server_->Docs()) {
    EXPECT_EQ(d.index, "logs-app-2026.11.24");
    EXPECT_EQ(d.op, "index");
  }
  std::vector<EsRequestRecord> requests = server_->Requests();
  ASSERT_FALSE(requests.empty());
  for (const EsRequestRecord& r : requests) {
    EXPECT_EQ(r.status, 200);
    EXPECT_LE(r.items.size(), 50u);  // batch.max_events
    EXPECT_EQ(r.content_type, "application/x-ndjson");
    EXPECT_EQ(r.content_encoding, "");
    EXPECT_THAT(r.path, HasSubstr("/_bulk?filter_path=errors,items.*.error,items.*.status"));
  }
}

TEST_F(EsSinkTest, ConnectionsAreKeptAlive) {
  StartServer();
  StartSink("index: logs\nconcurrency: 2\n");
  for (int b = 0; b < 10; ++b) Submit(b * 50, 50);
  ASSERT_TRUE(WaitAllAcked());
  std::vector<EsRequestRecord> requests = server_->Requests();
  EXPECT_EQ(requests.size(), 10u);
  std::set<int> connections;
  for (const auto& r : requests) connections.insert(r.client_port);
  EXPECT_LE(connections.size(), 2u);  // one TLS connection per request slot, reused
}

TEST_F(EsSinkTest, EventsMissingAFieldOfTheIndexTemplateAreDeadLettered) {
  StartServer();
  StartSink("index: \"logs-{{service}}\"\n");
  Submit(0, 3);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 1u);
  EXPECT_EQ(server_->CountDocs(), 0u);
  std::vector<std::string> letters = SpoolLines(tmp_.Sub("dlq"));
  ASSERT_EQ(letters.size(), 3u);
  EXPECT_THAT(letters[0],
              HasSubstr("\"reason\":\"index 'logs-{{service}}': a field it names is not set"));
  EXPECT_EQ(stats_.dead_letters->value(), 3u);
}

// Encoding, bookkeeping and answers allocate per request at most, never per event. (libcurl and
// OpenSSL allocate with malloc, which is not counted: this is about logship's own code.)
TEST_F(EsSinkTest, AllocatesNothingPerEventInSteadyState) {
  if (!::logship::testing::AllocationCountingAvailable()) {
    GTEST_SKIP() << "allocations are not counted in this build";
  }
  StartServer();
  StartSink(
      "index: \"logs-%Y.%m.%d\"\nid: offset\ncompression: gzip\n"
      "batch: {max_events: 500, timeout: 10ms}\n");
  for (int b = 0; b < 4; ++b) {  // warm up: buffers grow to their steady size
    Submit(b * 500, 500);
    ASSERT_TRUE(WaitAllAcked());
  }
  std::vector<Submission> batches;
  for (int b = 4; b < 14; ++b) batches.push_back(MakeBatch(b * 500, 500));  // built before counting
  ::logship::testing::StartCountingAllocations();
  for (Submission& s : batches) sink_->Submit(std::move(s.batch), s.ack);
  ASSERT_TRUE(WaitAllAcked());
  uint64_t allocations = ::logship::testing::StopCountingAllocations();
  EXPECT_LT(allocations, 500u) << "5000 events shipped with " << allocations << " allocations";
  EXPECT_EQ(server_->CountDocs(), 7000u);
}

TEST_F(EsSinkTest, OnlyItemsAnswered429Or500AreSentAgain) {
  StartServer();
  server_->SetControl(
      R"({"item_errors": [{"status": 429, "count": 3}, {"status": 500, "count": 2}]})");
  StartSink("index: logs\n");
  Submit(0, 20);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 20));
  std::vector<EsRequestRecord> requests = server_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  std::set<std::string> failed;
  for (const auto& item : requests[0].items) {
    if (item.status == 429 || item.status == 500) failed.insert(item.message);
  }
  EXPECT_EQ(failed.size(), 5u);
  EXPECT_EQ(requests[0].items.size(), 20u);
  EXPECT_EQ(Messages(requests[1]), failed);
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  EXPECT_EQ(stats_.retries->value(), 1u);
  EXPECT_EQ(stats_.events_out->value(), 20u);
}

TEST_F(EsSinkTest, RefusedItemsGoToTheDeadLetterSpoolWithStatusAndReason) {
  StartServer();
  server_->SetControl(R"({"item_errors": [{"status": 400, "match": "event 7\"", "count": -1}]})");
  StartSink("index: logs\n");
  Submit(0, 20);
  ASSERT_TRUE(WaitAllAcked());
  std::map<std::string, int> expected = Expected(0, 20);
  expected.erase("event 7");
  EXPECT_EQ(StoredMessages(), expected);
  EXPECT_EQ(tracker_.rejected_batches(), 1u);
  EXPECT_EQ(stats_.dead_letters->value(), 1u);
  std::vector<std::string> letters = SpoolLines(tmp_.Sub("dlq"));
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_THAT(letters[0], HasSubstr("\"sink\":\"pipelines.app.sinks[0]\""));
  EXPECT_THAT(letters[0], HasSubstr("\"status\":400"));
  EXPECT_THAT(letters[0], HasSubstr("mapper_parsing_exception: failed to parse field"));
  EXPECT_THAT(letters[0], HasSubstr("\"message\":\"event 7\""));
  // Never sent again: one request held it.
  int sent = 0;
  for (const auto& r : server_->Requests()) {
    for (const auto& item : r.items) sent += item.message == "event 7";
  }
  EXPECT_EQ(sent, 1);
}

TEST_F(EsSinkTest, TooLargeRequestsAreSplitAndALoneTooLargeDocumentIsDeadLettered) {
  StartServer();
  server_->SetControl(R"({"max_body_bytes": 3000})");
  StartSink("index: logs\n");
  Submit(0, 40);         // about 5 kB in one request: split until the halves fit
  Submit(100, 1, 4000);  // one document over the limit by itself
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 40));
  std::vector<EsRequestRecord> requests = server_->Requests();
  int too_large = 0;
  for (const auto& r : requests) {
    if (r.status == 413) ++too_large;
    if (r.status == 200) {
      EXPECT_LE(r.bytes, 3000);
    }
  }
  EXPECT_GE(too_large, 2);
  std::vector<std::string> letters = SpoolLines(tmp_.Sub("dlq"));
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_THAT(letters[0], HasSubstr("\"status\":413"));
  EXPECT_THAT(letters[0], HasSubstr("event 100."));
  EXPECT_EQ(tracker_.rejected_batches(), 1u);
}

TEST_F(EsSinkTest, AWhole400IsAVerdictOnlyWhenElasticsearchGaveIt) {
  StartServer();
  // A proxy's 400 page for a single document: retried, not dead-lettered.
  server_->SetControl(
      R"({"request_errors": [{"status": 400, "count": 2, "body": "<html>Bad Request</html>"}]})");
  StartSink("index: logs\n");
  Submit(0, 1);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 1));
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  // Elasticsearch's own 400 for a single document: that document cannot be indexed.
  server_->SetControl(R"({"request_errors": [{"status": 400, "count": 1}]})");
  Submit(1, 1);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 1u);
  std::vector<std::string> letters = SpoolLines(tmp_.Sub("dlq"));
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_THAT(letters[0], HasSubstr("\"status\":400"));
  EXPECT_THAT(letters[0], HasSubstr("\"message\":\"event 1\""));
}

TEST_F(EsSinkTest, GzipBodies) {
  StartServer();
  StartSink("index: logs\ncompression: gzip\n");
  Submit(0, 50);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 50));
  std::vector<EsRequestRecord> requests = server_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].content_encoding, "gzip");
  EXPECT_LT(requests[0].bytes, 50 * 150 / 3);  // ~150 bytes per document before compression
}

TEST_F(EsSinkTest, TwoUrlsOneDown) {
  StartServer();
  std::string dead = "\"https://localhost:" + std::to_string(testing::UnusedLocalPort()) + "\"";
  StartSink("index: logs\nconcurrency: 2\n", dead + ", \"" + server_->url() + "\"");
  for (int b = 0; b < 10; ++b) Submit(b * 20, 20);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 200));
  EXPECT_GE(stats_.retries->value(), 1u);  // the dead one was tried
}

TEST_F(EsSinkTest, WholeRequestFailuresAreRetriedWithoutLossOrDuplicates) {
  StartServer();
  server_->SetControl(
      R"({"request_errors": [{"status": 503, "count": 2}, {"status": 429, "count": 1}],
          "drop": 2})");
  StartSink("index: logs\n");
  Submit(0, 30);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 30));
  std::multiset<int> statuses;
  for (const auto& r : server_->Requests()) statuses.insert(r.status);
  EXPECT_EQ(statuses.count(0), 2u);  // dropped connections
  EXPECT_EQ(statuses.count(503), 2u);
  EXPECT_EQ(statuses.count(429), 1u);
  EXPECT_EQ(statuses.count(200), 1u);
  EXPECT_TRUE(health_.ok());  // delivering again
}

TEST_F(EsSinkTest, ATimedOutRequestIsSentAgainAndOffsetIdsKeepItOnce) {
  StartServer();
  // The server indexes the request, then answers too late: the sink cannot know it was indexed.
  server_->SetControl(R"({"delay_ms": 2000, "slow": 1})");
  StartSink("index: logs\nid: offset\nrequest_timeout: 300ms\n");
  Submit(0, 20);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 20));
  std::vector<EsRequestRecord> requests = server_->Requests();
  ASSERT_GE(requests.size(), 2u);
  int conflicts = 0;
  for (const auto& item : requests.back().items) conflicts += item.status == 409;
  EXPECT_EQ(conflicts, 20);  // the replay was answered "already there"
  EXPECT_GE(stats_.retries->value(), 1u);
}

TEST_F(EsSinkTest, Unauthorized401KeepsEverythingUntilCredentialsWork) {
  StartServer(Accepting("basic:shipper:right"));
  StartSink("index: logs\nauth: {basic: {user: shipper, password: wrong}}\n");
  Submit(0, 10);
  ASSERT_TRUE(WaitUntil([&] { return server_->Requests().size() >= 2; }));
  EXPECT_EQ(tracker_.in_flight(), 1u);
  EXPECT_FALSE(health_.ok());
  EXPECT_THAT(health_.snapshot().last_error, HasSubstr("HTTP 401, authentication failed"));
  EXPECT_THAT(health_.snapshot().last_error, HasSubstr(server_->url() + "/_bulk"));
  EXPECT_THAT(health_.snapshot().last_error, ::testing::Not(HasSubstr("wrong")));
  // The operator fixes the cluster's side: what waited is delivered, nothing lost.
  server_->SetControl(R"({"auth": ["basic:shipper:wrong"]})");
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 10));
  for (const auto& r : server_->Requests()) {
    EXPECT_EQ(r.authorization, "Basic c2hpcHBlcjp3cm9uZw==");  // shipper:wrong
  }
}

TEST_F(EsSinkTest, OffsetIdsMakeAReplayA409NotASecondDocument) {
  StartServer();
  StartSink("index: logs\nid: offset\n");
  Submit(0, 20);
  ASSERT_TRUE(WaitAllAcked());
  Submit(0, 20);  // the same lines again, as after a crash before the checkpoint moved
  Submit(20, 5);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 25));
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  for (const auto& d : server_->Docs()) {
    EXPECT_EQ(d.op, "create");
    EXPECT_THAT(d.id, ::testing::StartsWith("123456789abcdef0-"));
  }
  Counter& duplicates =
      metrics_.GetCounter("logship_es_duplicates_avoided_total", "",
                          {{"pipeline", "app"}, {"sink", "pipelines.app.sinks[0]"}});
  EXPECT_EQ(duplicates.value(), 20u);
  EXPECT_EQ(stats_.events_out->value(), 45u);
}

TEST_F(EsSinkTest, DataStreamsAndPipelines) {
  StartServer();
  StartSink("data_stream: logs-app-default\npipeline: my-pipeline\n");
  Submit(0, 5);
  ASSERT_TRUE(WaitAllAcked());
  for (const auto& d : server_->Docs()) {
    EXPECT_EQ(d.index, "logs-app-default");
    EXPECT_EQ(d.op, "create");
    EXPECT_EQ(d.pipeline, "my-pipeline");
  }
  EXPECT_EQ(server_->Docs().size(), 5u);
}

TEST_F(EsSinkTest, StopAtTheDeadlineLeavesUndeliveredBatchesUnacknowledged) {
  StartServer();
  server_->SetControl(R"({"request_errors": [{"status": 503, "count": -1}]})");
  StartSink("index: logs\n");
  Submit(0, 10);
  ASSERT_TRUE(WaitUntil([&] { return server_->Requests().size() >= 1; }));
  Status st = sink_->Stop(RealClock().MonotonicNanos() + 200'000'000);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("1 batches not delivered"));
  EXPECT_EQ(tracker_.in_flight(), 1u);
  sink_.reset();
}

TEST_F(EsSinkTest, BackPressureBoundsWhatTheSinkHolds) {
  StartServer();
  server_->SetControl(R"({"request_errors": [{"status": 503, "count": -1}]})");
  StartSink("index: logs\nconcurrency: 1\nbatch: {max_events: 10, timeout: 10ms}\n");
  std::atomic<int> submitted{0};
  std::thread producer([&] {
    for (int b = 0; b < 30; ++b) {
      Submit(b * 10, 10);
      ++submitted;
    }
  });
  // The queue fills and stays full while nothing can be delivered.
  ASSERT_TRUE(WaitUntil([&] { return stats_.queue_batches->value() == 4; }));
  EXPECT_LT(submitted.load(), 10);  // 4 queued + 1 being encoded + 1 request, then Submit blocks
  server_->SetControl(R"({})");
  producer.join();
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 300));
}

TEST_F(EsSinkTest, WrongCaFailsNamingTheUrlAndTheReason) {
  StartServer();
  StartSink("index: logs\n", "", "{ca_file: \"" + certs_->other_ca_cert + "\"}");
  Submit(0, 3);
  ASSERT_TRUE(WaitUntil([&] { return !health_.ok(); }));
  std::string error = health_.snapshot().last_error;
  EXPECT_THAT(error, HasSubstr("POST " + server_->url() + "/_bulk"));
  EXPECT_THAT(error, HasSubstr("certificate"));
  EXPECT_EQ(server_->CountDocs(), 0u);
  EXPECT_EQ(tracker_.in_flight(), 1u);
}

TEST_F(EsSinkTest, ServerNameIsTheNameTheCertificateIsCheckedFor) {
  StartServer();
  std::string url = "\"https://127.0.0.1:" + std::to_string(server_->port()) + "\"";
  StartSink("index: logs\n", url,
            "{ca_file: \"" + certs_->ca_cert + "\", server_name: not-the-server.example}");
  Submit(0, 3);
  ASSERT_TRUE(WaitUntil([&] { return !health_.ok(); }));
  // The configured URL is named; the check was made for server_name.
  EXPECT_THAT(health_.snapshot().last_error, HasSubstr("POST https://127.0.0.1:"));
  EXPECT_THAT(health_.snapshot().last_error, HasSubstr("not-the-server.example"));
  EXPECT_EQ(server_->CountDocs(), 0u);
  (void)sink_->Stop(0);
  sink_.reset();

  StartSink("index: logs\n", url, "{ca_file: \"" + certs_->ca_cert + "\", server_name: localhost}");
  Submit(3, 3);
  ASSERT_TRUE(WaitUntil([&] { return server_->CountDocs() == 3; }));
  EXPECT_EQ(StoredMessages(), Expected(3, 3));
  // The server stores the documents before it answers: health turns OK once the answer is read.
  EXPECT_TRUE(WaitUntil([&] { return health_.ok(); }));
}

TEST_F(EsSinkTest, MissingTlsFilesFailStartNamingTheOption) {
  StartServer();
  std::string yaml = "type: elasticsearch\nurls: [\"" + server_->url() +
                     "\"]\ntls: {ca_file: /nonexistent/ca.pem}\n";
  Result<ConfigNode> node = ConfigNode::Parse(yaml, "pipeline.yaml");
  ASSERT_TRUE(node.ok());
  Result<EsSinkOptions> options = ParseEsSinkOptions(*node, ctx_);
  ASSERT_TRUE(options.ok()) << errors_.ToString();
  std::unique_ptr<Sink> sink = MakeElasticsearchSinkWithOptions(*options, ctx_);
  Status st = sink->Start();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()),
              HasSubstr("tls.ca_file: /nonexistent/ca.pem: No such file or directory"));
  (void)sink->Stop(0);
}

TEST_F(EsSinkTest, MutualTls) {
  StartServer(ClientCertificatesRequired());
  StartSink("index: logs\n", "",
            "{ca_file: \"" + certs_->ca_cert + "\", cert_file: \"" + certs_->client_cert +
                "\", key_file: \"" + certs_->client_key + "\"}");
  Submit(0, 5);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(StoredMessages(), Expected(0, 5));
}

}  // namespace
}  // namespace logship
