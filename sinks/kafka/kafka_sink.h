// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `kafka` sink produces every event it is routed as one Kafka message, through one
// librdkafka producer per sink, and acknowledges a batch only when every message of it has a
// successful delivery report (out_kafka's mistake was to ack once queued). Options: see
// kafka_options.h; the README has the user's view.
//
// - Each batch is serialized once into a buffer owned by an in-flight record; messages point into
//   it (no RD_KAFKA_MSG_F_COPY) and carry their slot in the record as opaque.
// - Transient trouble (brokers down, leader changes, timeouts) is librdkafka's to retry; a
//   message whose delivery timed out is produced again, never counted as lost. Meanwhile the
//   sink's queue fills and Submit blocks: reading pauses, memory stays bounded by
//   `queue_batches` + `max_batches_in_flight` batches.
// - A message that can never be delivered (too large, topic not allowed or invalid) goes to the
//   sink's dead-letter spool with the reason; the batch is acknowledged kRejected once the dead
//   letters are durable.
// - Stop(deadline) stops taking batches and waits for the reports until the deadline; then the
//   producer is purged and destroyed. Batches not fully delivered are never acknowledged, so
//   their lines are read again at the next start (and a SIGKILL loses nothing for the same
//   reason).

#include <memory>

#include "sinks/kafka/kafka_options.h"
#include "src/base/file_system.h"
#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/sink.h"

namespace logship {

// The registry's factory for `type: kafka`. Validates everything (librdkafka properties
// included); no I/O and no connection: Start() creates the producer.
Result<std::unique_ptr<Sink>> MakeKafkaSink(const ConfigNode& node, PluginContext& ctx);

// Builds the sink from parsed options; the dead-letter spool does its I/O through `fs`.
// `fs` and ctx.clock (RealClock() when null) must outlive the sink.
std::unique_ptr<Sink> MakeKafkaSinkWithOptions(KafkaSinkOptions options, PluginContext& ctx,
                                               FileSystem& fs);

// For tests: raises a fabricated fatal error in the sink's current producer
// (rd_kafka_test_fatal_error), which the sink must survive by replacing the producer. Real fatal
// errors (idempotence bookkeeping gone wrong) cannot be provoked from outside.
// REQUIRES: `sink` came from MakeKafkaSink*, was started, and has not met a fatal error yet.
Status TriggerKafkaFatalErrorForTest(Sink& sink);

}  // namespace logship
