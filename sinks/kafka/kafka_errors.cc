// SPDX-License-Identifier: Apache-2.0
#include "sinks/kafka/kafka_errors.h"

namespace logship {
namespace {

struct Entry {
  rd_kafka_resp_err_t err;
  KafkaErrorClass cls;
};

constexpr KafkaErrorClass kRetry = KafkaErrorClass::kRetriable;
constexpr KafkaErrorClass kDead = KafkaErrorClass::kPermanent;

// Listed explicitly, even where the default would give the same answer, so that the decision for
// every code a producer meets in practice can be read (and tested) here.
constexpr Entry kTable[] = {
    {RD_KAFKA_RESP_ERR__QUEUE_FULL, KafkaErrorClass::kQueueFull},

    // librdkafka gave up waiting: delivery.timeout.ms (message.timeout.ms) expired while brokers
    // were down, leaders moving, or requests timing out. Not a loss: the message goes out again.
    {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, kRetry},
    {RD_KAFKA_RESP_ERR__TIMED_OUT, kRetry},
    {RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, kRetry},
    // The network and the cluster: librdkafka normally retries these itself; if one still reaches
    // a report, it is about the cluster's state, not about the message.
    {RD_KAFKA_RESP_ERR__TRANSPORT, kRetry},
    {RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, kRetry},
    {RD_KAFKA_RESP_ERR__RESOLVE, kRetry},
    {RD_KAFKA_RESP_ERR__NODE_UPDATE, kRetry},
    {RD_KAFKA_RESP_ERR__ISR_INSUFF, kRetry},
    {RD_KAFKA_RESP_ERR__WAIT_COORD, kRetry},
    {RD_KAFKA_RESP_ERR__RETRY, kRetry},
    {RD_KAFKA_RESP_ERR__STATE, kRetry},
    {RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, kRetry},
    {RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, kRetry},
    {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, kRetry},
    {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, kRetry},
    {RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE, kRetry},
    {RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE, kRetry},
    {RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, kRetry},
    {RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, kRetry},
    {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, kRetry},
    {RD_KAFKA_RESP_ERR_NOT_COORDINATOR, kRetry},
    {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, kRetry},
    {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, kRetry},
    {RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, kRetry},
    {RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH, kRetry},
    {RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH, kRetry},
    {RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE, kRetry},
    {RD_KAFKA_RESP_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE, kRetry},
    {RD_KAFKA_RESP_ERR_REASSIGNMENT_IN_PROGRESS, kRetry},
    {RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED, kRetry},
    // Vector retries this too: some Kafka-compatible services (Azure Event Hubs) use it for
    // quota breaches.
    {RD_KAFKA_RESP_ERR_POLICY_VIOLATION, kRetry},
    // Producer-wide conditions: every message would fail the same way until an operator fixes
    // the credentials or ACLs. Dead-lettering the whole stream would be worse than waiting:
    // reading pauses and the lines stay in their files.
    {RD_KAFKA_RESP_ERR__AUTHENTICATION, kRetry},
    {RD_KAFKA_RESP_ERR__SSL, kRetry},
    {RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, kRetry},
    {RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM, kRetry},
    {RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE, kRetry},
    {RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, kRetry},
    // The idempotent producer's sequence bookkeeping: librdkafka bumps the epoch and goes on, or
    // raises a fatal error; either way the message itself is fine.
    {RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, kRetry},
    {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID, kRetry},
    {RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, kRetry},
    {RD_KAFKA_RESP_ERR_PRODUCER_FENCED, kRetry},
    {RD_KAFKA_RESP_ERR__FATAL, kRetry},
    {RD_KAFKA_RESP_ERR__INCONSISTENT, kRetry},
    {RD_KAFKA_RESP_ERR__GAPLESS_GUARANTEE, kRetry},
    // The sink itself purged or destroyed the producer (shutdown): such a batch is never
    // acknowledged, so its lines are read again at the next start.
    {RD_KAFKA_RESP_ERR__PURGE_QUEUE, kRetry},
    {RD_KAFKA_RESP_ERR__PURGE_INFLIGHT, kRetry},
    {RD_KAFKA_RESP_ERR__DESTROY, kRetry},
    // No report ever came: the producer was destroyed (replaced after a fatal error) first.
    {RD_KAFKA_RESP_ERR__IN_PROGRESS, kRetry},

    // Verdicts about this message: sending it again gives the same answer.
    {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, kDead},
    {RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, kDead},
    {RD_KAFKA_RESP_ERR_INVALID_MSG, kDead},
    {RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE, kDead},
    {RD_KAFKA_RESP_ERR_INVALID_RECORD, kDead},
    {RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP, kDead},
    {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, kDead},
    {RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, kDead},
    {RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, kDead},
    {RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, kDead},
    {RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, kDead},
    {RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS, kDead},
    {RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT, kDead},
    {RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE, kDead},
    {RD_KAFKA_RESP_ERR__BAD_MSG, kDead},
    {RD_KAFKA_RESP_ERR__INVALID_ARG, kDead},
    {RD_KAFKA_RESP_ERR__BAD_COMPRESSION, kDead},
};

}  // namespace

KafkaErrorClass ClassifyKafkaError(rd_kafka_resp_err_t err) {
  for (const Entry& e : kTable) {
    if (e.err == err) return e.cls;
  }
  return KafkaErrorClass::kPermanent;
}

std::string DescribeKafkaError(rd_kafka_resp_err_t err) {
  std::string out = rd_kafka_err2str(err);
  out += " (";
  out += rd_kafka_err2name(err);
  out += ")";
  return out;
}

}  // namespace logship
