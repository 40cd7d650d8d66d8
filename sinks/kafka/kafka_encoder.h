// SPDX-License-Identifier: Apache-2.0
#pragma once

// KafkaEncoder turns a batch into the messages of a KafkaRecord: for each event routed to the
// sink, its topic (the template rendered, checked, or the fallback), its key, and its value (the
// event as JSON, or its message for `format: raw`), all written once into the record's buffer.
// It also writes what a dead letter needs: the event as JSON and why it was rejected.
// Keeps scratch space, so encoding allocates nothing per event once warm. One thread only.

#include <string>
#include <string_view>

#include "sinks/kafka/kafka_options.h"
#include "sinks/kafka/kafka_producer.h"
#include "sinks/kafka/kafka_record.h"
#include "src/event/field_ref.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"

namespace logship {

class KafkaEncoder {
 public:
  KafkaEncoder(const KafkaSinkOptions& options, size_t sink_index)
      : options_(options), sink_index_(sink_index), message_field_("message") {}

  // Fills rec.buffer and rec.messages from rec.batch (both emptied first). Messages whose topic
  // is unusable get `local` set and no topic handle; rec.failed is set for them.
  void Encode(KafkaRecord& rec, KafkaProducer& producer);

  // Looks up `m`'s topic again in `producer` (after the previous producer was replaced).
  void ResolveTopic(const KafkaRecord& rec, KafkaMessage& m, KafkaProducer& producer);

  // The event of `m` as JSON, for its dead letter; valid until the next call.
  std::string_view DeadLetterEvent(const KafkaRecord& rec, const KafkaMessage& m);
  // Why `m` was rejected, for its dead letter and the log.
  std::string DeadLetterReason(const KafkaRecord& rec, const KafkaMessage& m);

 private:
  // The topic handle for `event`, or nullptr with `*local` saying why.
  rd_kafka_topic_t* TopicFor(const Batch& batch, const Event& event, KafkaProducer& producer,
                             KafkaLocalError* local);

  const KafkaSinkOptions& options_;
  const size_t sink_index_;
  const FieldRef message_field_;
  JsonWriter json_;
  std::string topic_;    // rendered topic
  std::string key_;      // rendered key
  std::string scratch_;  // number formatting for raw messages
  OutputBuffer letter_;  // dead-letter event JSON
};

}  // namespace logship
