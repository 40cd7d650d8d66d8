// SPDX-License-Identifier: Apache-2.0
#pragma once

// A file's fingerprint is a hash of its first bytes (up to 1 KiB). With the device and inode it
// tells a file we have seen from a new file that reuses the inode of a deleted one, and a file
// rewritten in place (copytruncate) from one that grew. A file shorter than 1 KiB is fingerprinted
// as it is, and the fingerprint is extended as the file grows, so small files ship at once.

#include <cstdint>
#include <string>

#include "src/base/result.h"

namespace logship {

inline constexpr uint32_t kFingerprintBytes = 1024;

struct Fingerprint {
  uint32_t len = 0;   // bytes covered
  uint64_t hash = 0;  // Hash64 of those bytes
};

// Hashes the first min(file size, max_len) bytes of the open file `fd` (pread; the file position
// is untouched). `path` names the file in errors.
Result<Fingerprint> ComputeFingerprint(int fd, const std::string& path,
                                       uint32_t max_len = kFingerprintBytes);

// True when the file at `fd` is at least fp.len bytes long and its first fp.len bytes hash to
// fp.hash.
Result<bool> FingerprintMatches(int fd, const std::string& path, const Fingerprint& fp);

}  // namespace logship
