// SPDX-License-Identifier: Apache-2.0
#pragma once

// 64-bit content hashing for fingerprints and file checksums (xxHash's XXH3: fast, well kept,
// a Debian package).

#include <cstdint>
#include <string_view>

namespace logship {

uint64_t Hash64(std::string_view data);

}  // namespace logship
