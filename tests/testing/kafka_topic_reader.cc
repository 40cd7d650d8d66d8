// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/kafka_topic_reader.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>

namespace logship::testing {
namespace {

std::atomic<int> group_counter{0};
constexpr int kTimeoutMs = 30'000;

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const {
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
  }
};

bool Set(rd_kafka_conf_t* conf, const char* name, const std::string& value, std::string* error) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof(errstr)) == RD_KAFKA_CONF_OK) {
    return true;
  }
  *error = std::string(name) + ": " + errstr;
  return false;
}

// A consumer for `bootstrap` with a group.id of its own, or null with *error set.
std::unique_ptr<rd_kafka_t, KafkaDeleter> NewConsumer(const std::string& bootstrap,
                                                      std::string* error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::string group = "logship-test-reader-" + std::to_string(::getpid()) + "-" +
                      std::to_string(group_counter.fetch_add(1));
  if (!Set(conf, "bootstrap.servers", bootstrap, error) || !Set(conf, "group.id", group, error) ||
      !Set(conf, "enable.auto.commit", "false", error) ||
      // A reader asks about topics; it must never create one.
      !Set(conf, "allow.auto.create.topics", "false", error) ||
      !Set(conf, "log_level", "3", error)) {
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  char errstr[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (raw == nullptr) {
    rd_kafka_conf_destroy(conf);
    *error = errstr;
    return nullptr;
  }
  return std::unique_ptr<rd_kafka_t, KafkaDeleter>(raw);
}

// The partition count of `topic`, or -1 with *error set.
int PartitionCount(rd_kafka_t* rk, const std::string& topic, std::string* error) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, kTimeoutMs);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = std::string("metadata: ") + rd_kafka_err2str(err);
    return -1;
  }
  int count = -1;
  if (md->topic_cnt != 1) {
    *error = "unknown topic";
  } else if (md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = std::string("unknown topic (") + rd_kafka_err2name(md->topics[0].err) + ")";
  } else {
    count = md->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  return count;
}

}  // namespace

std::vector<std::string> KafkaTopicContents::Values(int32_t partition) const {
  std::vector<std::string> out;
  for (const auto& m : messages) {
    if (m.partition == partition) out.push_back(m.value);
  }
  return out;
}

std::vector<std::string> KafkaTopicContents::AllValues() const {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.value);
  return out;
}

int64_t KafkaTopicEndOffsets(const std::string& bootstrap, const std::string& topic) {
  std::string error;
  auto rk = NewConsumer(bootstrap, &error);
  if (rk == nullptr) return -1;
  int partitions = PartitionCount(rk.get(), topic, &error);
  if (partitions < 0) return -1;
  int64_t total = 0;
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t lo = 0, hi = 0;
    if (rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &lo, &hi, kTimeoutMs) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return -1;
    }
    total += hi;
  }
  return total;
}

KafkaTopicContents ReadKafkaTopic(const std::string& bootstrap, const std::string& topic) {
  KafkaTopicContents out;
  auto rk = NewConsumer(bootstrap, &out.error);
  if (rk == nullptr) return out;
  // Asked for this topic only; the reader never creates it.
  out.partitions = PartitionCount(rk.get(), topic, &out.error);
  if (out.partitions < 0) {
    out.partitions = 0;
    return out;
  }
  rd_kafka_resp_err_t err;

  // Where each partition ends now; reading stops there.
  std::vector<int64_t> high(static_cast<size_t>(out.partitions), 0);
  std::vector<int64_t> next(static_cast<size_t>(out.partitions), 0);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(out.partitions);
  size_t remaining = 0;
  for (int32_t p = 0; p < out.partitions; ++p) {
    int64_t lo = 0, hi = 0;
    err = rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &lo, &hi, kTimeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.error = "watermarks of partition " + std::to_string(p) + ": " + rd_kafka_err2str(err);
      rd_kafka_topic_partition_list_destroy(parts);
      return out;
    }
    high[static_cast<size_t>(p)] = hi;
    next[static_cast<size_t>(p)] = lo;
    if (hi > lo) {
      rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = lo;
      remaining += static_cast<size_t>(hi - lo);
    }
  }
  err = rd_kafka_assign(rk.get(), parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    out.error = std::string("assign: ") + rd_kafka_err2str(err);
    return out;
  }

  std::string last_error;  // consume errors are transient unless reading never completes
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  while (remaining > 0 && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 100);
    if (msg == nullptr) continue;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR && msg->partition >= 0 &&
        msg->partition < out.partitions &&
        msg->offset < high[static_cast<size_t>(msg->partition)]) {
      KafkaReadMessage m;
      m.partition = msg->partition;
      m.offset = msg->offset;
      m.has_key = msg->key != nullptr;
      if (msg->key != nullptr) m.key.assign(static_cast<const char*>(msg->key), msg->key_len);
      m.value.assign(static_cast<const char*>(msg->payload), msg->len);
      // Offsets may skip (the mock drops what is over its 5 MiB per partition); count what is
      // left by position, not by messages seen.
      int64_t& n = next[static_cast<size_t>(m.partition)];
      if (m.offset >= n) {
        remaining -= static_cast<size_t>(m.offset + 1 - n);
        n = m.offset + 1;
      }
      out.messages.push_back(std::move(m));
    } else if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR &&
               msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      last_error = std::string("; last consume error: ") + rd_kafka_err2str(msg->err);
    }
    rd_kafka_message_destroy(msg);
  }
  if (remaining > 0) {
    out.error = std::to_string(remaining) + " messages not read within the time limit" + last_error;
  }
  std::stable_sort(out.messages.begin(), out.messages.end(),
                   [](const KafkaReadMessage& a, const KafkaReadMessage& b) {
                     return a.partition != b.partition ? a.partition < b.partition
                                                       : a.offset < b.offset;
                   });
  return out;
}

}  // namespace logship::testing
