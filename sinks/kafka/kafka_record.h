// SPDX-License-Identifier: Apache-2.0
#pragma once

// KafkaRecord is one batch in flight at the kafka sink: the frozen batch (kept for dead letters
// and re-produces), its acknowledgement, one buffer holding every message's value and key, and one
// KafkaMessage per routed event. librdkafka's messages point into `buffer` (produced without
// RD_KAFKA_MSG_F_COPY), which is not touched again until every report of the record is in; each
// message's opaque is its KafkaMessage. Records are recycled with their capacity, so steady-state
// sending allocates nothing per event in logship.
//
// Threads: the worker fills and re-produces a record; delivery reports (poll thread) write only
// their own message's `err` and count `outstanding` down. Whoever takes `outstanding` to zero
// owns the record from then on (the acq_rel on the counter orders the writes).

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "src/event/batch.h"
#include "src/event/output_buffer.h"
#include "src/pipeline/ack.h"

namespace logship {

struct KafkaRecord;

// Why a message could not even be produced (no broker involved).
enum class KafkaLocalError : unsigned char {
  kNone,
  kTopicFieldMissing,  // the topic template's field is missing and there is no topic_fallback
  kInvalidTopic,       // the rendered topic is not a legal Kafka topic name
};

// Where a message stands. Only the worker reads and writes it, while it owns the record.
enum class KafkaMessageState : unsigned char {
  kPending,    // produced (or to be produced again); its fate is in `err` once reported
  kDelivered,  // a successful report came in
  kDead,       // added to the dead-letter spool
};

struct KafkaMessage {
  KafkaRecord* record = nullptr;
  rd_kafka_topic_t* topic = nullptr;  // null when local != kNone
  uint32_t event = 0;                 // index in the batch
  KafkaLocalError local = KafkaLocalError::kNone;
  KafkaMessageState state = KafkaMessageState::kPending;
  bool has_key = false;
  // The last report, or the produce error. _IN_PROGRESS from produce until the report comes, so a
  // message whose report never came (a producer destroyed under it) never reads as delivered.
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  size_t value_offset = 0;
  size_t value_size = 0;
  size_t key_offset = 0;
  size_t key_size = 0;
};

struct KafkaRecord {
  BatchPtr batch;
  AckHandle ack;
  OutputBuffer buffer;
  std::vector<KafkaMessage> messages;
  // Reports still to come, plus one held by the worker while it produces (so that early reports
  // cannot complete the record before its last message is handed over).
  std::atomic<int64_t> outstanding{0};
  // Some message failed (locally, at produce time, or in its report) in the current round.
  std::atomic<bool> failed{false};

  // Worker-only bookkeeping between rounds.
  int attempt = 0;          // rounds that ended with a retriable failure (or a failed fsync)
  int64_t retry_at_ns = 0;  // monotonic time of the next round
  size_t dead = 0;          // messages dead-lettered so far

  std::string_view Value(const KafkaMessage& m) const {
    return std::string_view(buffer.data() + m.value_offset, m.value_size);
  }
  std::string_view Key(const KafkaMessage& m) const {
    return std::string_view(buffer.data() + m.key_offset, m.key_size);
  }
  // Clears what the previous batch left, keeping capacity.
  void Reset() {
    batch.reset();
    ack = AckHandle();
    buffer.clear();
    messages.clear();
    outstanding.store(0, std::memory_order_relaxed);
    failed.store(false, std::memory_order_relaxed);
    attempt = 0;
    retry_at_ns = 0;
    dead = 0;
  }
};

}  // namespace logship
