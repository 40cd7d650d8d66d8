// SPDX-License-Identifier: Apache-2.0
#include "sinks/kafka/kafka_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include "sinks/kafka/kafka_encoder.h"
#include "sinks/kafka/kafka_errors.h"
#include "sinks/kafka/kafka_producer.h"
#include "sinks/kafka/kafka_record.h"
#include "src/base/clock.h"
#include "src/base/log_limiter.h"
#include "src/base/status_macros.h"
#include "src/base/thread_annotations.h"
#include "src/pipeline/backoff.h"
#include "src/pipeline/dead_letter.h"
#include "src/pipeline/sink_worker.h"

namespace logship {
namespace {

// How long the worker sleeps when it has nothing to do; it is woken earlier by a submitted
// batch, a failed record, a freed record or Stop.
constexpr int64_t kIdleWaitMs = 100;
// How long the worker waits before trying a produce that met a full librdkafka queue again.
constexpr int64_t kQueueFullWaitMs = 5;
// Topic handles kept for templated topics before the cache is emptied.
constexpr size_t kMaxCachedTopics = 4096;
// A record's buffer is kept for reuse up to this size; beyond it, it is freed after the batch.
constexpr size_t kMaxRetainedBufferBytes = 16 << 20;

// Threads:
// - Submit/Stop: the pipeline's threads.
// - the worker (Run): encodes and produces batches, settles records with failed messages
//   (dead letters, re-produces), replaces a producer after a fatal error.
// - the producer's poll thread: delivery reports. The record whose last report it serves is
//   acknowledged right there when every message was delivered, otherwise handed to the worker.
class KafkaSink final : public Sink, public KafkaDeliveryHandler {
 public:
  KafkaSink(KafkaSinkOptions options, std::string name, size_t sink_index, Clock& clock,
            FileSystem& fs, SinkStats stats)
      : options_(std::move(options)),
        name_(std::move(name)),
        clock_(clock),
        stats_(stats),
        dead_letters_(name_, options_.dead_letter, clock, fs),
        encoder_(options_, sink_index),
        worker_(static_cast<size_t>(options_.queue_batches), clock, stats_.queue_batches) {
    for (int i = 0; i < options_.max_batches_in_flight; ++i) {
      records_.push_back(std::make_unique<KafkaRecord>());
      free_.push_back(records_.back().get());
    }
  }

  ~KafkaSink() override {
    // The runtime always calls Stop first; this only keeps a forgotten Stop from aborting.
    if (worker_.running()) (void)Stop(std::numeric_limits<int64_t>::min());
  }

  Status Start() override {
    LOGSHIP_RETURN_IF_ERROR(dead_letters_.Open());
    Result<std::unique_ptr<KafkaProducer>> producer =
        KafkaProducer::Create(options_, name_, this, clock_);
    if (!producer.ok()) return producer.status();
    producer_ = std::move(producer).value();
    worker_.Start([this] { Run(); });
    return Status::Ok();
  }

  void Submit(BatchPtr batch, AckHandle ack) override {
    if (!worker_.Submit(std::move(batch), ack)) {
      spdlog::warn("{}: batch submitted after stop, not sent", name_);
    }
  }

  bool WritesJsonDocuments() const override { return options_.format == KafkaFormat::kJson; }

  Status Stop(int64_t deadline_ns) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return Status::Ok();
    }
    size_t undelivered = worker_.Stop(deadline_ns);
    // The deadline passed with messages still in librdkafka: purge them. Their reports come back
    // as _PURGE_* failures, so those batches are never acknowledged and are read again next run.
    producer_.reset();
    {
      std::lock_guard<std::mutex> lock(mu_);
      undelivered += records_.size() - free_.size();
      stopped_ = true;
    }
    for (auto& rec : records_) rec->Reset();  // batches go back to the pool now
    // Letters of batches that never finished: harmless to keep (the batch is re-read and its
    // events dead-lettered again), worse to lose if this run was the last.
    Status committed = dead_letters_.Commit();
    if (!committed.ok()) spdlog::error("{}", committed.ToString());
    if (undelivered > 0) {
      return Status::Unavailable(name_, std::to_string(undelivered) +
                                            " batches not delivered by the stop deadline; they "
                                            "stay unacknowledged and are read again next run");
    }
    return Status::Ok();
  }

