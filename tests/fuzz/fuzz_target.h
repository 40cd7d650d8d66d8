// SPDX-License-Identifier: Apache-2.0
#pragma once

// LOGSHIP_FUZZ_TARGET(name) { ... } defines one fuzz target over (data, size). Each target is
// built twice: as a libFuzzer binary `<name>_fuzzer` (cmake -DLOGSHIP_FUZZ=ON with clang), and
// into `fuzz_replay_test`, which runs every input kept in tests/fuzz/corpus/<name>/ and every
// regression input tests/regress/fuzz_<name>_* through it in the normal suite, so a crash that
// fuzzing once found stays fixed.

#include <cstddef>
#include <cstdint>

#define LOGSHIP_FUZZ_TARGET(name) int LogshipFuzz_##name(const uint8_t* data, size_t size)
