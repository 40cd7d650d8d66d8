// SPDX-License-Identifier: Apache-2.0
// A real logship process ships files into the kafka_test_broker tool (a 3-broker librdkafka mock
// cluster in a child process), and the topics are read back with a librdkafka consumer (and once
// with kcat): every line, byte for byte, through brokers going down, injected errors, oversize
// lines, a SIGKILL; and what `validate` and the logs say about bad or secret options.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <simdjson.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/testing/kafka_test_broker.h"
#include "tests/testing/kafka_topic_reader.h"
#include "tests/testing/logship_process.h"
#include "tests/testing/spool_reader.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class KafkaIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logs_ = dir_.Sub("logs");
    ASSERT_EQ(0, ::system(("mkdir -p " + logs_).c_str()));
  }

  // Starts the broker tool; `args` like {"--topic", "lines:4"}.
  void StartBroker(std::vector<std::string> args = {}) {
    broker_ =
        std::make_unique<KafkaTestBroker>(LOGSHIP_KAFKA_TEST_BROKER, dir_.path(), std::move(args));
    ASSERT_TRUE(broker_->ok()) << broker_->Log();
  }
  void Command(const std::string& line) {
    ASSERT_EQ(broker_->Command(line), "ok") << line << "\n" << broker_->Log();
  }

  // A pipeline tailing logs/*.log into one kafka sink whose options (indented 8 spaces, after
  // brokers) are `sink`, with `stages` (indented 6), pipeline-level `extra` (indented 4) and
  // more file input options `input` (indented 8).
  std::string WritePipeline(const std::string& sink, const std::string& stages = "",
                            const std::string& extra = "", const std::string& input = "") {
    std::string path = dir_.Sub("pipeline.yaml");
    WriteFile(path,
              "data_dir: ./data\n"
              "shutdown_timeout: 20s\n"
              "pipelines:\n"
              "  app:\n" +
                  extra +
                  "    inputs:\n"
                  "      - type: file\n"
                  "        include: [\"logs/*.log\"]\n"
                  "        rescan_interval: 100ms\n" +
                  input + (stages.empty() ? "" : "    stages:\n" + stages) +
                  "    sinks:\n"
                  "      - type: kafka\n"
                  "        brokers: \"" +
                  (broker_ ? broker_->bootstrap() : std::string("127.0.0.1:9")) + "\"\n" + sink);
    return path;
  }

  RunResult RunOnce(const std::string& pipeline) {
    return RunLogship({"run", "--once", pipeline}, dir_.path());
  }

  // Lines "<prefix> <i> <padding>" for i in [first, first + n), each ending in '\n'.
  static std::string Lines(const std::string& prefix, int first, int n) {
    std::string s;
    for (int i = first; i < first + n; ++i) s += LineText(prefix, i) + "\n";
    return s;
  }
  static std::string LineText(const std::string& prefix, int i) {
    // Quotes, a backslash and UTF-8, so "byte for byte" means something for raw and JSON alike.
    return prefix + " " + std::to_string(i) + " \"q\" back\\slash caf\xc3\xa9";
  }
  static std::vector<std::string> LineSet(const std::string& prefix, int first, int n) {
    std::vector<std::string> v;
    for (int i = first; i < first + n; ++i) v.push_back(LineText(prefix, i));
    std::sort(v.begin(), v.end());
    return v;
  }
  static std::vector<std::string> Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
  static std::vector<std::string> Unique(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }
  // The line number in a LineText value ("<prefix> <i> ...").
  static int NumberOf(const std::string& value) {
    size_t sp = value.find(' ');
    return std::atoi(value.c_str() + sp + 1);
  }

  KafkaTopicContents Read(const std::string& topic) {
    KafkaTopicContents c = ReadKafkaTopic(broker_->bootstrap(), topic);
    EXPECT_EQ(c.error, "") << topic;
    return c;
  }

  TempDir dir_;
  std::string logs_;
  std::unique_ptr<KafkaTestBroker> broker_;
};

