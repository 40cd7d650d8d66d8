// SPDX-License-Identifier: Apache-2.0
// The kafka sink's options: defaults, librdkafka properties checked by librdkafka at load time
// with positions, secrets never echoed, topic names checked, the error classes.

#include "sinks/kafka/kafka_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <string>

#include "sinks/kafka/kafka_errors.h"
#include "src/config/config_node.h"

namespace logship {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class KafkaOptionsTest : public ::testing::Test {
 protected:
  KafkaOptionsTest() {
    ctx_.pipeline = "app";
    ctx_.component = "pipelines.app.sinks[0]";
    ctx_.base_dir = "/etc/logship";
    ctx_.data_dir = "/var/lib/logship/app";
    ctx_.sink_index = 0;
    ctx_.errors = &errors_;
    ctx_.claims = &claims_;
  }

  Result<KafkaSinkOptions> Parse(std::string_view yaml) {
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "pipeline.yaml");
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    if (!node.ok()) return node.status();
    return ParseKafkaSinkOptions(*node, ctx_);
  }

  static std::map<std::string, std::string> Properties(const KafkaSinkOptions& o) {
    std::map<std::string, std::string> m;
    for (const auto& [k, v] : o.properties) m[k] = v;  // later ones win, as in librdkafka
    return m;
  }

  PluginContext ctx_;
  ConfigErrors errors_;
  ResourceClaims claims_;
};

TEST_F(KafkaOptionsTest, DefaultsAreIdempotentAcksAllJsonNoCompression) {
  Result<KafkaSinkOptions> o = Parse("type: kafka\nbrokers: \"k1:9092,k2:9092\"\ntopic: logs\n");
  ASSERT_TRUE(o.ok()) << errors_.ToString();
  auto p = Properties(*o);
  EXPECT_EQ(p["bootstrap.servers"], "k1:9092,k2:9092");
  EXPECT_EQ(p["enable.idempotence"], "true");
  EXPECT_EQ(p["acks"], "all");
  EXPECT_EQ(p["compression.codec"], "none");
  EXPECT_EQ(o->format, KafkaFormat::kJson);
  EXPECT_FALSE(o->has_key);
  EXPECT_TRUE(o->topic.literal());
  EXPECT_EQ(o->queue_batches, 4);
  EXPECT_EQ(o->max_batches_in_flight, 8);
  EXPECT_EQ(o->dead_letter.spool.dir, "/var/lib/logship/app/dead_letter/0");
}

TEST_F(KafkaOptionsTest, ReadsEveryDocumentedOption) {
  Result<KafkaSinkOptions> o = Parse(
      "type: kafka\n"
      "brokers: k1:9092\n"
      "topic: \"logs-{{service}}\"\n"
      "topic_fallback: logs-unknown\n"
      "key: \"{{host.name}}\"\n"
      "format: raw\n"
      "compression: lz4\n"
      "acks: all\n"
      "queue_batches: 2\n"
      "max_batches_in_flight: 16\n"
      "dead_letter: {path: dlq}\n"
      "options:\n"
      "  linger.ms: 20\n"
      "  message.max.bytes: 2000000\n");
  ASSERT_TRUE(o.ok()) << errors_.ToString();
  auto p = Properties(*o);
  EXPECT_EQ(p["compression.codec"], "lz4");
  EXPECT_EQ(p["linger.ms"], "20");
  EXPECT_EQ(p["message.max.bytes"], "2000000");
  EXPECT_FALSE(o->topic.literal());
  EXPECT_EQ(o->topic_fallback, "logs-unknown");
  EXPECT_TRUE(o->has_key);
  EXPECT_EQ(o->key.text(), "{{host.name}}");
  EXPECT_EQ(o->format, KafkaFormat::kRaw);
  EXPECT_EQ(o->queue_batches, 2);
  EXPECT_EQ(o->max_batches_in_flight, 16);
  EXPECT_EQ(o->dead_letter.spool.dir, "/etc/logship/dlq");
}

