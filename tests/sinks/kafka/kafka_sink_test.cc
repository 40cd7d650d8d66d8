// SPDX-License-Identifier: Apache-2.0
// The kafka sink against an in-process librdkafka mock cluster: what is acknowledged when, what is
// produced again, what is dead-lettered, and what Stop leaves unacknowledged.

#include "sinks/kafka/kafka_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sinks/kafka/kafka_options.h"
#include "src/config/config_node.h"
#include "src/event/batch_pool.h"
#include "src/event/json_writer.h"
#include "src/metrics/sink_stats.h"
#include "src/pipeline/ack_tracker.h"
#include "tests/sinks/spool/spool_test_util.h"
#include "tests/testing/kafka_mock_cluster.h"
#include "tests/testing/kafka_topic_reader.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using ::logship::testing::KafkaMockCluster;
using ::logship::testing::KafkaTopicContents;
using ::logship::testing::ReadKafkaTopic;
using ::logship::testing::ScriptedFileSystem;
using ::logship::testing::SpoolLines;
using ::logship::testing::TempDir;
using ::logship::testing::WaitUntil;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// One event of a test batch: its message and optional string fields.
struct TestEvent {
  std::string message;
  std::map<std::string, std::string> fields = {};
};

class KafkaSinkTest : public ::testing::Test {
 protected:
  KafkaSinkTest() {
    ctx_.pipeline = "app";
    ctx_.component = "pipelines.app.sinks[0]";
    ctx_.base_dir = dir_.path();
    ctx_.data_dir = dir_.Sub("data");
    ctx_.sink_index = 0;
    ctx_.errors = &errors_;
    ctx_.claims = &claims_;
    ctx_.metrics = &metrics_;
    stats_ = MakeSinkStats(metrics_, "app", "pipelines.app.sinks[0]", &health_);
    ctx_.sink_stats = &stats_;
  }
  ~KafkaSinkTest() override {
    if (sink_ != nullptr) (void)sink_->Stop(RealClock().MonotonicNanos() + 30'000'000'000);
  }

  // Builds and starts the sink from `yaml` (the sink's map, without brokers: the mock's are
  // added), doing its dead-letter I/O through `fs`.
  void Start(const std::string& yaml, FileSystem& fs = PosixFileSystem()) {
    ASSERT_TRUE(cluster_.ok());
    std::string text = "type: kafka\nbrokers: \"" + cluster_.bootstrap() + "\"\n" +
                       "dead_letter: {path: dlq}\n" + yaml;
    Result<ConfigNode> node = ConfigNode::Parse(text, "pipeline.yaml");
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    Result<KafkaSinkOptions> options = ParseKafkaSinkOptions(*node, ctx_);
    ASSERT_TRUE(options.ok()) << errors_.ToString();
    sink_ = MakeKafkaSinkWithOptions(std::move(options).value(), ctx_, fs);
    Status st = sink_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  void Submit(const std::vector<TestEvent>& events) {
    MutableBatch b = pool_.Acquire(60'000);
    ASSERT_NE(b, nullptr);
    for (const TestEvent& t : events) {
      Event& e = b->AddEvent();
      e.message = b->arena().Copy(t.message);
      e.timestamp_ns = 1'795'552'446'123'000'000;
      for (const auto& [k, v] : t.fields) {
        b->AddField(e, b->arena().Copy(k), Value::String(b->arena().Copy(v)));
      }
    }
    b->host_name = "test-host";
    uint64_t seq = tracker_.Register(b->sources());
    b->ack_tracker = &tracker_;
    b->sequence = seq;
    sink_->Submit(BatchPool::Freeze(std::move(b)), AckHandle(&tracker_, seq));
  }
  // Submits events "<prefix>-<i>" for i in [first, first + n).
  void SubmitNumbered(const std::string& prefix, int first, int n) {
    std::vector<TestEvent> events;
    for (int i = first; i < first + n; ++i) events.push_back({prefix + "-" + std::to_string(i)});
    Submit(events);
  }
  static std::vector<std::string> Numbered(const std::string& prefix, int first, int n) {
    std::vector<std::string> out;
    for (int i = first; i < first + n; ++i) out.push_back(prefix + "-" + std::to_string(i));
    return out;
  }

  bool WaitAllAcked() {
    return WaitUntil([this] { return tracker_.in_flight() == 0; }, std::chrono::seconds(90));
  }

  // The messages in `topic`, sorted (for set comparisons).
  std::vector<std::string> SortedValues(const std::string& topic) {
    KafkaTopicContents c = ReadKafkaTopic(cluster_.bootstrap(), topic);
    EXPECT_EQ(c.error, "") << topic;
    std::vector<std::string> v = c.AllValues();
    std::sort(v.begin(), v.end());
    return v;
  }
  static std::vector<std::string> Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  // The dead letters: each line's reason and the event's message.
  std::vector<std::pair<std::string, std::string>> DeadLetters() {
    std::vector<std::pair<std::string, std::string>> out;
    simdjson::dom::parser parser;
    for (const std::string& line : SpoolLines(dir_.Sub("dlq"))) {
      simdjson::dom::element doc;
      std::string_view reason, message;
      if (parser.parse(line).get(doc) != simdjson::SUCCESS ||
          doc["reason"].get(reason) != simdjson::SUCCESS ||
          doc["event"]["message"].get(message) != simdjson::SUCCESS) {
        ADD_FAILURE() << "bad dead letter: " << line;
        continue;
      }
      out.emplace_back(std::string(reason), std::string(message));
    }
    return out;
  }

  KafkaMockCluster cluster_;
  TempDir dir_;
  PluginContext ctx_;
  ConfigErrors errors_;
  ResourceClaims claims_;
  MetricsRegistry metrics_;
  SinkHealth health_;
  SinkStats stats_;
  AckTracker tracker_{1};
  BatchPool pool_{32};
  std::unique_ptr<Sink> sink_;
};

TEST_F(KafkaSinkTest, ShipsEveryEventAsItsJsonAndAcksOnceDelivered) {
  ASSERT_TRUE(cluster_.CreateTopic("logs", 4));
  Start("topic: logs\n");
  for (int b = 0; b < 5; ++b) SubmitNumbered("event", b * 100, 100);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  EXPECT_EQ(stats_.events_out->value(), 500u);
  EXPECT_TRUE(health_.ok());

  KafkaTopicContents c = ReadKafkaTopic(cluster_.bootstrap(), "logs");
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(c.messages.size(), 500u);
  // The value is the event exactly as JsonWriter writes it; in order within each partition.
  std::vector<std::string> messages;
  simdjson::dom::parser parser;
  std::map<int32_t, int> last_in_partition;
  for (const auto& m : c.messages) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(m.value).get(doc), simdjson::SUCCESS) << m.value;
    std::string_view message, host;
    ASSERT_EQ(doc["message"].get(message), simdjson::SUCCESS);
    ASSERT_EQ(doc["host"]["name"].get(host), simdjson::SUCCESS);
    EXPECT_EQ(host, "test-host");
    EXPECT_TRUE(m.value.starts_with("{\"@timestamp\":\"2026-11-24T20:34:06.123Z\",\"message\":\""))
        << m.value;
    EXPECT_FALSE(m.has_key);
    int n = std::stoi(std::string(message.substr(6)));
    auto [it, first] = last_in_partition.try_emplace(m.partition, n);
    if (!first) {
      EXPECT_GT(n, it->second) << "partition " << m.partition << " out of order";
      it->second = n;
    }
    messages.emplace_back(message);
  }
  EXPECT_EQ(Sorted(messages), Sorted(Numbered("event", 0, 500)));
}

TEST_F(KafkaSinkTest, RawFormatShipsTheMessageOnly) {
  Start("topic: raw\nformat: raw\ncompression: lz4\n");
  Submit({{"plain text line"}, {"{\"already\":\"json\"}"}, {""}});
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_THAT(SortedValues("raw"),
              ElementsAreArray(Sorted({"plain text line", "{\"already\":\"json\"}", ""})));
}

TEST_F(KafkaSinkTest, SameKeySamePartition) {
  ASSERT_TRUE(cluster_.CreateTopic("keyed", 8));
  Start("topic: keyed\nformat: raw\nkey: \"{{user}}\"\n");
  std::vector<TestEvent> events;
  for (int i = 0; i < 400; ++i) {
    std::string user = "user" + std::to_string(i % 10);
    events.push_back({user + " " + std::to_string(i), {{"user", user}}});
  }
  events.push_back({"nobody"});  // no field, no key: still shipped
  Submit(events);
  ASSERT_TRUE(WaitAllAcked());
  KafkaTopicContents c = ReadKafkaTopic(cluster_.bootstrap(), "keyed");
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(c.messages.size(), 401u);
  std::map<std::string, std::set<int32_t>> partitions_of_key;
  std::set<int32_t> used;
  for (const auto& m : c.messages) {
    if (m.value == "nobody") {
      EXPECT_FALSE(m.has_key);
      continue;
    }
    ASSERT_TRUE(m.has_key);
    EXPECT_TRUE(m.value.starts_with(m.key + " ")) << m.value;
    partitions_of_key[m.key].insert(m.partition);
    used.insert(m.partition);
  }
  EXPECT_EQ(partitions_of_key.size(), 10u);
  for (const auto& [key, parts] : partitions_of_key) EXPECT_EQ(parts.size(), 1u) << key;
  EXPECT_GT(used.size(), 1u);  // ten keys do not all hash to one of eight partitions
}

TEST_F(KafkaSinkTest, TopicTemplateWithFallback) {
  Start("topic: \"logs-{{service}}\"\ntopic_fallback: logs-other\nformat: raw\n");
  Submit({{"a1", {{"service", "api"}}},
          {"w1", {{"service", "web"}}},
          {"x1"},
          {"a2", {{"service", "api"}}}});
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  EXPECT_THAT(SortedValues("logs-api"), ElementsAreArray({"a1", "a2"}));
  EXPECT_THAT(SortedValues("logs-web"), ElementsAreArray({"w1"}));
  EXPECT_THAT(SortedValues("logs-other"), ElementsAreArray({"x1"}));
}

TEST_F(KafkaSinkTest, UnusableTopicsAreDeadLetteredAndTheRestDelivered) {
  Start("topic: \"logs-{{service}}\"\nformat: raw\n");
  Submit({{"good", {{"service", "api"}}},
          {"no service"},
          {"bad name", {{"service", "has space"}}},
          {"good too", {{"service", "api"}}}});
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 1u);
  EXPECT_EQ(stats_.dead_letters->value(), 2u);
  EXPECT_EQ(stats_.events_out->value(), 2u);
  EXPECT_THAT(SortedValues("logs-api"), ElementsAreArray({"good", "good too"}));
  auto letters = DeadLetters();
  ASSERT_EQ(letters.size(), 2u);
  std::map<std::string, std::string> by_message;
  for (auto& [reason, message] : letters) by_message[message] = reason;
  EXPECT_THAT(by_message["no service"], HasSubstr("no topic_fallback"));
  EXPECT_THAT(by_message["bad name"], HasSubstr("'logs-has space'"));
}

