// SPDX-License-Identifier: Apache-2.0
#include "src/status/status_server.h"

#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace logship {

StatusServer::StatusServer(MetricsRegistry& metrics, StatusProvider provider)
    : metrics_(metrics), provider_(std::move(provider)) {}

StatusServer::~StatusServer() { Stop(); }

Status StatusServer::Start(const std::string& host, int port) {
  server_ = std::make_unique<httplib::Server>();
  // Two workers are plenty for a scraper and an operator; the default pool is one per core.
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second agent share the port
  // and answer half the scrapes.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
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
      return Status::Unavailable("http.listen",
                                 "cannot listen on " + address + ": " + std::strerror(errno));
    }
  } else {
    if (!server_->bind_to_port(host, port)) {
      return Status::Unavailable("http.listen",
                                 "cannot listen on " + address + ": " + std::strerror(errno));
    }
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing until the listening thread has marked itself running, and that
  // thread would then block in accept() for ever: wait for it here, so Stop() always works.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void StatusServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace logship
