// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/alloc/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LOGSHIP_COUNT_ALLOCATIONS 0
#else
#define LOGSHIP_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};
}  // namespace

#if LOGSHIP_COUNT_ALLOCATIONS
// Every replaceable form, so each allocation and its release go through malloc and free.
static void* CountedAlloc(size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new(size_t n) {
  if (void* p = CountedAlloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  if (void* p = CountedAlloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#endif

namespace logship::testing {

bool AllocationCountingAvailable() { return LOGSHIP_COUNT_ALLOCATIONS != 0; }
void StartCountingAllocations() {
  g_allocations.store(0);
  g_counting.store(true);
}
uint64_t StopCountingAllocations() {
  g_counting.store(false);
  return g_allocations.load();
}
uint64_t AllocationsSoFar() { return g_allocations.load(); }

}  // namespace logship::testing
