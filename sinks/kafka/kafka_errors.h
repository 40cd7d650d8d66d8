// SPDX-License-Identifier: Apache-2.0
#pragma once

// What a librdkafka error means for the message it hit, from produce() or from a delivery report.
// librdkafka already retries every error Kafka marks retriable (leader changes, broker restarts,
// request timeouts) until `delivery.timeout.ms`; what reaches the sink is either that timeout, a
// producer-wide condition (all brokers down, authentication, a fatal idempotence error, a purge),
// or a verdict about this one message. The first two are waited out and the message is produced
// again; only the verdicts about the message itself dead-letter it (Vector's kafka service.rs
// splits the same way). The table lives in kafka_errors.cc.

#include <librdkafka/rdkafka.h>

#include <string>

namespace logship {

enum class KafkaErrorClass : unsigned char {
  kQueueFull,  // produce(): librdkafka's local queue is full; wait for deliveries, then produce
  kRetriable,  // transient or producer-wide: produce the message again, it is not lost
  kPermanent,  // this message can never be delivered as it is: dead-letter it
};

// Classifies `err` (not RD_KAFKA_RESP_ERR_NO_ERROR). Codes missing from the table are permanent:
// librdkafka only reports such a code once it has decided the message cannot be delivered.
KafkaErrorClass ClassifyKafkaError(rd_kafka_resp_err_t err);

// "Broker: Message size too large (MSG_SIZE_TOO_LARGE)": librdkafka's text and the code's name.
std::string DescribeKafkaError(rd_kafka_resp_err_t err);

}  // namespace logship
