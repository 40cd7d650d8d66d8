// SPDX-License-Identifier: Apache-2.0
#pragma once

// KafkaProducer owns one librdkafka producer handle: it builds it from the sink's properties,
// serves its callbacks on a poll thread of its own (delivery reports go to a DeliveryHandler),
// logs what librdkafka reports (rate-limited, with secret values scrubbed), and caches topic
// handles. Destroying it purges whatever librdkafka still holds (those messages get _PURGE_*
// reports, served before the handle goes) and then destroys the handle.
// Threads: Topic() is for one thread (the sink's worker); the rest is thread-safe.

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "sinks/kafka/kafka_options.h"
#include "src/base/clock.h"
#include "src/base/log_limiter.h"
#include "src/base/result.h"
#include "src/base/thread_annotations.h"

namespace logship {

class KafkaDeliveryHandler {
 public:
  virtual ~KafkaDeliveryHandler() = default;
  // One call per produced message, on the poll thread: `msg_opaque` as given to produce.
  virtual void OnDelivery(void* msg_opaque, rd_kafka_resp_err_t err) = 0;
  // A producer-wide error librdkafka reported (all brokers down, authentication failed, a fatal
  // error), on the poll thread; `reason` is already scrubbed of secrets. Logged by the producer.
  virtual void OnError(rd_kafka_resp_err_t err, const std::string& reason) = 0;
};

class KafkaProducer {
 public:
  // Creates the producer and starts polling. Fails (FailedPrecondition, secrets scrubbed) when
  // librdkafka refuses the configuration (a CA file that cannot be read, conflicting settings).
  static Result<std::unique_ptr<KafkaProducer>> Create(const KafkaSinkOptions& options,
                                                       std::string name,
                                                       KafkaDeliveryHandler* handler, Clock& clock);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  rd_kafka_t* handle() const { return rk_; }

  // The cached handle for topic `name`, created on first use; nullptr when librdkafka refuses
  // the name. A handle stays valid until TrimTopics. REQUIRES: the caller validated the name
  // (IsValidTopicName); one thread only.
  rd_kafka_topic_t* Topic(std::string_view name);

  // Topics come from templates over event fields: so that a field with unbounded values cannot
  // grow the cache for ever, it is emptied when it holds more than `max` handles. Call it only
  // between batches, when no handle from Topic() is waiting to be produced to (messages already
  // produced keep their own reference inside librdkafka).
  void TrimTopics(size_t max);

  // Drops what librdkafka still holds (queued and in flight) and waits up to `timeout_ms` for
  // their _PURGE_* reports to be served.
  void PurgeAndWait(int64_t timeout_ms);

  // True once librdkafka raised a fatal error: this handle can deliver nothing more and must be
  // replaced by a new producer.
  bool fatal() const { return fatal_.load(std::memory_order_acquire); }

 private:
  KafkaProducer(std::string name, KafkaDeliveryHandler* handler, std::vector<std::string> secrets,
                Clock& clock)
      : name_(std::move(name)), handler_(handler), secrets_(std::move(secrets)), clock_(clock) {}

  static void DeliveryCallback(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void LogCallback(const rd_kafka_t* rk, int level, const char* fac, const char* buf);
  void PollLoop();
  // Logs `text` (scrubbed) at most once per 10 s per `key`, from any thread.
  void LogLimited(spdlog::level::level_enum level, const std::string& key, const std::string& text);

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  const std::string name_;
  KafkaDeliveryHandler* const handler_;
  const std::vector<std::string> secrets_;
  Clock& clock_;
  rd_kafka_t* rk_ = nullptr;
  std::thread poller_;
  std::atomic<bool> stop_polling_{false};
  std::atomic<bool> fatal_{false};
  std::unordered_map<std::string, rd_kafka_topic_t*, StringHash, std::equal_to<>> topics_;

  std::mutex log_mu_;
  std::map<std::string, std::pair<int64_t, uint64_t>> log_last_ LOGSHIP_GUARDED_BY(log_mu_);
};

}  // namespace logship
