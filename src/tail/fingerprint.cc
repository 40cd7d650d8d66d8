// SPDX-License-Identifier: Apache-2.0
#include "src/tail/fingerprint.h"

#include <string_view>

#include "src/base/hash.h"

namespace logship {
namespace {

// Reads up to `max_len` bytes from `from`; returns how many were read.
Result<uint32_t> ReadAt(ReadableFile& file, char* buf, uint32_t max_len, uint64_t from = 0) {
  uint32_t got = 0;
  while (got < max_len) {
    Result<size_t> n = file.ReadAt(from + got, buf + got, max_len - got);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    got += static_cast<uint32_t>(*n);
  }
  return got;
}

}  // namespace

Result<Fingerprint> ComputeFingerprint(ReadableFile& file, uint32_t max_len) {
  char buf[kFingerprintBytes];
  if (max_len > kFingerprintBytes) max_len = kFingerprintBytes;
  Result<uint32_t> got = ReadAt(file, buf, max_len);
  if (!got.ok()) return got.status();
  return Fingerprint{*got, Hash64(std::string_view(buf, *got))};
}

Result<bool> FingerprintMatches(ReadableFile& file, const Fingerprint& fp) {
  char buf[kFingerprintBytes];
  uint32_t want = fp.len > kFingerprintBytes ? kFingerprintBytes : fp.len;
  Result<uint32_t> got = ReadAt(file, buf, want);
  if (!got.ok()) return got.status();
  if (*got < want) return false;
  return Hash64(std::string_view(buf, want)) == fp.hash;
}

Result<Fingerprint> ComputeOffsetMarker(ReadableFile& file, uint64_t offset) {
  char buf[kMarkerBytes];
  const uint32_t want = offset < kMarkerBytes ? static_cast<uint32_t>(offset) : kMarkerBytes;
  Result<uint32_t> got = ReadAt(file, buf, want, offset - want);
  if (!got.ok()) return got.status();
  if (*got < want) return Fingerprint{};
  return Fingerprint{want, Hash64(std::string_view(buf, want))};
}

Result<bool> OffsetMarkerMatches(ReadableFile& file, uint64_t offset, const Fingerprint& marker) {
  if (marker.len == 0) return true;
  if (marker.len > kMarkerBytes || marker.len > offset) return false;
  char buf[kMarkerBytes];
  Result<uint32_t> got = ReadAt(file, buf, marker.len, offset - marker.len);
  if (!got.ok()) return got.status();
  if (*got < marker.len) return false;
  return Hash64(std::string_view(buf, marker.len)) == marker.hash;
}

}  // namespace logship
