// SPDX-License-Identifier: Apache-2.0
#pragma once

// The options of a `type: kafka` sink, read and checked at load time, so that `logship validate`
// catches what the producer would refuse at start-up:
//
//   - type: kafka
//     brokers: "kafka-1:9092,kafka-2:9092"   # required: bootstrap.servers
//     topic: "logs-{{service}}"              # required: a template over event fields
//     topic_fallback: logs-unknown           # when a field of `topic` is missing
//     key: "{{host.name}}"                   # optional template; same key, same partition
//     format: json                           # json (the whole event) | raw (`message` only)
//     compression: lz4                       # none | gzip | snappy | lz4 | zstd
//     acks: all                              # all | 1 | 0 (all needs enable.idempotence)
//     options: {linger.ms: 20}               # any librdkafka property, checked by librdkafka
//     queue_batches: 4                       # batches waiting before Submit blocks
//     max_batches_in_flight: 8               # batches produced and not yet fully reported
//     dead_letter: {path: ./dlq}             # see src/pipeline/dead_letter.h
//
// Every `options` key is set on a scratch librdkafka configuration at load time: an unknown
// property or a bad value is a configuration error at that key or value. The values of secret
// properties (IsSecretOptionName: sasl.password, ssl.key.password, ...) are never echoed.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/dead_letter.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/template.h"

namespace logship {

enum class KafkaFormat : unsigned char { kJson, kRaw };

struct KafkaSinkOptions {
  std::string brokers;
  Template topic;
  std::string topic_fallback;  // empty: none; else a valid topic name
  bool has_key = false;
  Template key;
  KafkaFormat format = KafkaFormat::kJson;
  int queue_batches = 4;
  int max_batches_in_flight = 8;
  DeadLetterOptions dead_letter;
  // Every librdkafka property the producer gets, in the order it gets them: logship's defaults
  // (bootstrap.servers, client.id, enable.idempotence, acks, compression.codec), then the
  // user's `options`, which may override the defaults.
  std::vector<std::pair<std::string, std::string>> properties;
  // Values of the secret properties, so anything librdkafka logs can be scrubbed of them.
  std::vector<std::string> secret_values;
};

// Reads and validates the options of one kafka sink. Every problem goes to ctx.errors with its
// position; then the result is InvalidArgument(component, "invalid options"). No I/O; the
// dead-letter path is claimed in ctx.claims. REQUIRES: ctx.sink_index >= 0.
Result<KafkaSinkOptions> ParseKafkaSinkOptions(const ConfigNode& node, PluginContext& ctx);

// True when `name` is a legal Kafka topic name: 1 to 249 of [A-Za-z0-9._-], neither "." nor "..".
bool IsValidTopicName(std::string_view name);

// Replaces every occurrence of each non-empty `secrets` value in `text` with "<redacted>".
std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets);

}  // namespace logship
