// SPDX-License-Identifier: Apache-2.0
#pragma once

// KafkaMockCluster is librdkafka's mock cluster inside the test process, for sink unit tests that
// need a real Kafka protocol peer and direct control over it (brokers down and up, injected
// request errors, topic errors) without a child process. Integration tests use the
// kafka_test_broker tool instead (kafka_test_broker.h). Each partition keeps only its last 5 MiB.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>

namespace logship::testing {

class KafkaMockCluster {
 public:
  explicit KafkaMockCluster(int brokers = 3);
  ~KafkaMockCluster();
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  bool ok() const { return mock_ != nullptr; }
  const std::string& bootstrap() const { return bootstrap_; }
  // For rd_kafka_mock_* calls (broker_set_down, push_request_errors, topic_set_error, ...).
  rd_kafka_mock_cluster_t* mock() { return mock_; }

  // Creates `topic` with `partitions` partitions (replication factor 3, leaders spread).
  bool CreateTopic(const std::string& topic, int partitions);
  // Takes broker `id` (1..3, or -1 for all) down or up.
  void SetDown(int id) { rd_kafka_mock_broker_set_down(mock_, id); }
  void SetUp(int id) { rd_kafka_mock_broker_set_up(mock_, id); }
  // The next `n` Produce requests fail with `err`.
  void FailProduceRequests(int n, rd_kafka_resp_err_t err);

 private:
  int brokers_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mock_ = nullptr;
  std::string bootstrap_;
};

}  // namespace logship::testing
