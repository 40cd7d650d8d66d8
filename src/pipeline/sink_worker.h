// SPDX-License-Identifier: Apache-2.0
#pragma once

// SinkWorker is what the queued sinks (spool, Kafka, Elasticsearch) share: a bounded queue of
// submitted batches, the thread the sink's own loop runs on, and the stop deadline. Submit blocks
// while the queue is full (back-pressure). Stop wakes the loop, joins it, and releases what is
// still queued unacknowledged, so its lines are read again next run; the loop decides the rest.
// Threads: Start, Submit and Stop on the pipeline's threads, never concurrently with Stop; Pop and
// Wait on the loop's thread; Wake and the queries on any thread.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/thread_annotations.h"
#include "src/event/batch.h"
#include "src/metrics/metrics.h"
#include "src/pipeline/ack.h"
#include "src/pipeline/bounded_queue.h"

namespace logship {

// A submitted batch and the acknowledgement the sink owes for it.
struct QueuedBatch {
  BatchPtr batch;
  AckHandle ack;
};

class SinkWorker {
 public:
  // `queue_gauge`, when given, counts the batches submitted and not yet popped, a Submit blocked
  // on the full queue included.
  SinkWorker(size_t queue_batches, Clock& clock, Gauge* queue_gauge);
  // REQUIRES: Stop() was called if Start() was (the sink's destructor does it: the loop uses the
  // sink's members, which are gone by the time this runs).
  ~SinkWorker();
  SinkWorker(const SinkWorker&) = delete;
  SinkWorker& operator=(const SinkWorker&) = delete;

  // Runs `loop` on a new thread; it returns once it sees the queue closed and its work done, or
  // the deadline passed. `wake`, when given, is called by Stop to interrupt a loop that sleeps
  // where Wait cannot reach it (the Elasticsearch sink sleeps in curl's poll).
  // REQUIRES: called at most once.
  void Start(std::function<void()> loop, std::function<void()> wake = nullptr);
  // True from Start until Stop has joined the thread.
  bool running() const { return thread_.joinable(); }

  // Queues a batch, blocking while the queue is full. Returns false once Stop was called: the
  // batch has then been released unacknowledged (its lines are read again next run); the caller
  // says so in the log.
  [[nodiscard]] bool Submit(BatchPtr batch, AckHandle ack);

  // Sets the deadline (monotonic nanoseconds), wakes the loop, closes the queue and joins the
  // thread, then releases, unacknowledged, the batches still queued. Returns how many there were;
  // the sink adds what its loop abandoned and reports the total. A second call returns 0.
  size_t Stop(int64_t deadline_ns);

  // Moves up to `max` queued batches into `out`, waiting up to `timeout_ms` for the first one.
  // Returns the number taken; 0 on timeout, or once the queue is closed and empty.
  size_t Pop(std::vector<QueuedBatch>* out, size_t max, int64_t timeout_ms);
  // True once Stop closed the queue; what is still queued can be popped.
  bool closed() const { return queue_.closed(); }
  size_t queued() const { return queue_.size(); }

  struct StopRequest {
    bool requested = false;
    int64_t deadline_ns = std::numeric_limits<int64_t>::max();
  };
  // Whether Stop was called, and its deadline, read together.
  StopRequest stop_request() const;
  // True once Stop was called and its deadline has passed.
  bool DeadlinePassed() const;

  // Sleeps up to `delay_ns`, less when a stop deadline comes first, and ends early when Stop or
  // Wake is called: a new deadline is looked at now, not after a 5 s backoff. Returns false when
  // the stop deadline has passed, so the caller gives up.
  bool Wait(int64_t delay_ns);
  // Ends the Wait in progress, if any: the loop has something new to look at. Any thread.
  void Wake();

 private:
  Clock& clock_;
  Gauge* const queue_gauge_;
  BoundedQueue<QueuedBatch> queue_;
  std::function<void()> wake_;  // set by Start, before the thread exists
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ LOGSHIP_GUARDED_BY(mu_) = false;
  int64_t deadline_ns_ LOGSHIP_GUARDED_BY(mu_) = std::numeric_limits<int64_t>::max();
  uint64_t wakeups_ LOGSHIP_GUARDED_BY(mu_) = 0;  // bumped by Stop and Wake; Wait watches it
};

}  // namespace logship
