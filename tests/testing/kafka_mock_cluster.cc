// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/kafka_mock_cluster.h"

#include <vector>

namespace logship::testing {

KafkaMockCluster::KafkaMockCluster(int brokers) : brokers_(brokers) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the cluster; it connects nowhere.
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return;
  }
  mock_ = rd_kafka_mock_cluster_new(rk_, brokers);
  if (mock_ != nullptr) bootstrap_ = rd_kafka_mock_cluster_bootstraps(mock_);
}

KafkaMockCluster::~KafkaMockCluster() {
  if (mock_ != nullptr) rd_kafka_mock_cluster_destroy(mock_);
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

bool KafkaMockCluster::CreateTopic(const std::string& topic, int partitions) {
  return rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions,
                                    brokers_ < 3 ? brokers_ : 3) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

void KafkaMockCluster::FailProduceRequests(int n, rd_kafka_resp_err_t err) {
  std::vector<rd_kafka_resp_err_t> errs(static_cast<size_t>(n), err);
  rd_kafka_mock_push_request_errors_array(mock_, 0 /* Produce */, errs.size(), errs.data());
}

}  // namespace logship::testing
