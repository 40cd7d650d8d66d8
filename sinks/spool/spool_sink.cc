// SPDX-License-Identifier: Apache-2.0
#include "sinks/spool/spool_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "src/base/clock.h"
#include "src/base/log_limiter.h"
#include "src/base/status_macros.h"
#include "src/config/config_reader.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"
#include "src/pipeline/backoff.h"
#include "src/pipeline/sink_worker.h"
#include "src/pipeline/spool_writer.h"

namespace logship {
namespace {

// A group's serialized bytes are kept for reuse up to this size; beyond it they are freed after the
// group, so one burst of huge events does not pin its memory forever.
constexpr size_t kMaxRetainedBufferBytes = 16 << 20;
// A group commit stops taking queued batches once this much is serialized: one write and one
// fsync per few MiB is plenty, and it keeps the output buffer small.
constexpr size_t kMaxGroupBytes = 4 << 20;
// An idle spool has nothing to do on a timer: Submit wakes the worker, and Stop closes the queue,
// which ends the wait at once. The timeout is only a safety net, not a poll.
constexpr int64_t kIdleWaitMs = 3'600'000;

// Threads: Submit and Stop on the pipeline's threads, everything else on the worker. The worker
// alone touches the writer, the serializer and the current group.
class SpoolSink final : public Sink {
 public:
  SpoolSink(SpoolSinkOptions options, std::string name, size_t sink_index, Clock& clock,
            FileSystem& fs, SinkStats stats)
      : options_(std::move(options)),
        name_(std::move(name)),
        sink_index_(sink_index),
        clock_(clock),
        stats_(stats),
        writer_(SpoolWriterOptions{options_.path, options_.max_file_bytes.bytes,
                                   options_.max_file_age.nanos},
                clock, fs),
        worker_(static_cast<size_t>(options_.queue_batches), clock, stats_.queue_batches) {}

  ~SpoolSink() override {
    // The runtime always calls Stop first; this only keeps a forgotten Stop from aborting.
    if (worker_.running()) (void)Stop(std::numeric_limits<int64_t>::min());
  }

  Status Start() override {
    Status s = writer_.Open();
    if (!s.ok()) return s.WithContext(name_ + ": spool '" + options_.path + "'");
    worker_.Start([this] { Run(); });
    return Status::Ok();
  }

  void Submit(BatchPtr batch, AckHandle ack) override {
    if (!worker_.Submit(std::move(batch), ack)) {
      spdlog::warn("{}: batch submitted after stop, not written", name_);
    }
  }

  bool WritesJsonDocuments() const override { return true; }

  Status Stop(int64_t deadline_ns) override {
    size_t undelivered = worker_.Stop(deadline_ns) + abandoned_batches_;
    Status closed = writer_.Close();
    if (undelivered > 0) {
      return Status::Unavailable(name_, std::to_string(undelivered) +
                                            " batches not written by the stop deadline; they "
                                            "stay unacknowledged and are read again next run");
    }
    return closed.ok() ? Status::Ok() : closed.WithContext(name_);
  }

 private:
  void Run() {
    while (true) {
      group_.clear();
      if (worker_.Pop(&group_, 1, kIdleWaitMs) == 0) {
        if (worker_.closed()) break;
        continue;
      }
      // Group commit: take what else is queued into the same write and fsync, but stop at
      // kMaxGroupBytes of serialized events, which bounds the output buffer (and so memory).
      out_.clear();
      group_events_ = 0;
      SerializeFrom(0);
      while (out_.size() < kMaxGroupBytes && worker_.Pop(&group_, 1, 0) == 1) {
        SerializeFrom(group_.size() - 1);
      }
      if (worker_.DeadlinePassed() || !WriteDurably()) {
        abandoned_batches_ = group_.size();
        break;
      }
      stats_.events_out->Add(group_events_);
      stats_.health->Delivered(clock_.NowUnixNanos());
      // Acknowledge in submission order, releasing each batch at once so the pool gets it back.
      for (QueuedBatch& item : group_) {
        item.ack.Done(AckStatus::kDelivered);
        item.batch.reset();
      }
      out_.clear();
      out_.ShrinkTo(kMaxRetainedBufferBytes);
    }
    group_.clear();
  }

