// SPDX-License-Identifier: Apache-2.0
#pragma once

// Clang's thread-safety annotations (checked with -Wthread-safety under clang; no-ops elsewhere).
#if defined(__clang__)
#define LOGSHIP_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define LOGSHIP_THREAD_ANNOTATION(x)
#endif

#define LOGSHIP_GUARDED_BY(x) LOGSHIP_THREAD_ANNOTATION(guarded_by(x))
#define LOGSHIP_REQUIRES(...) LOGSHIP_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define LOGSHIP_EXCLUDES(...) LOGSHIP_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