TEST_F(KafkaSinkTest, OversizeMessageIsDeadLetteredAndTheRestDelivered) {
  Start("topic: sized\nformat: raw\noptions: {message.max.bytes: 2000}\n");
  Submit({{"small-1"}, {std::string(5000, 'x')}, {"small-2"}});
  SubmitNumbered("next", 0, 10);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 1u);
  EXPECT_EQ(stats_.dead_letters->value(), 1u);
  std::vector<std::string> expected = Numbered("next", 0, 10);
  expected.push_back("small-1");
  expected.push_back("small-2");
  EXPECT_EQ(SortedValues("sized"), Sorted(expected));
  auto letters = DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_THAT(letters[0].first, HasSubstr("MSG_SIZE_TOO_LARGE"));
  EXPECT_THAT(letters[0].first, HasSubstr("kafka topic 'sized'"));
  EXPECT_EQ(letters[0].second, std::string(5000, 'x'));
}

TEST_F(KafkaSinkTest, PermanentProduceErrorsFromTheBrokerAreDeadLettered) {
  ASSERT_TRUE(cluster_.CreateTopic("guarded", 1));
  Start("topic: guarded\nformat: raw\n");
  SubmitNumbered("warm", 0, 1);
  ASSERT_TRUE(WaitAllAcked());
  // The next Produce request is refused for good: its messages can never be delivered as they
  // are. (The mock reports partitions even for a topic with an authorization error in its
  // metadata, which librdkafka then keeps waiting on; a refused Produce is what a broker sends.)
  cluster_.FailProduceRequests(1, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  SubmitNumbered("denied", 0, 20);
  ASSERT_TRUE(WaitAllAcked());
  // librdkafka also marks the topic failed until its metadata is refreshed, so messages produced
  // right after may meet the same verdict: each event is delivered or dead-lettered, never lost.
  SubmitNumbered("after", 0, 20);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_GE(tracker_.rejected_batches(), 1u);
  auto letters = DeadLetters();
  ASSERT_FALSE(letters.empty());
  std::vector<std::string> all = SortedValues("guarded");
  for (const auto& [reason, message] : letters) {
    EXPECT_THAT(reason, HasSubstr("kafka topic 'guarded': Broker: Topic authorization failed "
                                  "(TOPIC_AUTHORIZATION_FAILED)"));
    EXPECT_FALSE(message.starts_with("warm-")) << message;
    all.push_back(message);
  }
  EXPECT_TRUE(letters[0].second.starts_with("denied-")) << letters[0].second;
  EXPECT_EQ(stats_.dead_letters->value(), letters.size());
  EXPECT_EQ(stats_.events_out->value() + letters.size(), 41u);
  // Every event is either in the topic or in the dead letters, exactly once.
  std::vector<std::string> expected = Numbered("warm", 0, 1);
  for (auto& s : Numbered("denied", 0, 20)) expected.push_back(s);
  for (auto& s : Numbered("after", 0, 20)) expected.push_back(s);
  EXPECT_EQ(Sorted(all), Sorted(expected));
}

TEST_F(KafkaSinkTest, UnknownTopicWithoutAutoCreateIsDeadLettered) {
  rd_kafka_mock_topic_set_error(cluster_.mock(), "missing",
                                RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  Start(
      "topic: \"{{t}}\"\nformat: raw\n"
      "options: {allow.auto.create.topics: false, topic.metadata.propagation.max.ms: 10}\n");
  Submit({{"lost", {{"t", "missing"}}}, {"kept", {{"t", "present"}}}});
  ASSERT_TRUE(cluster_.CreateTopic("present", 1));
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 1u);
  EXPECT_THAT(SortedValues("present"), ElementsAreArray({"kept"}));
  auto letters = DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].second, "lost");
  EXPECT_THAT(letters[0].first, HasSubstr("kafka topic 'missing'"));
}

