// SPDX-License-Identifier: Apache-2.0
#include "src/host/host_metrics_source.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "src/base/check.h"
#include "src/base/clock.h"
#include "src/base/log_limiter.h"
#include "src/host/host_metrics_options.h"
#include "src/host/metricset.h"

namespace logship {
namespace {

// Writes metric events straight into pipeline batches: keys are literals, values live in the
// batch's arena, so a sample costs no allocation once the batch has grown to size. A full batch is
// emitted and another one taken; when the pipeline is stopping (no batch to be had), the rest of
// the sample is dropped.
class BatchEventSink final : public MetricEventSink {
 public:
  BatchEventSink(SourceContext& ctx, int64_t period_ms, const std::atomic<bool>& stop)
      : ctx_(ctx), period_ms_(period_ms), stop_(stop) {}
  ~BatchEventSink() override { Flush(); }

  // Events begun from now on carry this @timestamp.
  void set_timestamp(int64_t unix_nanos) { timestamp_ns_ = unix_nanos; }
  uint64_t events() const { return events_; }

  void Begin(const MetricsetId& metricset) override {
    discard_ = !MakeRoom();
    if (discard_) return;
    Event& e = batch_->AddEvent();
    e.has_message = false;
    e.timestamp_ns = timestamp_ns_;
    ++events_;
    Add("metricset.name", Value::String(metricset.name));
    Add("metricset.period", Value::Int(period_ms_));
    Add("event.module", Value::String("system"));
    Add("event.dataset", Value::String(metricset.dataset));
    Add("service.type", Value::String("system"));
  }
  void AddInt(std::string_view key, int64_t value) override { Add(key, Value::Int(value)); }
  void AddDouble(std::string_view key, double value) override { Add(key, Value::Double(value)); }
  void AddString(std::string_view key, std::string_view value) override {
    if (discard_) return;
    Add(key, Value::String(batch_->arena().Copy(value)));
  }

  // Hands the batch, if it holds events, to the pipeline.
  void Flush() {
    if (!batch_) return;
    if (batch_->events().empty()) {
      batch_.reset();  // back to the pool
      return;
    }
    // No ack_tracker: nobody waits for the acknowledgement of a metric sample.
    ctx_.Emit(std::move(batch_));
    batch_ = MutableBatch(nullptr, BatchPool::Returner{});
  }

 private:
  void Add(std::string_view key, Value value) {
    if (discard_) return;
    batch_->AddField(batch_->events().back(), key, value);
  }

  // A batch with room for one more event; false when the pipeline is stopping.
  bool MakeRoom() {
    if (batch_ && (batch_->events().size() >= ctx_.batch_max_events() ||
                   batch_->payload_bytes() >= ctx_.batch_max_bytes())) {
      Flush();
    }
    while (!batch_) {
      if (stop_.load(std::memory_order_relaxed)) return false;
      batch_ = ctx_.AcquireBatch(100);
    }
    return true;
  }

  SourceContext& ctx_;
  const int64_t period_ms_;
  const std::atomic<bool>& stop_;
  MutableBatch batch_{nullptr, BatchPool::Returner{}};
  int64_t timestamp_ns_ = 0;
  uint64_t events_ = 0;
  bool discard_ = false;
};

class HostMetricsSource final : public Source {
 public:
  HostMetricsSource(HostMetricsOptions options, const PluginContext& ctx)
      : options_(std::move(options)),
        name_(ctx.component),
        clock_(ctx.clock != nullptr ? ctx.clock : &RealClock()),
        logs_(60'000'000'000) {
    sample_.proc_root = options_.proc_root;
    for (const std::string& m : options_.metricsets) readers_.push_back({m, MakeReader(m)});
  }

  ~HostMetricsSource() override {
    StopReading();
    Join();
  }

  Status Start(SourceContext& ctx) override {
    // Checked here rather than at load time: a pipeline file is validated without touching the
    // machine, and a host's /proc may be mounted only where the agent runs.
    struct stat st;
    if (::stat(options_.proc_root.c_str(), &st) != 0) {
      return Status::FromErrno(options_.proc_root, errno).WithContext(name_ + ": proc_root");
    }
    if (!S_ISDIR(st.st_mode)) {
      return Status::FailedPrecondition(name_ + ": proc_root",
                                        "'" + options_.proc_root + "' is not a directory");
    }
    ctx_ = &ctx;
    for (Reader& r : readers_) {
      r.errors = &ctx.metrics().GetCounter(
          "logship_host_metrics_errors_total",
          "Samples of a host_metrics metricset that could not be read (see the agent's log).",
          {{"pipeline", ctx.pipeline_name()}, {"input", name_}, {"metricset", r.name}});
    }
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  void StopReading() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_.store(true, std::memory_order_relaxed);
    }
    cv_.notify_all();
  }

  void Join() override {
    if (thread_.joinable()) thread_.join();
  }

  Status Finish() override { return Status::Ok(); }

  SourceProgress progress() const override {
    return SourceProgress{0, 0, events_.load(std::memory_order_relaxed)};
  }

 private:
  struct Reader {
    std::string name;
    std::unique_ptr<MetricsetReader> reader;
    Counter* errors = nullptr;
  };

  std::unique_ptr<MetricsetReader> MakeReader(const std::string& name) const {
    if (name == "cpu") return NewCpuReader(options_.cpu);
    if (name == "load") return NewLoadReader();
    if (name == "memory") return NewMemoryReader();
    if (name == "filesystem") return NewFilesystemReader(options_.filesystem);
    if (name == "diskio") return NewDiskioReader(options_.diskio);
    if (name == "network") return NewNetworkReader(options_.network);
    LOGSHIP_CHECK(name == "uptime") << "metricset '" << name << "' passed option checks";
    return NewUptimeReader();
  }

  void Run() {
    const int64_t interval = options_.interval.nanos;
    int64_t next = clock_->MonotonicNanos();
    while (!stop_.load(std::memory_order_relaxed)) {
      SampleAll();
      if (ctx_->once()) break;  // one snapshot of what there is, like reading a file once
      next += interval;
      int64_t now = clock_->MonotonicNanos();
      // Fell behind (a stalled sink, a suspended machine): keep the cadence from now on rather
      // than sample in a burst to catch up.
      if (next <= now) next = now + interval;
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::nanoseconds(next - now),
                   [this] { return stop_.load(std::memory_order_relaxed); });
    }
  }

  // One sample of every metricset, in one or more batches.
  void SampleAll() {
    BatchEventSink sink(*ctx_, options_.interval.millis(), stop_);
    sink.set_timestamp(clock_->NowUnixNanos());
    for (Reader& r : readers_) {
      Status st = r.reader->Sample(sample_, sink);
      if (!st.ok()) {
        r.errors->Add(1);
        logs_.Warn(name_ + ": metricset " + r.name + ": " + std::string(st.message()),
                   clock_->MonotonicNanos());
      }
    }
    sink.Flush();
    events_.fetch_add(sink.events(), std::memory_order_relaxed);
  }

  const HostMetricsOptions options_;
  const std::string name_;
  Clock* clock_;
  SampleContext sample_;
  std::vector<Reader> readers_;
  LogLimiter logs_;
  SourceContext* ctx_ = nullptr;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> events_{0};
};

}  // namespace

Result<std::unique_ptr<Source>> MakeHostMetricsSource(const ConfigNode& node, PluginContext& ctx) {
  Result<HostMetricsOptions> options = ParseHostMetricsOptions(node, ctx);
  if (!options.ok()) return options.status();
  return std::unique_ptr<Source>(new HostMetricsSource(std::move(*options), ctx));
}

}  // namespace logship