  Status TriggerFatalErrorForTest() {
    rd_kafka_resp_err_t err = rd_kafka_test_fatal_error(
        producer_->handle(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "test");
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
    return Status::FailedPrecondition(name_, rd_kafka_err2str(err));
  }

  // Poll thread.
  void OnDelivery(void* msg_opaque, rd_kafka_resp_err_t err) override {
    auto* m = static_cast<KafkaMessage*>(msg_opaque);
    KafkaRecord* rec = m->record;
    m->err = err;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) rec->failed.store(true, std::memory_order_relaxed);
    if (rec->outstanding.fetch_sub(1, std::memory_order_acq_rel) == 1) Completed(rec);
  }

  // Poll thread.
  void OnError(rd_kafka_resp_err_t err, const std::string& reason) override {
    switch (err) {
      case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
      case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      case RD_KAFKA_RESP_ERR__SSL:
      case RD_KAFKA_RESP_ERR__RESOLVE:
      case RD_KAFKA_RESP_ERR__FATAL:
        stats_.health->Failing(reason, clock_.NowUnixNanos());
        break;
      default:
        break;  // one broker of several, a request timing out: librdkafka rides it out
    }
  }

 private:
  void Run() {
    std::vector<QueuedBatch> items;
    while (true) {
      SettleFailed();
      ServeRetries();
      if (producer_ == nullptr || producer_->fatal()) {
        if (!ReplaceProducer()) break;
        continue;
      }
      if (worker_.DeadlinePassed()) break;
      if (!HasFreeRecord()) {
        Wait(NextWakeMs());
        continue;
      }
      items.clear();
      if (worker_.Pop(&items, 1, retry_.empty() ? kIdleWaitMs : NextWakeMs()) == 1) {
        Send(TakeFreeRecord(), std::move(items.front()));
        continue;
      }
      if (worker_.closed() && worker_.queued() == 0) {
        if (InFlight() == 0) break;
        Wait(NextWakeMs());
      }
    }
  }

  // Serializes the batch into `rec` and produces each of its messages.
  void Send(KafkaRecord* rec, QueuedBatch item) {
    rec->batch = std::move(item.batch);
    rec->ack = item.ack;
    producer_->TrimTopics(kMaxCachedTopics);  // between batches: no handle is held
    encoder_.Encode(*rec, *producer_);
    rec->outstanding.store(1, std::memory_order_relaxed);  // the worker's hold
    for (KafkaMessage& m : rec->messages) {
      if (m.local == KafkaLocalError::kNone) Produce(*rec, m);
    }
    ReleaseHold(rec);
  }

  // Produces the messages of `rec` that are still pending again, through the current producer.
  void Reproduce(KafkaRecord* rec) {
    rec->failed.store(false, std::memory_order_relaxed);
    rec->outstanding.store(1, std::memory_order_relaxed);
    for (KafkaMessage& m : rec->messages) {
      if (m.state != KafkaMessageState::kPending) continue;
      // Topic handles belong to a producer, and the cache may have dropped them: look them up.
      encoder_.ResolveTopic(*rec, m, *producer_);
      if (m.local != KafkaLocalError::kNone) {
        rec->failed.store(true, std::memory_order_relaxed);
        continue;
      }
      Produce(*rec, m);
    }
    ReleaseHold(rec);
  }

