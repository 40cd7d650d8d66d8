// SPDX-License-Identifier: Apache-2.0
#include "sinks/stdout/stdout_sink.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

#include "src/base/clock.h"
#include "src/base/thread_annotations.h"
#include "src/config/config_reader.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"

namespace logship {
namespace {

constexpr int64_t kErrorLogIntervalNs = 10'000'000'000;
constexpr size_t kMaxRetainedBufferBytes = 16 << 20;

// Writes all of `data` to `fd`, resuming after partial writes and EINTR, and waiting for a
// non-blocking descriptor to become writable. Error: a Status naming `name`.
Status WriteAll(int fd, std::string_view data, const std::string& name) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        struct pollfd pfd = {fd, POLLOUT, 0};
        if (::poll(&pfd, 1, -1) < 0 && errno != EINTR) return Status::FromErrno(name, errno);
        continue;
      }
      return Status::FromErrno(name, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Submit may come from several sources' threads at once; one mutex keeps their batches' lines
// from interleaving and guards the reused serializer.
class StdoutSink final : public Sink {
 public:
  StdoutSink(int fd, std::string name, size_t sink_index, Clock& clock, SinkStats stats)
      : fd_(fd), name_(std::move(name)), sink_index_(sink_index), clock_(clock), stats_(stats) {}

  Status Start() override { return Status::Ok(); }

  void Submit(BatchPtr batch, AckHandle ack) override {
    Status s;
    uint64_t count = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      out_.clear();
      const std::vector<Event>& events = batch->events();
      if (batch->has_documents() && batch->routes.empty()) {
        // Every event is this sink's: the documents are already its lines.
        out_.Append(batch->documents.view());
        for (const Event& e : events) count += e.dropped ? 0 : 1;
      } else {
        for (size_t i = 0; i < events.size(); ++i) {
          if (!batch->RoutedTo(sink_index_, i)) continue;
          json_.WriteEvent(*batch, events[i], out_);
          out_.Push('\n');
          ++count;
        }
      }
      s = WriteAll(fd_, out_.view(), name_ + ": standard output");
      out_.clear();
      out_.ShrinkTo(kMaxRetainedBufferBytes);
      if (!s.ok()) LogError(s);
    }
    if (s.ok()) {
      stats_.events_out->Add(count);
      stats_.health->Delivered(clock_.NowUnixNanos());
    } else {
      stats_.dead_letters->Add(count);
      stats_.health->Failing(s.ToString(), clock_.NowUnixNanos());
    }
    batch.reset();  // back to the pool before the acknowledgement lets the source read on
    // A failed write to standard output does not heal by retrying (closed pipe, full disk
    // behind a redirect are both the operator's to fix): the batch is rejected, so it is counted
    // and dead-lettered rather than silently called delivered.
    ack.Done(s.ok() ? AckStatus::kDelivered : AckStatus::kRejected);
  }

  bool WritesJsonDocuments() const override { return true; }

  Status Stop(int64_t deadline_ns) override { return Status::Ok(); }

 private:
  void LogError(const Status& s) LOGSHIP_REQUIRES(mu_) {
    int64_t now = clock_.MonotonicNanos();
    if (logged_once_ && now - last_error_log_ns_ < kErrorLogIntervalNs) {
      ++suppressed_;
      return;
    }
    if (suppressed_ > 0) {
      spdlog::error("{}; batch rejected ({} more rejected since the last message)", s.ToString(),
                    suppressed_);
    } else {
      spdlog::error("{}; batch rejected", s.ToString());
    }
    logged_once_ = true;
    last_error_log_ns_ = now;
    suppressed_ = 0;
  }

  const int fd_;
  const std::string name_;
  const size_t sink_index_;  // this sink's routes in each batch
  Clock& clock_;
  const SinkStats stats_;
  std::mutex mu_;
  JsonWriter json_ LOGSHIP_GUARDED_BY(mu_);
  OutputBuffer out_ LOGSHIP_GUARDED_BY(mu_);
  bool logged_once_ LOGSHIP_GUARDED_BY(mu_) = false;
  int64_t last_error_log_ns_ LOGSHIP_GUARDED_BY(mu_) = 0;
  uint64_t suppressed_ LOGSHIP_GUARDED_BY(mu_) = 0;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeStdoutSink(const ConfigNode& node, PluginContext& ctx) {
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which routes events (Batch::RoutedTo)
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return MakeStdoutSinkForFd(STDOUT_FILENO, ctx);
}

std::unique_ptr<Sink> MakeStdoutSinkForFd(int fd, PluginContext& ctx) {
  Clock& clock = ctx.clock != nullptr ? *ctx.clock : RealClock();
  return std::make_unique<StdoutSink>(
      fd, ctx.component, static_cast<size_t>(std::max(ctx.sink_index, 0)), clock,
      ctx.sink_stats != nullptr ? *ctx.sink_stats : NullSinkStats());
}

}  // namespace logship
