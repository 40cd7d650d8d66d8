// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/request_compressor.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace logship {

RequestCompressor::RequestCompressor(int level, std::function<void()> on_ready)
    : gzip_(level), on_ready_(std::move(on_ready)), thread_([this] { Run(); }) {}

RequestCompressor::~RequestCompressor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void RequestCompressor::Add(std::unique_ptr<BulkRequest> request) {
  ++pending_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    input_.push_back(std::move(request));
  }
  cv_.notify_one();
}

void RequestCompressor::TakeReady(std::vector<std::unique_ptr<BulkRequest>>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ -= ready_.size();
  for (auto& r : ready_) out->push_back(std::move(r));
  ready_.clear();
}

void RequestCompressor::Run() {
  while (true) {
    std::unique_ptr<BulkRequest> request;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !input_.empty(); });
      if (stop_) return;
      request = std::move(input_.front());
      input_.pop_front();
    }
    Status st = gzip_.Compress(request->body.view(), request->wire);
    request->wire_ready = st.ok();
    // zlib fails only without memory; the request then goes uncompressed rather than not at all.
    if (!st.ok()) spdlog::error("elasticsearch: {}; sending a request uncompressed", st.message());
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.push_back(std::move(request));
    }
    on_ready_();
  }
}

}  // namespace logship
