// SPDX-License-Identifier: Apache-2.0
#pragma once

// Counts heap allocations (every replaceable operator new, on every thread) while counting is on,
// so tests can assert that a hot path allocates per batch and not per event. Linked only into the
// test binaries that use it (it replaces the global operator new). Sanitizer builds have their
// own allocator: there the counter reports 0 and available() is false.

#include <cstdint>

namespace logship::testing {

bool AllocationCountingAvailable();
void StartCountingAllocations();     // resets the count
uint64_t StopCountingAllocations();  // returns the count since Start
uint64_t AllocationsSoFar();

}  // namespace logship::testing