TEST_F(KafkaSinkTest, RetriableProduceErrorsAreRetriedWithoutDuplicates) {
  ASSERT_TRUE(cluster_.CreateTopic("flaky", 4));
  cluster_.FailProduceRequests(6, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
  Start("topic: flaky\nformat: raw\n");
  for (int b = 0; b < 4; ++b) SubmitNumbered("m", b * 50, 50);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  // The idempotent producer retried them: each exactly once.
  EXPECT_EQ(SortedValues("flaky"), Sorted(Numbered("m", 0, 200)));
}

TEST_F(KafkaSinkTest, AFullLibrdkafkaQueueIsWaitedOutNotFailed) {
  // librdkafka holds at most 10 messages: most produce calls meet _QUEUE_FULL first.
  Start("topic: small\nformat: raw\noptions: {queue.buffering.max.messages: 10}\n");
  for (int b = 0; b < 3; ++b) SubmitNumbered("q", b * 100, 100);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  EXPECT_EQ(stats_.retries->value(), 0u);
  EXPECT_EQ(SortedValues("small"), Sorted(Numbered("q", 0, 300)));
}

TEST_F(KafkaSinkTest, DeliveryTimeoutIsNotALossTheMessagesGoOutAgain) {
  ASSERT_TRUE(cluster_.CreateTopic("late", 2));
  Start("topic: late\nformat: raw\noptions: {message.timeout.ms: 500}\n");
  SubmitNumbered("warm", 0, 5);
  ASSERT_TRUE(WaitAllAcked());
  cluster_.SetDown(-1);
  SubmitNumbered("late", 0, 20);
  // The reports say _MSG_TIMED_OUT; the sink counts a retry, says it is failing, and waits.
  ASSERT_TRUE(WaitUntil([&] { return stats_.retries->value() >= 2; }));
  EXPECT_FALSE(health_.ok());
  EXPECT_THAT(health_.snapshot().last_error, HasSubstr("producing them again"));
  EXPECT_EQ(tracker_.in_flight(), 1u);
  cluster_.SetUp(-1);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(health_.ok());
  std::vector<std::string> expected = Numbered("warm", 0, 5);
  for (auto& s : Numbered("late", 0, 20)) expected.push_back(s);
  // At least once: a timed-out message may have reached the log before its broker went away.
  std::vector<std::string> got = SortedValues("late");
  std::set<std::string> unique(got.begin(), got.end());
  EXPECT_EQ(std::vector<std::string>(unique.begin(), unique.end()), Sorted(expected));
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
}

TEST_F(KafkaSinkTest, AFatalProducerErrorReplacesTheProducerAndLosesNothing) {
  ASSERT_TRUE(cluster_.CreateTopic("fatal", 2));
  Start("topic: fatal\nformat: raw\noptions: {linger.ms: 100}\n");
  SubmitNumbered("before", 0, 50);
  ASSERT_TRUE(WaitAllAcked());
  // Messages still lingering in the producer when it dies are produced again by its successor.
  SubmitNumbered("around", 0, 50);
  ASSERT_TRUE(TriggerKafkaFatalErrorForTest(*sink_).ok());
  SubmitNumbered("after", 0, 50);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  std::vector<std::string> expected = Numbered("before", 0, 50);
  for (auto& s : Numbered("around", 0, 50)) expected.push_back(s);
  for (auto& s : Numbered("after", 0, 50)) expected.push_back(s);
  std::vector<std::string> got = SortedValues("fatal");
  std::set<std::string> unique(got.begin(), got.end());
  EXPECT_EQ(std::vector<std::string>(unique.begin(), unique.end()), Sorted(expected));
}

TEST_F(KafkaSinkTest, StopAtTheDeadlineLeavesUndeliveredBatchesUnacknowledged) {
  ASSERT_TRUE(cluster_.CreateTopic("stuck", 2));
  Start("topic: stuck\nformat: raw\n");
  SubmitNumbered("ok", 0, 5);
  ASSERT_TRUE(WaitAllAcked());
  cluster_.SetDown(-1);
  SubmitNumbered("stuck", 0, 5);
  Status st = sink_->Stop(RealClock().MonotonicNanos() + 300'000'000);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.ToString(), HasSubstr("1 batches not delivered by the stop deadline"));
  EXPECT_EQ(tracker_.in_flight(), 1u);  // read again next run
  sink_.reset();
}

