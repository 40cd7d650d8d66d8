// SPDX-License-Identifier: Apache-2.0
#include "src/base/hash.h"

#include <xxhash.h>

namespace logship {

uint64_t Hash64(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

}  // namespace logship