TEST_F(KafkaOptionsTest, UnknownLibrdkafkaPropertyIsAnErrorAtItsKey) {
  Result<KafkaSinkOptions> o = Parse(
      "type: kafka\n"
      "brokers: k1:9092\n"
      "topic: logs\n"
      "options:\n"
      "  linger.ms: 5\n"
      "  no.such.property: 1\n");
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(errors_.ToString(),
              HasSubstr("pipeline.yaml:6:3: options: unknown librdkafka property "
                        "'no.such.property'"));
}

TEST_F(KafkaOptionsTest, BadLibrdkafkaValueIsAnErrorAtTheValue) {
  Result<KafkaSinkOptions> o = Parse(
      "type: kafka\n"
      "brokers: k1:9092\n"
      "topic: logs\n"
      "options:\n"
      "  linger.ms: soon\n");
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(errors_.ToString(), HasSubstr("pipeline.yaml:5:14: options: property 'linger.ms'"));
}

TEST_F(KafkaOptionsTest, SecretValuesAreNeverEchoed) {
  ::setenv("LOGSHIP_TEST_KAFKA_PASSWORD", "hunter2-secret", 1);
  Result<KafkaSinkOptions> good = Parse(
      "type: kafka\n"
      "brokers: k1:9092\n"
      "topic: logs\n"
      "options:\n"
      "  security.protocol: SASL_SSL\n"
      "  sasl.mechanisms: SCRAM-SHA-512\n"
      "  sasl.username: shipper\n"
      "  sasl.password: \"${LOGSHIP_TEST_KAFKA_PASSWORD}\"\n");
  ASSERT_TRUE(good.ok()) << errors_.ToString();
  EXPECT_EQ(Properties(*good)["sasl.password"], "hunter2-secret");
  EXPECT_THAT(good->secret_values, ::testing::ElementsAre("hunter2-secret"));
  EXPECT_EQ(RedactSecrets("auth with hunter2-secret failed", good->secret_values),
            "auth with <redacted> failed");

  // librdkafka quotes a bad value in its complaint; for a secret the value stays hidden.
  Result<KafkaSinkOptions> bad = Parse(
      "type: kafka\n"
      "brokers: k1:9092\n"
      "topic: logs\n"
      "options:\n"
      "  ssl.key.password: [hunter2-secret]\n"
      "  sasl.oauthbearer.client.secret: \"${LOGSHIP_TEST_KAFKA_PASSWORD}\"\n"
      "  sasl.oauthbearer.method: hunter2-secret\n");
  ASSERT_FALSE(bad.ok());
  std::string text = errors_.ToString();
  EXPECT_THAT(text, HasSubstr("sasl.oauthbearer.method"));
  // The method is not a secret: its bad value may be shown. The secret ones never are.
  EXPECT_THAT(text, HasSubstr("pipeline.yaml:5:"));
  size_t first = text.find("hunter2-secret");
  size_t method = text.find("sasl.oauthbearer.method");
  ASSERT_NE(method, std::string::npos);
  EXPECT_TRUE(first == std::string::npos || first > method) << text;
  ::unsetenv("LOGSHIP_TEST_KAFKA_PASSWORD");
}

TEST_F(KafkaOptionsTest, PropertiesOwnedBySinkOptionsAreRefused) {
  Result<KafkaSinkOptions> o = Parse(
      "type: kafka\n"
      "brokers: k1:9092\n"
      "topic: logs\n"
      "options:\n"
      "  bootstrap.servers: other:9092\n"
      "  compression.type: gzip\n"
      "  delivery.report.only.error: true\n");
  ASSERT_FALSE(o.ok());
  std::string text = errors_.ToString();
  EXPECT_THAT(text, HasSubstr("pipeline.yaml:5:3: options: property 'bootstrap.servers' cannot "
                              "be set here: set by the sink's 'brokers' option"));
  EXPECT_THAT(text, HasSubstr("pipeline.yaml:6:3:"));
  EXPECT_THAT(text, HasSubstr("pipeline.yaml:7:3:"));
}

