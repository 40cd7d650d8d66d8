// SPDX-License-Identifier: Apache-2.0
// libFuzzer entry point for one target; LOGSHIP_FUZZ_FN is set per binary by CMake.
#include <cstddef>
#include <cstdint>

int LOGSHIP_FUZZ_FN(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return LOGSHIP_FUZZ_FN(data, size);
}
