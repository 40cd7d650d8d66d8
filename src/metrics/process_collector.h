// SPDX-License-Identifier: Apache-2.0
#pragma once

// The process's own vital signs at /metrics, under the names every Prometheus client library uses
// (process_resident_memory_bytes, process_cpu_seconds_total, process_open_fds, ...), read from
// /proc/self at scrape time only.

#include "src/metrics/metrics_registry.h"

namespace logship {

// Adds the collector to `registry`; returns its id (for RemoveCollector).
int AddProcessCollector(MetricsRegistry& registry);

}  // namespace logship
