// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reads a whole Kafka topic back for a test: a librdkafka consumer assign()s every partition from
// its beginning and consumes up to the high watermark each partition had when reading began. No
// consumer group is joined (the mock cluster makes a join wait ~3 s), and each read uses a unique
// group.id. Call it once the producer side is done (logship acknowledged everything).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace logship::testing {

struct KafkaReadMessage {
  int32_t partition = -1;
  int64_t offset = -1;
  bool has_key = false;
  std::string key;
  std::string value;
};

struct KafkaTopicContents {
  std::string error;                       // empty on success
  int partitions = 0;                      // partitions the topic has
  std::vector<KafkaReadMessage> messages;  // by partition, then offset

  // The values of one partition, in offset order.
  std::vector<std::string> Values(int32_t partition) const;
  // Every value, partition after partition.
  std::vector<std::string> AllValues() const;
};

// Reads `topic` from the cluster at `bootstrap` (everything up to the current high watermarks).
// An unknown topic gives error "unknown topic".
KafkaTopicContents ReadKafkaTopic(const std::string& bootstrap, const std::string& topic);

// The sum of `topic`'s high watermarks (messages ever appended), or -1 when the topic is unknown
// or the cluster does not answer. Cheap enough to poll while a producer runs.
int64_t KafkaTopicEndOffsets(const std::string& bootstrap, const std::string& topic);

}  // namespace logship::testing
