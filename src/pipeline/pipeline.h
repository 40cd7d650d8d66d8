// SPDX-License-Identifier: Apache-2.0
#pragma once

// Pipeline runs one pipeline of the file: its sources feed batches through its stages to every
// one of its sinks. It owns the BatchPool that bounds its memory: at most max_batches_in_flight
// batches exist, each at most batch_max_bytes of payload, whether being filled, queued at a sink or
// awaiting acknowledgement. Lifecycle (driven by Agent, from one thread):
//   Start() -> [run] -> StopReading() -> Drain(deadline) -> Finish()
// Emit/AcquireBatch are called from source threads. With one stage chain, Emit runs the stages on
// the calling thread (under a lock: sources of one pipeline may emit from several threads); with
// more (`workers:`), an OrderedWorkerPool runs them on that many threads and hands the batches to
// the sinks in the order they were emitted.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/event/batch_pool.h"
#include "src/event/json_writer.h"
#include "src/pipeline/ordered_worker_pool.h"
#include "src/pipeline/pipeline_config.h"
#include "src/pipeline/source.h"

namespace logship {

class Pipeline final : public SourceContext {
 public:
  Pipeline(PipelineParts parts, std::string host_name, bool once, Clock& clock,
           MetricsRegistry& metrics);
  ~Pipeline() override;
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Locks the pipeline's data directory (one logship per pipeline state), then starts the sinks,
  // then the sources. On failure, whatever started is stopped again.
  Status Start();
  // Asks every source to stop reading (returns at once).
  void StopReading();
  // True once every source thread has ended (in --once mode: everything was read).
  bool SourcesDone() const { return sources_done_.load(); }
  // Waits for the sources to end and the sinks to deliver what they hold, until `deadline_ns`
  // (monotonic). If the sources are still blocked on a stalled sink at the deadline, the sinks are
  // stopped anyway (undelivered batches stay unacknowledged and are read again next time).
  // Returns false when something was left undelivered.
  bool Drain(int64_t deadline_ns);
  // Saves every source's final state (checkpoints of what was acknowledged).
  Status Finish();

  // True once Drain() has finished.
  bool Drained() const { return drained_.load(); }
  // Batches lent out and not yet back: 0 after --once means everything was acknowledged.
  size_t BatchesInUse() const { return pool_.in_use(); }
  const std::string& name() const { return parts_.name; }
  // Threads running the stages: 1 when they run on the sources' threads.
  size_t workers() const { return parts_.stage_chains.size(); }
  SourceProgress progress() const;

  // SourceContext.
  MutableBatch AcquireBatch(int64_t timeout_ms) override;
  void Emit(MutableBatch batch) override;
  int sink_count() const override { return static_cast<int>(parts_.sinks.size()); }
  bool once() const override { return once_; }
  size_t batch_max_events() const override { return parts_.batch_max_events; }
  size_t batch_max_bytes() const override { return parts_.batch_max_bytes; }
  int64_t batch_timeout_ns() const override { return parts_.batch_timeout_ns; }
  MetricsRegistry& metrics() override { return metrics_; }
  const std::string& pipeline_name() const override { return parts_.name; }
  Histogram& ack_latency() override { return ack_latency_; }

  // For /status and /health.
  const PipelineParts& parts() const { return parts_; }

 private:
  Status LockDataDir();
  // Marks, for sinks with a `when:` condition, which events each receives (Batch::routes).
  void Route(Batch& batch);
  // Counts a batch's events as they leave the stages: in, dropped, and failed by stage. Called
  // for one batch at a time (stages_mu_, or the worker pool's delivery turn).
  void Count(const Batch& batch);
  // Hands a processed batch to every sink.
  void Deliver(MutableBatch batch);

  PipelineParts parts_;
  std::string host_name_;
  bool once_;
  Clock& clock_;
  MetricsRegistry& metrics_;
  Histogram& ack_latency_;
  Counter& events_in_;
  Counter& events_dropped_;
  std::map<std::string, Counter*, std::less<>> parse_errors_;  // by error.type (see Count)
  BatchPool pool_;
  std::atomic<bool> sources_done_{false};
  std::atomic<bool> drained_{false};
  std::thread joiner_;  // joins the sources, then sets sources_done_
  bool started_ = false;
  int lock_fd_ = -1;  // flock on <data_dir>/lock, held while the pipeline lives
  bool has_sink_conditions_ = false;
  std::mutex stages_mu_;                                   // one worker: guards stage_chains_[0]
  std::vector<std::unique_ptr<JsonWriter>> json_writers_;  // one per worker, when documents
  // With more than one stage chain; null otherwise. Declared after what its threads use.
  std::unique_ptr<OrderedWorkerPool> workers_;
  bool sinks_stopped_ = false;
};

}  // namespace logship
