// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/pipeline.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <thread>

#include "src/base/file_system.h"
#include "src/base/status_macros.h"
#include "src/pipeline/ack_tracker.h"
#include "src/pipeline/state_dir_lock.h"

namespace logship {

Pipeline::Pipeline(PipelineParts parts, std::string host_name, bool once, Clock& clock,
                   MetricsRegistry& metrics)
    : parts_(std::move(parts)),
      host_name_(std::move(host_name)),
      once_(once),
      clock_(clock),
      metrics_(metrics),
      ack_latency_(metrics.GetHistogram(
          "logship_ack_latency_seconds",
          "Time from a batch leaving the stages to its acknowledgement by every sink.",
          {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
          {{"pipeline", parts_.name}})),
      events_in_(metrics.GetCounter("logship_events_in_total",
                                    "Events that entered a pipeline's stages.",
                                    {{"pipeline", parts_.name}})),
      events_dropped_(metrics.GetCounter("logship_events_dropped_total",
                                         "Events a stage dropped (drop, regex on_mismatch: drop).",
                                         {{"pipeline", parts_.name}})),
      pool_(parts_.max_batches_in_flight) {
  if (parts_.stage_chains.empty()) parts_.stage_chains.emplace_back();
  for (const SinkSlot& s : parts_.sinks) {
    has_sink_conditions_ = has_sink_conditions_ || s.when.has_value();
  }
}

Pipeline::~Pipeline() {
  if (started_) {
    StopReading();
    Drain(clock_.MonotonicNanos());
  }
  if (joiner_.joinable()) joiner_.join();
  workers_.reset();
  // Sources go before sinks and the pool: a source may hold a batch until it is destroyed.
  parts_.sources.clear();
  parts_.stage_chains.clear();
  parts_.sinks.clear();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Status Pipeline::LockDataDir() {
  Result<StateDirLock> lock = StateDirLock::Acquire(parts_.data_dir, parts_.name);
  if (!lock.ok()) return lock.status();
  lock_fd_ = lock->Release();
  return Status::Ok();
}

Status Pipeline::Start() {
  LOGSHIP_RETURN_IF_ERROR(LockDataDir());
  for (size_t i = 0; i < parts_.sinks.size(); ++i) {
    Status st = parts_.sinks[i].sink->Start();
    if (!st.ok()) {
      for (size_t j = 0; j < i; ++j) (void)parts_.sinks[j].sink->Stop(clock_.MonotonicNanos());
      return st.WithContext(parts_.sinks[i].name);
    }
  }
  if (parts_.stage_chains.size() > 1) {
    // The workers also write the events' JSON documents when a sink writes them: serializing is
    // then spread over the cores, and done once for every sink, instead of on each sink's thread.
    bool documents = false;
    for (const SinkSlot& s : parts_.sinks) documents = documents || s.sink->WritesJsonDocuments();
    if (documents) {
      for (size_t w = 0; w < parts_.stage_chains.size(); ++w) {
        json_writers_.push_back(std::make_unique<JsonWriter>());
      }
    }
    workers_ = std::make_unique<OrderedWorkerPool>(
        parts_.stage_chains.size(), parts_.name,
        [this](size_t worker, Batch& batch) {
          parts_.stage_chains[worker].Run(batch);
          Route(batch);
          if (!json_writers_.empty()) json_writers_[worker]->EncodeDocuments(batch);
        },
        [this](MutableBatch batch) {
          Count(*batch);
          Deliver(std::move(batch));
        });
  }
  for (size_t i = 0; i < parts_.sources.size(); ++i) {
    Status st = parts_.sources[i]->Start(*this);
    if (!st.ok()) {
      for (size_t j = 0; j < i; ++j) {
        parts_.sources[j]->StopReading();
        parts_.sources[j]->Join();
      }
      pool_.Cancel();
      for (SinkSlot& s : parts_.sinks) (void)s.sink->Stop(clock_.MonotonicNanos());
      sinks_stopped_ = true;
      return st;
    }
  }
  started_ = true;
  joiner_ = std::thread([this] {
    for (auto& s : parts_.sources) s->Join();
    sources_done_.store(true);
  });
  return Status::Ok();
}

void Pipeline::StopReading() {
  for (auto& s : parts_.sources) s->StopReading();
}

MutableBatch Pipeline::AcquireBatch(int64_t timeout_ms) {
  MutableBatch b = pool_.Acquire(timeout_ms);
  if (b) b->host_name = host_name_;
  return b;
}

void Pipeline::Emit(MutableBatch batch) {
  if (workers_ != nullptr) {
    workers_->Submit(std::move(batch));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(stages_mu_);
    parts_.stage_chains[0].Run(*batch);
    Route(*batch);
    Count(*batch);
  }
  Deliver(std::move(batch));
}

void Pipeline::Deliver(MutableBatch batch) {
  AckTracker* tracker = batch->ack_tracker;
  uint64_t sequence = batch->sequence;
  BatchPtr frozen = BatchPool::Freeze(std::move(batch));
  for (SinkSlot& s : parts_.sinks) s.sink->Submit(frozen, AckHandle(tracker, sequence));
}

void Pipeline::Count(const Batch& batch) {
  uint64_t dropped = 0;
  std::string_view last_type;
  uint64_t last_count = 0;
  auto flush = [&] {
    if (last_count == 0) return;
    auto it = parse_errors_.find(last_type);
    if (it == parse_errors_.end()) {
      Counter& c = metrics_.GetCounter(
          "logship_parse_errors_total",
          "Events a stage could not parse, by stage type (shipped tagged with error.type).",
          {{"pipeline", parts_.name}, {"stage", std::string(last_type)}});
      it = parse_errors_.emplace(std::string(last_type), &c).first;
    }
    it->second->Add(last_count);
  };
  for (const Event& e : batch.events()) {
    if (e.dropped) ++dropped;
    if (e.error_type.empty()) continue;
    if (e.error_type != last_type) {
      flush();
      last_type = e.error_type;
      last_count = 0;
    }
    ++last_count;
  }
  flush();
  events_in_.Add(batch.events().size());
  if (dropped > 0) events_dropped_.Add(dropped);
}

void Pipeline::Route(Batch& batch) {
  if (!has_sink_conditions_) return;
  const std::vector<Event>& events = batch.events();
  size_t n = events.size();
  batch.routes.assign(parts_.sinks.size() * n, 1);
  for (size_t s = 0; s < parts_.sinks.size(); ++s) {
    const std::optional<Condition>& when = parts_.sinks[s].when;
    if (!when) continue;
    for (size_t i = 0; i < n; ++i) {
      batch.routes[s * n + i] = !events[i].dropped && when->Matches(batch, events[i]);
    }
  }
}

bool Pipeline::Drain(int64_t deadline_ns) {
  if (!started_ || sinks_stopped_) {
    drained_.store(true);
    return true;
  }
  // Sources end by themselves once told to stop, unless one is blocked handing a batch to a
  // stalled sink; stopping the sinks at the deadline releases it.
  // The stage workers then hand on what they hold, unless a stalled sink keeps them waiting.
  auto settled = [this] {
    return sources_done_.load() && (workers_ == nullptr || workers_->pending() == 0);
  };
  while (!settled() && clock_.MonotonicNanos() < deadline_ns) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bool complete = settled();
  pool_.Cancel();
  for (size_t i = 0; i < parts_.sinks.size(); ++i) {
    Status st = parts_.sinks[i].sink->Stop(deadline_ns);
    if (!st.ok()) {
      complete = false;
      spdlog::warn("{}: {}", parts_.sinks[i].name, st.message());
    }
  }
  sinks_stopped_ = true;
  // Delivery no longer blocks (the sinks refuse new batches): what the workers still hold is
  // released unacknowledged and read again next run.
  if (workers_ != nullptr) workers_->Stop();
  if (joiner_.joinable()) joiner_.join();
  drained_.store(true);
  return complete;
}

Status Pipeline::Finish() {
  Status first;
  for (auto& s : parts_.sources) {
    Status st = s->Finish();
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

SourceProgress Pipeline::progress() const {
  SourceProgress total;
  for (const auto& s : parts_.sources) {
    SourceProgress p = s->progress();
    total.bytes_read += p.bytes_read;
    total.bytes_total += p.bytes_total;
    total.events += p.events;
  }
  return total;
}

}  // namespace logship
