// SPDX-License-Identifier: Apache-2.0
#pragma once

// The number of CPUs this process may run on (its affinity mask, as taskset or a cgroup cpuset
// restricts it), at least 1. What a default thread count should follow: a container limited to 2
// of a host's 64 CPUs gets 2, where std::thread::hardware_concurrency says 64.

#include <cstddef>

namespace logship {

size_t UsableCpuCount();

}  // namespace logship
