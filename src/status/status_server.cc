// SPDX-License-Identifier: Apache-2.0
#include "src/status/status_server.h"

#include <httplib.h>

#include <cerrno>
#include <cstring>

namespace logship {

StatusServer::StatusServer(MetricsRegistry& metrics, StatusProvider provider)
    : metrics_(metrics), provider_(std::move(provider)) {}

StatusServer::~StatusServer() { Stop(); }

Status StatusServer::Start(const std::string& host, int port) {
  server_ = std::make_unique<httplib::Server>();
  // Two workers are plenty for a scraper and an operator; the default pool is one per core.
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    HealthResponse h = RenderHealth(provider_());
    res.status = h.http_status;
    res.set_content(h.body, "application/json");
  });
  server_->Get("/status", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderStatusJson(provider_()), "application/json");
  });
  std::string address = host + ":" + std::to_string(port);
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ < 0) {
      return Status::Unavailable("http.listen", "cannot listen on " + address + ": " +
                                                    std::strerror(errno));
    }
  } else {
    if (!server_->bind_to_port(host, port)) {
      return Status::Unavailable("http.listen", "cannot listen on " + address + ": " +
                                                    std::strerror(errno));
    }
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return Status::Ok();
}

void StatusServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace logship
