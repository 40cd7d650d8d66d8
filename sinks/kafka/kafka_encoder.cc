// SPDX-License-Identifier: Apache-2.0
#include "sinks/kafka/kafka_encoder.h"

#include "sinks/kafka/kafka_errors.h"

namespace logship {

void KafkaEncoder::Encode(KafkaRecord& rec, KafkaProducer& producer) {
  const Batch& batch = *rec.batch;
  const std::vector<Event>& events = batch.events();
  rec.buffer.clear();
  rec.messages.clear();
  for (size_t i = 0; i < events.size(); ++i) {
    if (!batch.RoutedTo(sink_index_, i)) continue;
    const Event& event = events[i];
    KafkaMessage& m = rec.messages.emplace_back();
    m.record = &rec;
    m.event = static_cast<uint32_t>(i);
    m.topic = TopicFor(batch, event, producer, &m.local);
    if (m.local != KafkaLocalError::kNone) rec.failed.store(true, std::memory_order_relaxed);
    // A key whose field is missing is no key: librdkafka's partitioner then spreads the
    // messages instead of piling them on the partition of "".
    if (options_.has_key && options_.key.Render(batch, event, key_)) {
      m.has_key = true;
      m.key_offset = rec.buffer.size();
      m.key_size = key_.size();
      rec.buffer.Append(key_);
    }
    m.value_offset = rec.buffer.size();
    if (options_.format == KafkaFormat::kJson) {
      json_.WriteEvent(batch, event, rec.buffer);
    } else {
      std::optional<std::string_view> text = GetFieldText(batch, event, message_field_, scratch_);
      if (text) rec.buffer.Append(*text);
    }
    m.value_size = rec.buffer.size() - m.value_offset;
  }
}

rd_kafka_topic_t* KafkaEncoder::TopicFor(const Batch& batch, const Event& event,
                                         KafkaProducer& producer, KafkaLocalError* local) {
  *local = KafkaLocalError::kNone;
  const std::string* name = &options_.topic.text();
  if (!options_.topic.literal()) {
    if (options_.topic.Render(batch, event, topic_)) {
      name = &topic_;
    } else if (!options_.topic_fallback.empty()) {
      name = &options_.topic_fallback;
    } else {
      *local = KafkaLocalError::kTopicFieldMissing;
      return nullptr;
    }
    // A literal topic and the fallback were checked at load time; a rendered one is checked
    // here, before librdkafka sees it (a cached name was valid when it was cached).
    if (name == &topic_ && !IsValidTopicName(topic_)) {
      *local = KafkaLocalError::kInvalidTopic;
      return nullptr;
    }
  }
  rd_kafka_topic_t* topic = producer.Topic(*name);
  if (topic == nullptr) *local = KafkaLocalError::kInvalidTopic;
  return topic;
}

void KafkaEncoder::ResolveTopic(const KafkaRecord& rec, KafkaMessage& m, KafkaProducer& producer) {
  m.topic = TopicFor(*rec.batch, rec.batch->events()[m.event], producer, &m.local);
}

std::string_view KafkaEncoder::DeadLetterEvent(const KafkaRecord& rec, const KafkaMessage& m) {
  if (options_.format == KafkaFormat::kJson) return rec.Value(m);
  letter_.clear();
  json_.WriteEvent(*rec.batch, rec.batch->events()[m.event], letter_);
  return letter_.view();
}

std::string KafkaEncoder::DeadLetterReason(const KafkaRecord& rec, const KafkaMessage& m) {
  const Batch& batch = *rec.batch;
  const Event& event = batch.events()[m.event];
  switch (m.local) {
    case KafkaLocalError::kTopicFieldMissing:
      return "topic template '" + options_.topic.text() +
             "' names a field this event does not have, and there is no topic_fallback";
    case KafkaLocalError::kInvalidTopic: {
      std::string rendered;
      options_.topic.Render(batch, event, rendered);
      return "topic '" + rendered + "' (from template '" + options_.topic.text() +
             "') is not a valid Kafka topic name (1 to 249 of A-Z a-z 0-9 . _ -)";
    }
    case KafkaLocalError::kNone:
      break;
  }
  // Rendered again rather than read from the handle, which belongs to a producer that may have
  // been replaced since.
  std::string topic;
  if (options_.topic.literal() || !options_.topic.Render(batch, event, topic)) {
    topic = options_.topic.literal() ? options_.topic.text() : options_.topic_fallback;
  }
  return "kafka topic '" + topic + "': " + DescribeKafkaError(m.err);
}

}  // namespace logship
