// SPDX-License-Identifier: Apache-2.0
#pragma once

// RequestCompressor gzips bulk request bodies on a thread of its own. With `compression: gzip`,
// deflate is the costliest step of a request (zlib level 1 runs at about 200 MB/s), and on the
// sink's thread it would stall encoding, TLS and the network meanwhile; here it overlaps them.
// Requests are handed over whole (nothing is shared), come back through TakeReady() with
// `wire` filled and `wire_ready` set (left unset if zlib failed: the body then goes as it is),
// and `on_ready` is called after each, from the compressor's thread. Add, TakeReady and
// pending are for the sink's thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sinks/elasticsearch/bulk_request.h"
#include "sinks/elasticsearch/gzip_compressor.h"
#include "src/base/thread_annotations.h"

namespace logship {

class RequestCompressor {
 public:
  RequestCompressor(int level, std::function<void()> on_ready);
  // Stops the thread; requests not taken yet are dropped.
  ~RequestCompressor();
  RequestCompressor(const RequestCompressor&) = delete;
  RequestCompressor& operator=(const RequestCompressor&) = delete;

  void Add(std::unique_ptr<BulkRequest> request);
  // Appends the requests compressed since the last call to `out`, in the order they were added.
  void TakeReady(std::vector<std::unique_ptr<BulkRequest>>* out);
  // Requests added and not taken back yet.
  size_t pending() const { return pending_; }

 private:
  void Run();

  GzipCompressor gzip_;  // the compressor thread's
  const std::function<void()> on_ready_;
  size_t pending_ = 0;  // the sink thread's count
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<BulkRequest>> input_ LOGSHIP_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<BulkRequest>> ready_ LOGSHIP_GUARDED_BY(mu_);
  bool stop_ LOGSHIP_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace logship
