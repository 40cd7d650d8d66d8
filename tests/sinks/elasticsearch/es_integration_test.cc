// SPDX-License-Identifier: Apache-2.0
// A real logship process shipping files through the elasticsearch sink, configured from a
// pipeline file, into tests/tools/es_bulk_server.py over HTTPS: what an operator would see.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/testing/canonical_json.h"
#include "tests/testing/es_bulk_server.h"
#include "tests/testing/es_test_certs.h"
#include "tests/testing/logship_process.h"
#include "tests/testing/spool_reader.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using ::logship::testing::CanonicalJson;
using ::logship::testing::EsBulkServer;
using ::logship::testing::EsServerOptions;
using ::logship::testing::EsTestCerts;
using ::logship::testing::LogshipProcess;
using ::logship::testing::ReadFileOrEmpty;
using ::logship::testing::RunLogship;
using ::logship::testing::RunResult;
using ::logship::testing::TempDir;
using ::logship::testing::WaitUntil;
using ::logship::testing::WriteFile;
using ::testing::HasSubstr;

// JSON log lines, the first half on 2026-11-24 and the rest on 2026-11-25 (UTC).
std::string JsonLines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    std::string day = i < n / 2 ? "2026-11-24T23:59:" : "2026-11-25T00:00:";
    std::string sec = std::to_string(10 + i % 50);
    s += "{\"ts\":\"" + day + sec + ".123Z\",\"level\":\"" + (i % 3 ? "info" : "warn") +
         "\",\"msg\":\"line " + std::to_string(i) +
         " \\\"quoted\\\" ü\",\"n\":" + std::to_string(i) + ",\"latency_ms\":" + std::to_string(i) +
         ".5,\"http\":{\"status\":" + std::to_string(200 + i % 3) + "}}\n";
  }
  return s;
}

// Plain lines "line-0" ... "line-(n-1)".
std::string PlainLines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "line-" + std::to_string(i) + "\n";
  return s;
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

class EsIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_dir_ = new TempDir();
    certs_ = new EsTestCerts(testing::MakeEsTestCerts(certs_dir_->path()));
  }
  static void TearDownTestSuite() {
    delete certs_;
    delete certs_dir_;
  }

  void SetUp() override { ASSERT_EQ(0, ::system(("mkdir -p " + dir_.Sub("logs")).c_str())); }

  void StartServer(EsServerOptions options = {}) {
    server_ = std::make_unique<EsBulkServer>(dir_.Sub("server"), certs_, options);
    ASSERT_TRUE(server_->started());
  }

  // A pipeline reading logs/*.log, with `stages` (YAML list items, indented 6) and the
  // elasticsearch sink given by `sink` (its option lines, indented 8), plus `more_sinks`.
  std::string WritePipeline(const std::string& sink, const std::string& stages = "",
                            const std::string& more_sinks = "") {
    std::string path = dir_.Sub("pipeline.yaml");
    WriteFile(path,
              "data_dir: ./data\n"
              "shutdown_timeout: " +
                  shutdown_timeout_ +
                  "\n"
                  "pipelines:\n"
                  "  app:\n"
                  "    inputs:\n"
                  "      - {type: file, include: [\"logs/*.log\"], rescan_interval: 100ms}\n" +
                  (stages.empty() ? "" : "    stages:\n" + stages) +
                  "    sinks:\n"
                  "      - type: elasticsearch\n" +
                  sink + more_sinks);
    return path;
  }
  std::string TlsCa() const { return "        tls: {ca_file: \"" + certs_->ca_cert + "\"}\n"; }
  std::string Urls() const { return "        urls: [\"" + server_->url() + "\"]\n"; }

  RunResult RunOnce(const std::string& pipeline) {
    return RunLogship({"run", "--once", "--no-progress", pipeline}, dir_.path());
  }

  std::map<std::string, int> StoredMessages() {
    std::map<std::string, int> m;
    for (const auto& d : server_->Docs()) ++m[d.message];
    return m;
  }
  static std::map<std::string, int> ExpectedPlain(int n) {
    std::map<std::string, int> m;
    for (int i = 0; i < n; ++i) m["line-" + std::to_string(i)] = 1;
    return m;
  }

  inline static TempDir* certs_dir_ = nullptr;
  inline static EsTestCerts* certs_ = nullptr;
  TempDir dir_;
  std::string shutdown_timeout_ = "10s";  // how long delivery may go on after SIGTERM or --once
  std::unique_ptr<EsBulkServer> server_;
};