  // Writes the current group as one write and one fsync, retrying until that succeeds or the
  // stop deadline passes (false). The group is serialized once; every retry writes the same bytes,
  // and the writer has undone whatever a failed attempt left, so no line is written twice.
  bool WriteDurably() {
    for (int attempt = 1;; ++attempt) {
      Status s = writer_.Write(out_.view());
      if (s.ok()) s = writer_.Sync();
      if (s.ok()) {
        if (attempt > 1) {
          spdlog::info("{}: spool '{}' written after {} failed attempts", name_, options_.path,
                       attempt - 1);
        }
        return true;
      }
      std::string why = "cannot write spool '" + options_.path + "': " + s.ToString();
      stats_.retries->Add(1);
      stats_.health->Failing(why, clock_.NowUnixNanos());
      log_limiter_.Error(name_ + ": " + why + "; retrying", clock_.MonotonicNanos());
      // False once the stop deadline has passed: give up, leaving the group unacknowledged.
      if (!worker_.Wait(backoff_.DelayNanos(attempt))) return false;
    }
  }

  // Appends the events of group_[first...] to out_.
  void SerializeFrom(size_t first) {
    for (size_t g = first; g < group_.size(); ++g) {
      const Batch& batch = *group_[g].batch;
      const std::vector<Event>& events = batch.events();
      if (batch.has_documents() && batch.routes.empty()) {
        // Every event is this sink's: the documents are already the spool's lines.
        out_.Append(batch.documents.view());
        for (const Event& e : events) group_events_ += e.dropped ? 0 : 1;
        continue;
      }
      for (size_t i = 0; i < events.size(); ++i) {
        if (!batch.RoutedTo(sink_index_, i)) continue;
        json_.WriteEvent(batch, events[i], out_);
        out_.Push('\n');
        ++group_events_;
      }
    }
  }

  const SpoolSinkOptions options_;
  const std::string name_;
  const size_t sink_index_;  // this sink's routes in each batch
  Clock& clock_;
  const SinkStats stats_;

  // Worker-only state.
  SpoolWriter writer_;
  JsonWriter json_;
  OutputBuffer out_;
  std::vector<QueuedBatch> group_;
  Backoff backoff_;
  LogLimiter log_limiter_;
  size_t abandoned_batches_ = 0;  // read by Stop after join
  uint64_t group_events_ = 0;     // events serialized into out_

  SinkWorker worker_;
};

}  // namespace

Result<SpoolSinkOptions> ParseSpoolSinkOptions(const ConfigNode& node, PluginContext& ctx) {
  SpoolSinkOptions o;
  std::string path;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which routes events (Batch::RoutedTo)
  r.Required("path", &path);
  r.Optional("max_file_bytes", &o.max_file_bytes, ByteSize::MiB(64));
  r.Optional("max_file_age", &o.max_file_age, Duration::Seconds(3600));
  r.Optional("queue_batches", &o.queue_batches, 4);
  r.Check(!node.Get("path").IsScalar() || !path.empty(), "path", "must not be empty");
  r.Check(o.max_file_bytes.bytes >= ByteSize::KiB(4).bytes, "max_file_bytes",
          "must be at least 4KiB");
  r.Check(o.max_file_age.nanos > 0, "max_file_age", "must be more than 0");
  r.Check(o.queue_batches >= 1 && o.queue_batches <= 1024, "queue_batches",
          "must be between 1 and 1024");
  bool ok = r.Finish();
  if (!path.empty()) {
    o.path = ctx.ResolvePath(path);
    if (ctx.claims != nullptr) {
      size_t errors_before = ctx.errors->size();
      ctx.claims->Claim(o.path, ctx.component, node.Get("path"), *ctx.errors);
      ok = ok && ctx.errors->size() == errors_before;
    }
  }
  if (!ok) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Sink>> MakeSpoolSink(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN(SpoolSinkOptions options, ParseSpoolSinkOptions(node, ctx));
  return MakeSpoolSinkWithFileSystem(std::move(options), ctx, PosixFileSystem());
}

std::unique_ptr<Sink> MakeSpoolSinkWithFileSystem(SpoolSinkOptions options, PluginContext& ctx,
                                                  FileSystem& fs) {
  Clock& clock = ctx.clock != nullptr ? *ctx.clock : RealClock();
  return std::make_unique<SpoolSink>(std::move(options), ctx.component,
                                     static_cast<size_t>(std::max(ctx.sink_index, 0)), clock, fs,
                                     ctx.sink_stats != nullptr ? *ctx.sink_stats : NullSinkStats());
}

}  // namespace logship