  // Hands `m` to librdkafka without copying its value (it points into rec.buffer). A full
  // librdkafka queue is waited out (the deliveries it waits for are served on the poll thread)
  // until a stop deadline; any other refusal marks the message failed with the error.
  void Produce(KafkaRecord& rec, KafkaMessage& m) {
    m.err = RD_KAFKA_RESP_ERR__IN_PROGRESS;
    const char* base = rec.buffer.data();
    void* value = const_cast<char*>(base + m.value_offset);
    const void* key = m.has_key ? base + m.key_offset : nullptr;
    size_t key_size = m.has_key ? m.key_size : 0;
    while (true) {
      rec.outstanding.fetch_add(1, std::memory_order_relaxed);
      if (rd_kafka_produce(m.topic, RD_KAFKA_PARTITION_UA, 0, value, m.value_size, key, key_size,
                           &m) == 0) {
        return;
      }
      rec.outstanding.fetch_sub(1, std::memory_order_relaxed);  // the hold keeps it above zero
      rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && !worker_.DeadlinePassed()) {
        Wait(kQueueFullWaitMs);
        continue;
      }
      m.err = err;
      rec.failed.store(true, std::memory_order_relaxed);
      return;
    }
  }

  void ReleaseHold(KafkaRecord* rec) {
    if (rec->outstanding.fetch_sub(1, std::memory_order_acq_rel) == 1) Completed(rec);
  }

  // Every report of `rec`'s round is in; the caller owns it. Any thread.
  void Completed(KafkaRecord* rec) {
    if (!rec->failed.load(std::memory_order_relaxed) && rec->dead == 0) {
      Acknowledge(rec, AckStatus::kDelivered, rec->messages.size());
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      failed_.push_back(rec);
    }
    worker_.Wake();
  }

  // Acknowledges the batch of `rec` and frees the record. Any thread that owns the record.
  void Acknowledge(KafkaRecord* rec, AckStatus status, size_t delivered) {
    stats_.events_out->Add(delivered);
    if (rec->dead > 0) stats_.dead_letters->Add(rec->dead);
    stats_.health->Delivered(clock_.NowUnixNanos());
    AckHandle ack = rec->ack;
    rec->Reset();  // the batch goes back to the pool before its acknowledgement lands
    rec->buffer.ShrinkTo(kMaxRetainedBufferBytes);
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(rec);
    }
    worker_.Wake();
    ack.Done(status);
  }

  // Settles the records whose round had failures: each failed message is either dead-lettered
  // (a verdict about the message) or scheduled to be produced again (anything else).
  void SettleFailed() {
    settling_.clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      settling_.swap(failed_);
    }
    for (KafkaRecord* rec : settling_) Settle(rec);
  }

  void Settle(KafkaRecord* rec) {
    size_t retriable = 0;
    rd_kafka_resp_err_t cause = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (KafkaMessage& m : rec->messages) {
      if (m.state != KafkaMessageState::kPending) continue;
      if (m.local == KafkaLocalError::kNone && m.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        m.state = KafkaMessageState::kDelivered;
      } else if (m.local != KafkaLocalError::kNone ||
                 ClassifyKafkaError(m.err) == KafkaErrorClass::kPermanent) {
        dead_letters_.Add(encoder_.DeadLetterEvent(*rec, m), encoder_.DeadLetterReason(*rec, m));
        m.state = KafkaMessageState::kDead;
        ++rec->dead;
      } else {
        ++retriable;
        cause = m.err;
      }
    }
    if (retriable == 0) {
      Finish(rec);
      return;
    }
    ++rec->attempt;
    stats_.retries->Add(1);
    std::string why = name_ + ": " + std::to_string(retriable) + " messages not delivered (" +
                      DescribeKafkaError(cause) + "); producing them again";
    stats_.health->Failing(why, clock_.NowUnixNanos());
    log_.Warn(why, clock_.MonotonicNanos());
    Schedule(rec);
  }

  // Every message of `rec` is delivered or dead-lettered: make the letters durable, then
  // acknowledge. A failed fsync is retried with backoff; the batch waits unacknowledged.
  void Finish(KafkaRecord* rec) {
    if (rec->dead > 0) {
      Status st = dead_letters_.Commit();
      if (!st.ok()) {
        ++rec->attempt;
        stats_.retries->Add(1);
        stats_.health->Failing(st.ToString(), clock_.NowUnixNanos());
        log_.Error(st.ToString() + "; retrying", clock_.MonotonicNanos());
        Schedule(rec);
        return;
      }
    }
    size_t delivered = rec->messages.size() - rec->dead;
    Acknowledge(rec, rec->dead > 0 ? AckStatus::kRejected : AckStatus::kDelivered, delivered);
  }

  void Schedule(KafkaRecord* rec) {
    rec->retry_at_ns = clock_.MonotonicNanos() + backoff_.DelayNanos(rec->attempt);
    retry_.push_back(rec);
  }

  // Starts the rounds whose backoff has passed.
  void ServeRetries() {
    if (retry_.empty()) return;
    int64_t now = clock_.MonotonicNanos();
    size_t kept = 0;
    for (size_t i = 0; i < retry_.size(); ++i) {
      KafkaRecord* rec = retry_[i];
      if (rec->retry_at_ns > now || producer_ == nullptr || producer_->fatal()) {
        retry_[kept++] = rec;
        continue;
      }
      due_.push_back(rec);
    }
    retry_.resize(kept);
    for (KafkaRecord* rec : due_) {
      // Either a round of re-produces, or only the dead letters' fsync is left to retry.
      bool all_settled = true;
      for (const KafkaMessage& m : rec->messages) {
        all_settled = all_settled && m.state != KafkaMessageState::kPending;
      }
      if (all_settled) {
        Finish(rec);
      } else {
        Reproduce(rec);
      }
    }
    due_.clear();
  }

  // After a fatal error (or at start, if creating the producer failed) the producer is purged and
  // destroyed, and a new one takes over; every message not delivered is produced again through
  // it. Returns false only when a stop deadline passed first.
  bool ReplaceProducer() {
    if (producer_ != nullptr) {
      // Reports for everything librdkafka still holds come back as _PURGE_* (retriable) and are
      // served before the handle goes; once it is gone no callback can touch a record.
      producer_.reset();
      // A record still counting reports will never get them: take it over with what it has.
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& rec : records_) {
        if (rec->outstanding.load(std::memory_order_acquire) > 0) {
          rec->outstanding.store(0, std::memory_order_relaxed);
          rec->failed.store(true, std::memory_order_relaxed);
          failed_.push_back(rec.get());
        }
      }
    }
    for (int attempt = 1;; ++attempt) {
      Result<std::unique_ptr<KafkaProducer>> p =
          KafkaProducer::Create(options_, name_, this, clock_);
      if (p.ok()) {
        producer_ = std::move(p).value();
        return true;
      }
      stats_.health->Failing(p.status().ToString(), clock_.NowUnixNanos());
      log_.Error(p.status().ToString(), clock_.MonotonicNanos());
      if (worker_.DeadlinePassed()) return false;
      Wait(backoff_.DelayNanos(attempt) / 1'000'000);
    }
  }

  bool HasFreeRecord() {
    std::lock_guard<std::mutex> lock(mu_);
    return !free_.empty();
  }
  KafkaRecord* TakeFreeRecord() {
    std::lock_guard<std::mutex> lock(mu_);
    KafkaRecord* rec = free_.back();
    free_.pop_back();
    return rec;
  }
  size_t InFlight() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_.size() - free_.size();
  }

  // Milliseconds until the earliest scheduled round, at most kIdleWaitMs.
  int64_t NextWakeMs() {
    int64_t wait_ns = kIdleWaitMs * 1'000'000;
    int64_t now = clock_.MonotonicNanos();
    for (const KafkaRecord* rec : retry_) wait_ns = std::min(wait_ns, rec->retry_at_ns - now);
    return std::max<int64_t>(wait_ns / 1'000'000, 0);
  }

  // Waits up to `ms` (less when a stop deadline comes first) for anything that changes what the
  // worker can do: a record freed or failed (they call worker_.Wake()), or Stop.
  void Wait(int64_t ms) { (void)worker_.Wait(ms * 1'000'000); }

  const KafkaSinkOptions options_;
  const std::string name_;
  Clock& clock_;
  const SinkStats stats_;
  DeadLetterSpool dead_letters_;

  // Worker-only state (and Stop's, after the worker joined).
  KafkaEncoder encoder_;
  std::unique_ptr<KafkaProducer> producer_;
  std::vector<std::unique_ptr<KafkaRecord>> records_;  // fixed after construction
  std::vector<KafkaRecord*> retry_;                    // waiting for their next round
  std::vector<KafkaRecord*> settling_;
  std::vector<KafkaRecord*> due_;
  Backoff backoff_;
  LogLimiter log_;

  SinkWorker worker_;

  std::mutex mu_;
  std::vector<KafkaRecord*> free_ LOGSHIP_GUARDED_BY(mu_);
  std::vector<KafkaRecord*> failed_ LOGSHIP_GUARDED_BY(mu_);  // completed with failures
  bool stopped_ LOGSHIP_GUARDED_BY(mu_) = false;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeKafkaSink(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN(KafkaSinkOptions options, ParseKafkaSinkOptions(node, ctx));
  return MakeKafkaSinkWithOptions(std::move(options), ctx, PosixFileSystem());
}

std::unique_ptr<Sink> MakeKafkaSinkWithOptions(KafkaSinkOptions options, PluginContext& ctx,
                                               FileSystem& fs) {
  Clock& clock = ctx.clock != nullptr ? *ctx.clock : RealClock();
  SinkStats stats = ctx.sink_stats != nullptr ? *ctx.sink_stats : NullSinkStats();
  return std::make_unique<KafkaSink>(std::move(options), ctx.component,
                                     static_cast<size_t>(std::max(ctx.sink_index, 0)), clock, fs,
                                     stats);
}

Status TriggerKafkaFatalErrorForTest(Sink& sink) {
  return dynamic_cast<KafkaSink&>(sink).TriggerFatalErrorForTest();
}

}  // namespace logship