TEST_F(EsIntegrationTest, EveryEventBecomesOneDocumentFieldForField) {
  ::setenv("LOGSHIP_TEST_ES_API_KEY", "aWQ6a2V5", 1);
  StartServer(Accepting("api_key:aWQ6a2V5"));
  WriteFile(dir_.Sub("logs/app.log"), JsonLines(400));
  std::string pipeline =
      WritePipeline(Urls() + TlsCa() +
                        "        index: \"logs-app-%Y.%m.%d\"\n"
                        "        pipeline: my-ingest-pipeline\n"
                        "        auth: {api_key: \"${LOGSHIP_TEST_ES_API_KEY}\"}\n"
                        "        batch: {max_events: 64, timeout: 50ms}\n",
                    "      - {type: json}\n"
                    "      - {type: timestamp, field: ts, formats: [iso8601]}\n",
                    // The same events into a spool: what every other sink ships, to compare with.
                    "      - {type: spool, path: ./out}\n");
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  std::vector<testing::SpooledEvent> spooled = testing::ReadSpool(dir_.Sub("out"));
  ASSERT_EQ(spooled.size(), 400u);
  std::multiset<std::string> expected;
  for (const auto& e : spooled) expected.insert(CanonicalJson(e.raw));
  std::multiset<std::string> stored;
  std::map<std::string, int> per_index;
  for (const auto& d : server_->Docs()) {
    stored.insert(CanonicalJson(d.source));
    ++per_index[d.index];
    EXPECT_EQ(d.pipeline, "my-ingest-pipeline");
    EXPECT_EQ(d.op, "index");
    // The index is the day of the document's own @timestamp.
    std::string ts = d.source.substr(d.source.find("\"@timestamp\":\"") + 14, 10);
    std::replace(ts.begin(), ts.end(), '-', '.');
    EXPECT_EQ(d.index, "logs-app-" + ts);
  }
  EXPECT_EQ(stored, expected);
  EXPECT_EQ(per_index, (std::map<std::string, int>{{"logs-app-2026.11.24", 200},
                                                   {"logs-app-2026.11.25", 200}}));
  for (const auto& req : server_->Requests()) {
    EXPECT_EQ(req.authorization, "ApiKey aWQ6a2V5");
    EXPECT_THAT(req.path, HasSubstr("pipeline=my-ingest-pipeline"));
  }
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("aWQ6a2V5")));  // never logged
}