TEST_F(KafkaOptionsTest, AcksOneNeedsIdempotenceOff) {
  EXPECT_FALSE(Parse("type: kafka\nbrokers: k:1\ntopic: t\nacks: 1\n").ok());
  EXPECT_THAT(errors_.ToString(), HasSubstr("pipeline.yaml:4:7: option 'acks': acks 1 needs"));
  errors_ = ConfigErrors();
  Result<KafkaSinkOptions> o =
      Parse("type: kafka\nbrokers: k:1\ntopic: t\nacks: 1\noptions: {enable.idempotence: false}\n");
  ASSERT_TRUE(o.ok()) << errors_.ToString();
  EXPECT_EQ(Properties(*o)["acks"], "1");
  EXPECT_EQ(Properties(*o)["enable.idempotence"], "false");
}

TEST_F(KafkaOptionsTest, TopicsMustBeLegalKafkaNames) {
  EXPECT_FALSE(Parse("type: kafka\nbrokers: k:1\ntopic: \"bad topic\"\n").ok());
  EXPECT_THAT(errors_.ToString(),
              HasSubstr("pipeline.yaml:3:8: option 'topic': 'bad topic' is not a valid Kafka "
                        "topic name"));
  errors_ = ConfigErrors();
  EXPECT_FALSE(Parse("type: kafka\nbrokers: k:1\ntopic: \"logs/{{service}}\"\n").ok());
  EXPECT_THAT(errors_.ToString(), HasSubstr("contains '/'"));
  errors_ = ConfigErrors();
  EXPECT_FALSE(
      Parse("type: kafka\nbrokers: k:1\ntopic: \"l-{{s}}\"\ntopic_fallback: \"..\"\n").ok());
  EXPECT_THAT(errors_.ToString(), HasSubstr("pipeline.yaml:4:17:"));
  errors_ = ConfigErrors();
  EXPECT_FALSE(Parse("type: kafka\nbrokers: k:1\ntopic: \"l-{{s\"\n").ok());
  EXPECT_FALSE(errors_.empty());
}

TEST_F(KafkaOptionsTest, RequiredAndUnknownKeysAndEnums) {
  EXPECT_FALSE(Parse("type: kafka\ntopic: t\nformat: xml\ncompression: brotli\nlinger: 1\n").ok());
  std::string text = errors_.ToString();
  EXPECT_THAT(text, HasSubstr("missing required option 'brokers'"));
  EXPECT_THAT(text, HasSubstr("pipeline.yaml:3:9:"));
  EXPECT_THAT(text, HasSubstr("pipeline.yaml:4:14:"));
  EXPECT_THAT(text, HasSubstr("pipeline.yaml:5:1:"));
}

TEST(IsValidTopicNameTest, FollowsKafkaRules) {
  EXPECT_TRUE(IsValidTopicName("logs-app_1.v2"));
  EXPECT_FALSE(IsValidTopicName(""));
  EXPECT_FALSE(IsValidTopicName("."));
  EXPECT_FALSE(IsValidTopicName(".."));
  EXPECT_FALSE(IsValidTopicName("a b"));
  EXPECT_FALSE(IsValidTopicName(std::string(250, 'a')));
  EXPECT_TRUE(IsValidTopicName(std::string(249, 'a')));
}

TEST(KafkaErrorsTest, TransientErrorsAreRetriedAndVerdictsDeadLettered) {
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT), KafkaErrorClass::kRetriable);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__TRANSPORT), KafkaErrorClass::kRetriable);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION),
            KafkaErrorClass::kRetriable);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__PURGE_QUEUE), KafkaErrorClass::kRetriable);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__FATAL), KafkaErrorClass::kRetriable);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__IN_PROGRESS), KafkaErrorClass::kRetriable);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__QUEUE_FULL), KafkaErrorClass::kQueueFull);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE), KafkaErrorClass::kPermanent);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED),
            KafkaErrorClass::kPermanent);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC), KafkaErrorClass::kPermanent);
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION), KafkaErrorClass::kPermanent);
  EXPECT_THAT(DescribeKafkaError(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE),
              AllOf(HasSubstr("MSG_SIZE_TOO_LARGE"), Not(HasSubstr("RD_KAFKA"))));
}

}  // namespace
}  // namespace logship
