// SPDX-License-Identifier: Apache-2.0
#include "sinks/kafka/kafka_producer.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "sinks/kafka/kafka_errors.h"

namespace logship {
namespace {

constexpr int64_t kLogIntervalNs = 10'000'000'000;

// librdkafka logs with syslog levels. Its errors are mostly about brokers going away, which the
// sink rides out, so they are warnings for logship's operator; its debug output stays debug.
spdlog::level::level_enum LevelFor(int syslog_level) {
  if (syslog_level <= 2) return spdlog::level::err;
  if (syslog_level <= 4) return spdlog::level::warn;
  if (syslog_level <= 6) return spdlog::level::info;
  return spdlog::level::debug;
}

}  // namespace

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const KafkaSinkOptions& options,
                                                             std::string name,
                                                             KafkaDeliveryHandler* handler,
                                                             Clock& clock) {
  std::unique_ptr<KafkaProducer> p(
      new KafkaProducer(std::move(name), handler, options.secret_values, clock));
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512] = {};
  for (const auto& [key, value] : options.properties) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      // Checked at load time; only a librdkafka that changed underneath gets here.
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument(
          p->name_, "librdkafka property '" + key + "': " + RedactSecrets(errstr, p->secrets_));
    }
  }
  rd_kafka_conf_set_opaque(conf, p.get());
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::DeliveryCallback);
  rd_kafka_conf_set_error_cb(conf, &KafkaProducer::ErrorCallback);
  rd_kafka_conf_set_log_cb(conf, &KafkaProducer::LogCallback);
  p->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (p->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new takes it only on success
    return Status::FailedPrecondition(
        p->name_, "cannot create the Kafka producer: " + RedactSecrets(errstr, p->secrets_));
  }
  p->poller_ = std::thread([raw = p.get()] { raw->PollLoop(); });
  return p;
}

KafkaProducer::~KafkaProducer() {
  if (rk_ == nullptr) return;
  PurgeAndWait(2000);
  stop_polling_.store(true);
  if (poller_.joinable()) poller_.join();
  for (auto& [name, topic] : topics_) rd_kafka_topic_destroy(topic);
  topics_.clear();
  rd_kafka_destroy(rk_);
}

rd_kafka_topic_t* KafkaProducer::Topic(std::string_view name) {
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second;
  std::string key(name);
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk_, key.c_str(), nullptr);
  if (topic == nullptr) return nullptr;
  topics_.emplace(std::move(key), topic);
  return topic;
}

void KafkaProducer::TrimTopics(size_t max) {
  if (topics_.size() <= max) return;
  for (auto& [name, topic] : topics_) rd_kafka_topic_destroy(topic);
  topics_.clear();
}

void KafkaProducer::PurgeAndWait(int64_t timeout_ms) {
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // The poll thread serves the reports; outq_len counts messages whose report is not served yet.
  while (rd_kafka_outq_len(rk_) > 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void KafkaProducer::PollLoop() {
  while (!stop_polling_.load(std::memory_order_relaxed)) rd_kafka_poll(rk_, 50);
  rd_kafka_poll(rk_, 0);  // reports that arrived while stopping
}

void KafkaProducer::DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  self->handler_->OnDelivery(msg->_private, msg->err);
}

void KafkaProducer::ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512] = {};
    rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
    std::string text = "fatal Kafka producer error, the producer will be replaced: " +
                       RedactSecrets(fatal, self->secrets_) + " (" + rd_kafka_err2name(cause) + ")";
    self->fatal_.store(true, std::memory_order_release);
    spdlog::error("{}: {}", self->name_, text);
    self->handler_->OnError(code, text);
    return;
  }
  std::string text = RedactSecrets(
      "kafka: " + std::string(reason) + " (" + rd_kafka_err2name(code) + ")", self->secrets_);
  self->LogLimited(spdlog::level::warn, std::string("error ") + rd_kafka_err2name(code), text);
  self->handler_->OnError(code, text);
}

void KafkaProducer::LogCallback(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  auto* self = static_cast<KafkaProducer*>(rd_kafka_opaque(rk));
  if (self == nullptr) return;
  self->LogLimited(LevelFor(level), std::string("log ") + fac,
                   "librdkafka " + std::string(fac) + ": " + buf);
}

void KafkaProducer::LogLimited(spdlog::level::level_enum level, const std::string& key,
                               const std::string& text) {
  if (!spdlog::should_log(level)) return;
  int64_t now = clock_.MonotonicNanos();
  uint64_t suppressed = 0;
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    auto [it, inserted] = log_last_.try_emplace(key, now, 0);
    // Debug output is asked for: never limited.
    if (!inserted && level != spdlog::level::debug && now - it->second.first < kLogIntervalNs) {
      ++it->second.second;
      return;
    }
    suppressed = it->second.second;
    it->second = {now, 0};
    if (log_last_.size() > 256) log_last_.clear();
  }
  std::string line = RedactSecrets(text, secrets_);
  if (suppressed > 0) {
    spdlog::log(level, "{}: {} ({} more like this suppressed)", name_, line, suppressed);
  } else {
    spdlog::log(level, "{}: {}", name_, line);
  }
}

}  // namespace logship