TEST_F(KafkaIntegrationTest, RawLinesArriveByteForByteInOrderPerPartition) {
  StartBroker({"--topic", "lines:4"});
  WriteFile(logs_ + "/a.log", Lines("a", 0, 3000));
  WriteFile(logs_ + "/b.log", Lines("b", 0, 2000));
  RunResult r = RunOnce(WritePipeline("        topic: lines\n        format: raw\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  KafkaTopicContents c = Read("lines");
  ASSERT_EQ(c.messages.size(), 5000u);
  std::vector<std::string> expected = LineSet("a", 0, 3000);
  for (auto& s : LineSet("b", 0, 2000)) expected.push_back(s);
  EXPECT_EQ(Sorted(c.AllValues()), Sorted(expected));
  // Within a partition, the lines of each file keep their file order. (Which partitions are
  // used is librdkafka's sticky partitioner's choice for messages without a key.)
  for (int32_t p = 0; p < c.partitions; ++p) {
    std::map<char, int> last;
    for (const std::string& v : c.Values(p)) {
      int n = NumberOf(v);
      auto [it, first] = last.try_emplace(v[0], n);
      if (!first) {
        EXPECT_GT(n, it->second) << "partition " << p << ": " << v;
        it->second = n;
      }
    }
  }
}

TEST_F(KafkaIntegrationTest, JsonEventsCarryTheLineAndItsOffset) {
  StartBroker({"--topic", "events:2"});
  WriteFile(logs_ + "/a.log", Lines("j", 0, 500));
  ASSERT_EQ(RunOnce(WritePipeline("        topic: events\n")).exit_code, 0);
  KafkaTopicContents c = Read("events");
  ASSERT_EQ(c.messages.size(), 500u);
  simdjson::dom::parser parser;
  std::vector<std::string> messages;
  for (const auto& m : c.messages) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(m.value).get(doc), simdjson::SUCCESS) << m.value;
    std::string_view message, path;
    int64_t offset = -1;
    ASSERT_EQ(doc["message"].get(message), simdjson::SUCCESS);
    ASSERT_EQ(doc["log"]["file"]["path"].get(path), simdjson::SUCCESS);
    ASSERT_EQ(doc["log"]["offset"].get(offset), simdjson::SUCCESS);
    EXPECT_EQ(path, logs_ + "/a.log");
    // The offset is where the line starts in the file: the line is found there, byte for byte.
    std::string line(message);
    EXPECT_EQ(Lines("j", 0, 500).compare(static_cast<size_t>(offset), line.size(), line), 0);
    messages.push_back(line);
  }
  EXPECT_EQ(Sorted(messages), LineSet("j", 0, 500));
}