TEST_F(KafkaSinkTest, StopFlushesWhatIsInFlight) {
  Start("topic: flush\nformat: raw\noptions: {linger.ms: 200}\n");
  for (int b = 0; b < 4; ++b) SubmitNumbered("f", b * 25, 25);
  Status st = sink_->Stop(RealClock().MonotonicNanos() + 30'000'000'000);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(tracker_.in_flight(), 0u);
  sink_.reset();
  EXPECT_EQ(SortedValues("flush"), Sorted(Numbered("f", 0, 100)));
}

TEST_F(KafkaSinkTest, AllBrokersDownMakesTheSinkFailingUntilItDeliversAgain) {
  Start("topic: health\nformat: raw\n");
  SubmitNumbered("a", 0, 3);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(health_.ok());
  cluster_.SetDown(-1);
  ASSERT_TRUE(WaitUntil([&] { return !health_.ok(); }));
  EXPECT_THAT(health_.snapshot().last_error, HasSubstr("ALL_BROKERS_DOWN"));
  cluster_.SetUp(-1);
  SubmitNumbered("b", 0, 3);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(WaitUntil([&] { return health_.ok(); }));
}

TEST_F(KafkaSinkTest, DeadLettersAreDurableBeforeTheBatchIsAcknowledged) {
  ScriptedFileSystem fs;
  Start("topic: dl\nformat: raw\noptions: {message.max.bytes: 2000}\n", fs);
  fs.FailSyncs(2);
  Submit({{std::string(3000, 'y')}, {"fits"}});
  ASSERT_TRUE(WaitUntil([&] { return fs.failed_syncs() >= 2; }));
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(tracker_.rejected_batches(), 1u);
  EXPECT_GE(stats_.retries->value(), 2u);
  auto letters = DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].second, std::string(3000, 'y'));
}

TEST_F(KafkaSinkTest, DroppedAndUnroutedEventsAreNotSent) {
  Start("topic: routed\nformat: raw\n");
  MutableBatch b = pool_.Acquire(60'000);
  ASSERT_NE(b, nullptr);
  for (int i = 0; i < 4; ++i) {
    Event& e = b->AddEvent();
    e.message = b->arena().Copy("r" + std::to_string(i));
    e.dropped = i == 1;
  }
  b->routes = {1, 1, 0, 1};  // one sink; event 2 is routed elsewhere
  uint64_t seq = tracker_.Register(b->sources());
  sink_->Submit(BatchPool::Freeze(std::move(b)), AckHandle(&tracker_, seq));
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_THAT(SortedValues("routed"), ElementsAreArray({"r0", "r3"}));
  EXPECT_EQ(stats_.events_out->value(), 2u);
}

}  // namespace
}  // namespace logship
