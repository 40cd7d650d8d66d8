// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `elasticsearch` sink ships events to Elasticsearch or OpenSearch with the `_bulk` API over
// HTTPS (options: es_options.h; body: bulk_encoder.h; what answers mean: bulk_response.h).
// One thread per sink re-batches submitted batches into bulk requests of at most batch.max_events
// documents and batch.max_bytes, and keeps up to `concurrency` of them in flight over libcurl's
// multi interface with kept-alive connections. A batch is acknowledged once every one of its
// documents is indexed (or known to be indexed already: 409 on create with our _id), or, for the
// ones Elasticsearch refuses for good, written to the dead-letter spool. Items answered 429/5xx
// are sent again, alone, with capped exponential backoff and jitter; whole-request failures are
// retried on the next URL; 413 splits a request in halves. Nothing is acknowledged meanwhile.
// Memory is bounded: Submit blocks while a few batches wait and `concurrency` requests are
// outstanding (the back-pressure that stops reading).

#include <memory>

#include "sinks/elasticsearch/es_options.h"
#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/sink.h"

namespace logship {

// The registry's factory for `type: elasticsearch`. No I/O: Start() checks the TLS files, opens
// the dead-letter spool and starts the sink's thread.
Result<std::unique_ptr<Sink>> MakeElasticsearchSink(const ConfigNode& node, PluginContext& ctx);

// Builds the sink from parsed options (tests). ctx.clock (RealClock() when null) must outlive it;
// ctx.sink_stats may be null (NullSinkStats()).
std::unique_ptr<Sink> MakeElasticsearchSinkWithOptions(EsSinkOptions options, PluginContext& ctx);

}  // namespace logship