TEST_F(KafkaIntegrationTest, TopicTemplateFallbackAndKeyPartitioning) {
  StartBroker({"--topic", "logs-api:8", "--topic", "logs-web:8"});
  std::string text;
  for (int i = 0; i < 600; ++i) {
    std::string svc = i % 3 == 0 ? "api" : i % 3 == 1 ? "web" : "";
    text += "{\"n\":" + std::to_string(i) + ",\"user\":\"u" + std::to_string(i % 7) + "\"" +
            (svc.empty() ? std::string() : ",\"service\":\"" + svc + "\"") + "}\n";
  }
  WriteFile(logs_ + "/app.log", text);
  RunResult r =
      RunOnce(WritePipeline("        topic: \"logs-{{service}}\"\n"
                            "        topic_fallback: logs-other\n"
                            "        key: \"{{user}}\"\n",
                            "      - type: json\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, size_t> counts;
  for (const std::string topic : {"logs-api", "logs-web", "logs-other"}) {
    KafkaTopicContents c = Read(topic);
    counts[topic] = c.messages.size();
    std::map<std::string, std::set<int32_t>> partitions_of_key;
    for (const auto& m : c.messages) {
      ASSERT_TRUE(m.has_key);
      EXPECT_THAT(m.value, HasSubstr("\"user\":\"" + m.key + "\""));
      if (topic == "logs-other") EXPECT_THAT(m.value, Not(HasSubstr("\"service\"")));
      if (topic != "logs-other") {
        EXPECT_THAT(m.value, HasSubstr("\"service\":\"" + topic.substr(5) + "\""));
      }
      partitions_of_key[m.key].insert(m.partition);
    }
    EXPECT_EQ(partitions_of_key.size(), 7u) << topic;
    for (const auto& [key, parts] : partitions_of_key) {
      EXPECT_EQ(parts.size(), 1u) << topic << " key " << key;
    }
  }
  EXPECT_EQ(counts["logs-api"], 200u);
  EXPECT_EQ(counts["logs-web"], 200u);
  EXPECT_EQ(counts["logs-other"], 200u);
}

TEST_F(KafkaIntegrationTest, Lz4CompressedAndReadBackWithKcat) {
  StartBroker({"--topic", "packed:2"});
  WriteFile(logs_ + "/a.log", Lines("z", 0, 2000));
  RunResult r =
      RunOnce(WritePipeline("        topic: packed\n        format: raw\n        compression: lz4\n"
                            "        options: {linger.ms: 50}\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // kcat, a separate program and librdkafka consumer, reads what logship wrote.
  std::string out_path = dir_.Sub("kcat.out");
  std::string cmd = "kcat -C -b '" + broker_->bootstrap() +
                    "' -t packed -o beginning -e -q -f '%s\\n' > '" + out_path + "' 2>'" +
                    dir_.Sub("kcat.err") + "' </dev/null";
  ASSERT_EQ(::system(cmd.c_str()), 0) << ReadFileOrEmpty(dir_.Sub("kcat.err"));
  std::string text = ReadFileOrEmpty(out_path);
  std::vector<std::string> values;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    values.push_back(text.substr(start, nl - start));
  }
  EXPECT_EQ(Sorted(values), LineSet("z", 0, 2000));
}

TEST_F(KafkaIntegrationTest, BrokersDownMidStreamThenUpEverythingDelivered) {
  StartBroker({"--topic", "outage:4"});
  // A short delivery timeout, so the outage also exercises produce-again after
  // _MSG_TIMED_OUT, not only librdkafka's own retries.
  std::string pipeline = WritePipeline(
      "        topic: outage\n        format: raw\n"
      "        options: {message.timeout.ms: 1500}\n");
  LogshipProcess p({"run", pipeline}, dir_.path());
  WriteFile(logs_ + "/a.log", Lines("o", 0, 1000));
  ASSERT_TRUE(WaitUntil([&] {
    return KafkaTopicEndOffsets(broker_->bootstrap(), "outage") >= 1000;
  })) << p.Stderr();
  Command("down 1");
  AppendFile(logs_ + "/a.log", Lines("o", 1000, 1000));
  Command("down -1");
  AppendFile(logs_ + "/a.log", Lines("o", 2000, 1000));
  // Long enough for messages to time out at least once, judged by what logship says.
  ASSERT_TRUE(WaitUntil([&] {
    return p.Stderr().find("producing them again") != std::string::npos;
  })) << p.Stderr();
  Command("up -1");
  ASSERT_TRUE(WaitUntil([&] {
    std::vector<std::string> v = ReadKafkaTopic(broker_->bootstrap(), "outage").AllValues();
    return Unique(v).size() >= 3000;
  })) << p.Stderr();
  p.Signal(SIGTERM);
  std::optional<int> code = p.Wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << p.Stderr();
  KafkaTopicContents c = Read("outage");
  EXPECT_EQ(Unique(c.AllValues()), LineSet("o", 0, 3000));
  // Duplicates come only from messages produced again after a timeout: bounded by what was in
  // flight (8 batches of at most 2048 events).
  EXPECT_LE(c.messages.size() - 3000, 8u * 2048u);
}

TEST_F(KafkaIntegrationTest, InjectedRetriableProduceErrorsAreRetriedAndDelivered) {
  StartBroker({"--topic", "flaky:4"});
  Command("errors 8 NOT_LEADER_FOR_PARTITION");
  Command("errors 4 REQUEST_TIMED_OUT");
  WriteFile(logs_ + "/a.log", Lines("f", 0, 4000));
  RunResult r = RunOnce(WritePipeline("        topic: flaky\n        format: raw\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The idempotent producer (the default) retries without duplicating.
  EXPECT_EQ(Sorted(Read("flaky").AllValues()), LineSet("f", 0, 4000));
}

TEST_F(KafkaIntegrationTest, OversizeLineIsDeadLetteredAndTheRestDelivered) {
  StartBroker({"--topic", "sized:2"});
  std::string big(30000, 'x');
  WriteFile(logs_ + "/a.log", Lines("s", 0, 100) + big + "\n" + Lines("s", 100, 100));
  RunResult r =
      RunOnce(WritePipeline("        topic: sized\n        format: raw\n"
                            "        options: {message.max.bytes: 10000}\n"
                            "        dead_letter: {path: ./dlq}\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Sorted(Read("sized").AllValues()), LineSet("s", 0, 200));
  std::vector<SpooledEvent> letters = ReadSpool(dir_.Sub("dlq"));
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_THAT(letters[0].raw, HasSubstr("\"reason\":\"kafka topic 'sized': "));
  EXPECT_THAT(letters[0].raw, HasSubstr("MSG_SIZE_TOO_LARGE"));
  EXPECT_THAT(letters[0].raw, HasSubstr("\"message\":\"" + big + "\""));
  EXPECT_THAT(r.err, HasSubstr("dead-lettered"));
  // Run again: nothing is sent twice and the dead letter is not written again.
  ASSERT_EQ(RunOnce(dir_.Sub("pipeline.yaml")).exit_code, 0);
  EXPECT_EQ(Read("sized").messages.size(), 200u);
  EXPECT_EQ(ReadSpool(dir_.Sub("dlq")).size(), 1u);
}

TEST_F(KafkaIntegrationTest, SigkillMidStreamThenRestartLosesNothing) {
  StartBroker({"--topic", "crash:8"});
  // Slow acknowledgements (300 ms per response) keep batches in flight when the kill comes,
  // and cap delivery at 8 x 500 lines per 300 ms: 200,000 lines take over 15 s, so the kill
  // lands mid-stream even on a machine busy enough to make polling the topic slow.
  Command("rtt -1 300");
  constexpr int kLines = 200000;
  WriteFile(logs_ + "/a.log", Lines("k", 0, kLines));
  std::string pipeline =
      WritePipeline("        topic: crash\n        format: raw\n", "",
                    "    batch: {max_events: 500}\n    max_batches_in_flight: 8\n",
                    "        checkpoint_interval: 10ms\n");
  {
    LogshipProcess p({"run", pipeline}, dir_.path());
    ASSERT_TRUE(WaitUntil([&] {
      return KafkaTopicEndOffsets(broker_->bootstrap(), "crash") >= 5000;
    })) << p.Stderr();
    p.Signal(SIGKILL);
    ASSERT_TRUE(p.Wait().has_value());
  }
  int64_t before_restart = KafkaTopicEndOffsets(broker_->bootstrap(), "crash");
  EXPECT_LT(before_restart, kLines) << "the kill came too late to test anything";
  Command("rtt -1 0");
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  KafkaTopicContents c = Read("crash");
  EXPECT_EQ(Unique(c.AllValues()), LineSet("k", 0, kLines));
  // Lines sent twice are those read again after the restart: the batches in flight at the kill
  // (at most 8 of 500 lines), plus those acknowledged since the last checkpoint was saved. With
  // saves every 10 ms and every acknowledgement a 300 ms round trip away, those are batches that
  // were in flight 300 ms before: 8 more at most.
  RecordProperty("duplicates", static_cast<int>(c.messages.size() - kLines));
  EXPECT_LE(c.messages.size() - kLines, 16u * 500u);
}

TEST_F(KafkaIntegrationTest, ValidateRejectsAnUnknownLibrdkafkaPropertyWithItsPosition) {
  std::string pipeline = WritePipeline(
      "        topic: t\n"
      "        options:\n"
      "          linger.ms: 5\n"
      "          no.such.property: 1\n"
      "          batch.size: lots\n");
  RunResult r = RunLogship({"validate", pipeline}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(pipeline + ":15:11: options: unknown librdkafka property "
                                          "'no.such.property'"));
  EXPECT_THAT(r.err, HasSubstr(pipeline + ":16:23: options: property 'batch.size'"));
}

// A plain HTTP/1.0 GET of `path` on 127.0.0.1:`port`; the whole response, or "" on failure.
std::string HttpGet(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) out.append(buf, n);
    }
  }
  ::close(fd);
  return out;
}

TEST_F(KafkaIntegrationTest, SecretsNeverAppearInLogsOrStatus) {
  StartBroker();
  const std::string secret = "pa55-Kafka-s3cret-XYZ";
  ::setenv("LOGSHIP_TEST_KAFKA_PASSWORD", secret.c_str(), 1);
  std::string pipeline = WritePipeline(
      "        topic: secret\n"
      "        options:\n"
      "          security.protocol: SASL_PLAINTEXT\n"
      "          sasl.mechanisms: PLAIN\n"
      "          sasl.username: shipper\n"
      "          sasl.password: \"${LOGSHIP_TEST_KAFKA_PASSWORD}\"\n"
      "          debug: security,broker,conf\n",
      "", "");
  // The status server, on a free port.
  std::string text = ReadFileOrEmpty(pipeline);
  WriteFile(pipeline, "http: {listen: \"127.0.0.1:0\"}\n" + text);
  WriteFile(logs_ + "/a.log", Lines("p", 0, 10));
  LogshipProcess p({"--log-level", "debug", "run", pipeline}, dir_.path());
  // The mock cluster speaks no SASL: authentication fails and is logged, with librdkafka's debug
  // output on top. Wait for the sink to report itself failing in /status.
  std::string status;
  ASSERT_TRUE(WaitUntil([&] {
    std::smatch m;
    std::string log = p.Stdout() + p.Stderr();
    static const std::regex kServing("status on http://127\\.0\\.0\\.1:([0-9]+)");
    if (!std::regex_search(log, m, kServing)) return false;
    status = HttpGet(std::stoi(m[1].str()), "/status");
    return status.find("failing") != std::string::npos;
  })) << p.Stderr()
      << status;
  p.Signal(SIGTERM);
  p.Wait();
  std::string log = p.Stdout() + p.Stderr();
  EXPECT_THAT(log, HasSubstr("sasl"));       // the logs did talk about SASL...
  EXPECT_THAT(log, Not(HasSubstr(secret)));  // ...never with the password
  EXPECT_THAT(status, Not(HasSubstr(secret)));
  // validate prints no secret either, even for a bad value.
  WriteFile(pipeline, text + "          ssl.key.password: [" + secret + "]\n");
  RunResult v = RunLogship({"validate", pipeline}, dir_.path());
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.out + v.err, HasSubstr("ssl.key.password"));
  EXPECT_THAT(v.out + v.err, Not(HasSubstr(secret)));
  ::unsetenv("LOGSHIP_TEST_KAFKA_PASSWORD");
}

}  // namespace
}  // namespace logship::testing
