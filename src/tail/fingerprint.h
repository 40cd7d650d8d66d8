// SPDX-License-Identifier: Apache-2.0
#pragma once

// A file's fingerprint is a hash of its first bytes (up to 1 KiB). With the device and inode it
// tells a file we have seen from a new file that reuses the inode of a deleted one, and a file
// rewritten in place (copytruncate) from one that grew. A file shorter than 1 KiB is fingerprinted
// as it is, and the fingerprint is extended as the file grows, so small files ship at once.

#include <cstdint>
#include <string>

#include "src/base/file_system.h"
#include "src/base/result.h"

namespace logship {

inline constexpr uint32_t kFingerprintBytes = 1024;
// The offset marker covers up to this many bytes just before a checkpoint's offset.
inline constexpr uint32_t kMarkerBytes = 64;

struct Fingerprint {
  uint32_t len = 0;   // bytes covered
  uint64_t hash = 0;  // Hash64 of those bytes
};

// Hashes the first min(file size, max_len) bytes of the open `file`.
Result<Fingerprint> ComputeFingerprint(ReadableFile& file, uint32_t max_len = kFingerprintBytes);

// True when `file` is at least fp.len bytes long and its first fp.len bytes hash to fp.hash.
Result<bool> FingerprintMatches(ReadableFile& file, const Fingerprint& fp);

// The offset marker: a hash of the min(offset, kMarkerBytes) bytes just before `offset`. Saved
// with a checkpoint, it tells on restart whether the bytes a checkpoint resumes after are still
// the ones that were shipped: a file deleted and re-created with the same inode and the same head
// (a banner, a CSV header), or rewritten in place, differs there and is read as a new file.
// At offset 0, or in a file shorter than `offset`, the marker has length 0 (there is none).
Result<Fingerprint> ComputeOffsetMarker(ReadableFile& file, uint64_t offset);

// True when `marker` has length 0 (a checkpoint saved without one: nothing to compare) or the
// bytes before `offset` in `file` hash to it.
Result<bool> OffsetMarkerMatches(ReadableFile& file, uint64_t offset, const Fingerprint& marker);

}  // namespace logship