TEST_F(EsIntegrationTest, DataStreamWithBearerTokenUsesCreate) {
  StartServer(Accepting("bearer:t0ken"));
  WriteFile(dir_.Sub("logs/app.log"), PlainLines(50));
  RunResult r = RunOnce(WritePipeline(Urls() + TlsCa() +
                                      "        data_stream: logs-app-default\n"
                                      "        auth: {bearer: t0ken}\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StoredMessages(), ExpectedPlain(50));
  for (const auto& d : server_->Docs()) {
    EXPECT_EQ(d.op, "create");
    EXPECT_EQ(d.index, "logs-app-default");
  }
  for (const auto& req : server_->Requests()) EXPECT_EQ(req.authorization, "Bearer t0ken");
}

TEST_F(EsIntegrationTest, BasicAuthHeaderAndA401LosesNothing) {
  // The cluster does not know the sink's password yet.
  StartServer(Accepting("basic:shipper:old"));
  WriteFile(dir_.Sub("logs/app.log"), PlainLines(300));
  std::string pipeline =
      WritePipeline(Urls() + TlsCa() +
                    "        auth: {basic: {user: shipper, password: \"n3w-pass\"}}\n"
                    "        retry: {initial_backoff: 20ms, max_backoff: 200ms}\n");
  LogshipProcess p({"run", "--no-progress", pipeline}, dir_.path());
  ASSERT_TRUE(WaitUntil([&] { return p.Stderr().find("HTTP 401") != std::string::npos; }));
  EXPECT_THAT(p.Stderr(), HasSubstr("authentication failed"));
  EXPECT_THAT(p.Stderr(), HasSubstr("POST " + server_->url() + "/_bulk"));
  EXPECT_EQ(server_->CountDocs(), 0u);
  server_->SetControl(R"({"auth": ["basic:shipper:n3w-pass"]})");
  ASSERT_TRUE(WaitUntil([&] { return server_->CountDocs() >= 300; }));
  p.Signal(SIGTERM);
  ASSERT_EQ(p.Wait(), 0) << p.Stderr();
  EXPECT_EQ(StoredMessages(), ExpectedPlain(300));
  for (const auto& req : server_->Requests()) {
    EXPECT_EQ(req.authorization, "Basic c2hpcHBlcjpuM3ctcGFzcw==");  // shipper:n3w-pass
  }
  EXPECT_THAT(p.Stderr(), ::testing::Not(HasSubstr("n3w-pass")));
}

TEST_F(EsIntegrationTest, WrongCaFailsWithAClearErrorNamingTheUrlAndTheReason) {
  StartServer();
  shutdown_timeout_ = "500ms";  // it cannot deliver: no need to wait long
  WriteFile(dir_.Sub("logs/app.log"), PlainLines(10));
  std::string pipeline =
      WritePipeline(Urls() + "        tls: {ca_file: \"" + certs_->other_ca_cert + "\"}\n");
  LogshipProcess p({"run", "--no-progress", pipeline}, dir_.path());
  ASSERT_TRUE(WaitUntil([&] { return p.Stderr().find("certificate") != std::string::npos; }));
  p.Signal(SIGTERM);
  std::optional<int> code = p.Wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 3);  // stopped before everything read was delivered
  std::string err = p.Stderr();
  EXPECT_THAT(err, HasSubstr("POST " + server_->url() + "/_bulk"));
  EXPECT_THAT(err, HasSubstr("SSL certificate problem: unable to get local issuer certificate"));
  EXPECT_EQ(server_->CountDocs(), 0u);
}

TEST_F(EsIntegrationTest, MutualTlsAndGzip) {
  StartServer(ClientCertificatesRequired());
  WriteFile(dir_.Sub("logs/app.log"), PlainLines(100));
  RunResult r =
      RunOnce(WritePipeline(Urls() + "        tls: {ca_file: \"" + certs_->ca_cert +
                            "\", cert_file: \"" + certs_->client_cert + "\", key_file: \"" +
                            certs_->client_key + "\"}\n" + "        compression: gzip\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StoredMessages(), ExpectedPlain(100));
  for (const auto& req : server_->Requests()) EXPECT_EQ(req.content_encoding, "gzip");
}

TEST_F(EsIntegrationTest, WithoutAClientCertificateMutualTlsFails) {
  StartServer(ClientCertificatesRequired());
  shutdown_timeout_ = "500ms";
  WriteFile(dir_.Sub("logs/app.log"), PlainLines(5));
  LogshipProcess p({"run", "--no-progress", WritePipeline(Urls() + TlsCa())}, dir_.path());
  ASSERT_TRUE(WaitUntil([&] { return p.Stderr().find("retrying") != std::string::npos; }));
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(), 3);
  EXPECT_THAT(p.Stderr(), HasSubstr("POST " + server_->url() + "/_bulk"));
  EXPECT_EQ(server_->CountDocs(), 0u);
}

TEST_F(EsIntegrationTest, VerifyFalseWarnsAndShips) {
  StartServer();
  WriteFile(dir_.Sub("logs/app.log"), PlainLines(20));
  RunResult r = RunOnce(WritePipeline(Urls() + "        tls: {verify: false}\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("tls.verify is false: server certificates are NOT checked"));
  EXPECT_EQ(StoredMessages(), ExpectedPlain(20));
}

TEST_F(EsIntegrationTest, PerItemFailuresRetryOnlyThoseAndRefusedOnesAreDeadLettered) {
  StartServer();
  server_->SetControl(R"({"item_errors": [
      {"status": 400, "match": "line-13\"", "count": -1,
       "type": "mapper_parsing_exception", "reason": "failed to parse field [message]"},
      {"status": 429, "count": 5}, {"status": 500, "count": 5}]})");
  WriteFile(dir_.Sub("logs/app.log"), PlainLines(200));
  RunResult r = RunOnce(WritePipeline(Urls() + TlsCa() +
                                      "        dead_letter: {path: ./dlq}\n"
                                      "        retry: {initial_backoff: 20ms}\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int> expected = ExpectedPlain(200);
  expected.erase("line-13");
  EXPECT_EQ(StoredMessages(), expected);
  // Every message was sent once, plus once more for each 429/500 it got: never more.
  std::map<std::string, int> sent;
  int failed = 0;
  for (const auto& req : server_->Requests()) {
    for (const auto& item : req.items) {
      ++sent[item.message];
      failed += item.status == 429 || item.status == 500;
    }
  }
  EXPECT_EQ(failed, 10);
  int total = 0;
  for (const auto& [m, n] : sent) total += n;
  EXPECT_EQ(total, 200 + failed);
  EXPECT_EQ(sent["line-13"], 1);
  std::string letters;
  for (const auto& f : std::filesystem::directory_iterator(dir_.Sub("dlq"))) {
    letters += ReadFileOrEmpty(f.path());
  }
  EXPECT_EQ(std::count(letters.begin(), letters.end(), '\n'), 1);
  EXPECT_THAT(letters, HasSubstr("\"reason\":\"mapper_parsing_exception: failed to parse field "
                                 "[message]\",\"status\":400"));
  EXPECT_THAT(letters, HasSubstr("\"message\":\"line-13\""));
}

TEST_F(EsIntegrationTest, TwoUrlsOneDownAndTooLargeRequestsSplit) {
  StartServer();
  server_->SetControl(R"({"max_body_bytes": 20000})");
  WriteFile(dir_.Sub("logs/app.log"), PlainLines(2000));
  std::string dead = "https://localhost:" + std::to_string(testing::UnusedLocalPort());
  RunResult r = RunOnce(WritePipeline("        urls: [\"" + dead + "\", \"" + server_->url() +
                                      "\"]\n" + TlsCa() +
                                      "        batch: {max_events: 500}\n"
                                      "        retry: {initial_backoff: 20ms}\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StoredMessages(), ExpectedPlain(2000));
  EXPECT_THAT(r.err, HasSubstr("POST " + dead + "/_bulk"));
  int split = 0;
  for (const auto& req : server_->Requests()) split += req.status == 413;
  EXPECT_GT(split, 0);
}

TEST_F(EsIntegrationTest, SigkillMidStreamWithOffsetIdsStoresEveryLineExactlyOnce) {
  StartServer();
  server_->SetControl(R"({"delay_ms": 20})");  // slow answers: the kill finds requests in flight
  const int kLines = 20000;
  WriteFile(dir_.Sub("logs/app.log"), PlainLines(kLines));
  std::string pipeline = WritePipeline(Urls() + TlsCa() +
                                       "        id: offset\n"
                                       "        batch: {max_events: 100, timeout: 50ms}\n"
                                       "        concurrency: 4\n");
  {
    LogshipProcess first({"run", "--no-progress", pipeline}, dir_.path());
    ASSERT_TRUE(WaitUntil([&] { return server_->CountDocs() >= 3000; }));
    first.Signal(SIGKILL);
    ASSERT_TRUE(first.Wait().has_value());
  }
  size_t before_restart = server_->CountDocs();
  EXPECT_LT(before_restart, static_cast<size_t>(kLines));
  server_->SetControl(R"({})");
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StoredMessages(), ExpectedPlain(kLines));
  std::set<std::string> ids;
  for (const auto& d : server_->Docs()) {
    EXPECT_EQ(d.op, "create");
    ids.insert(d.id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kLines));
}

}  // namespace
}  // namespace logship
