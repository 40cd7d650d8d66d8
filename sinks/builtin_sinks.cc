// SPDX-License-Identifier: Apache-2.0
#include "sinks/builtin_sinks.h"

#include "sinks/elasticsearch/es_sink.h"
#include "sinks/kafka/kafka_sink.h"
#include "sinks/spool/spool_sink.h"
#include "sinks/stdout/stdout_sink.h"

namespace logship {

void RegisterBuiltinSinks(Registry& registry) {
  registry.AddSink("elasticsearch", &MakeElasticsearchSink);
  registry.AddSink("kafka", &MakeKafkaSink);
  registry.AddSink("spool", &MakeSpoolSink);
  registry.AddSink("stdout", &MakeStdoutSink);
}

}  // namespace logship
