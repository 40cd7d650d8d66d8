// SPDX-License-Identifier: Apache-2.0
#pragma once

// Sink is where events leave the pipeline (spool files, stdout, Kafka, Elasticsearch). Contract:
// - Start() does the I/O a sink needs before it can accept events; a failure stops the pipeline
//   from starting, with the sink named in the Status.
// - Submit() hands over a frozen batch and its AckHandle. It may block while the sink's bounded
//   queue is full: that is the back-pressure that slows reading. It skips events marked dropped.
// - For every submitted batch the sink calls ack.Done() exactly once, and only when the batch is
//   durable at its destination (spool: written and fsync'd). Transient failures are retried inside
//   the sink, with backoff; no acknowledgement meanwhile.
// - Stop(deadline) delivers what was submitted, up to the deadline, then stops the sink's threads.
//   Batches not delivered by then are never acknowledged, so their lines are read again next run.
// Submit, Start and Stop are called from the pipeline's threads, never concurrently with Stop.

#include <cstdint>
#include <string>

#include "src/base/status.h"
#include "src/event/batch.h"
#include "src/pipeline/ack.h"

namespace logship {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Start() = 0;
  virtual void Submit(BatchPtr batch, AckHandle ack) = 0;
  // `deadline_ns` is on the monotonic clock (Clock::MonotonicNanos).
  virtual Status Stop(int64_t deadline_ns) = 0;
  // True when the sink writes events as JSON documents (JsonWriter::WriteEvent): the pipeline's
  // stage workers then encode them once, in parallel, for every sink (Batch::documents).
  virtual bool WritesJsonDocuments() const { return false; }
};

}  // namespace logship
