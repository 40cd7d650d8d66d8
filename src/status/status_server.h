// SPDX-License-Identifier: Apache-2.0
#pragma once

// StatusServer serves the agent's self-observability over HTTP (cpp-httplib, on its own threads):
//   GET /metrics  Prometheus text exposition of the MetricsRegistry
//   GET /health   200 {"status":"ok"} while every sink delivers, else 503 naming the failing ones
//   GET /status   the AgentStatus document (files, sinks, uptime, config file)
// Scrapes read atomics and take short locks; nothing here is on a pipeline's hot path.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "src/base/status.h"
#include "src/metrics/metrics_registry.h"
#include "src/status/agent_status.h"

namespace httplib {
class Server;
}

namespace logship {

class StatusServer {
 public:
  using StatusProvider = std::function<AgentStatus()>;

  StatusServer(MetricsRegistry& metrics, StatusProvider provider);
  ~StatusServer();  // stops
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds host:port (port 0: any free port) and starts serving. The error names the address.
  Status Start(const std::string& host, int port);
  void Stop();
  // The port actually bound (after Start).
  int port() const { return port_; }

 private:
  MetricsRegistry& metrics_;
  StatusProvider provider_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace logship
