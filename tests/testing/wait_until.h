// SPDX-License-Identifier: Apache-2.0
#pragma once

// WaitUntil polls `cond` until it holds or a generous deadline passes, so tests keep in step with
// threads and processes without fixed sleeps. The deadline is a safety net, never an assertion on
// speed: tests assert the condition afterwards.

#include <chrono>
#include <thread>

namespace logship::testing {

template <class Cond>
bool WaitUntil(Cond&& cond, std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace logship::testing
