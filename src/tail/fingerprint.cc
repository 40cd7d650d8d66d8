// SPDX-License-Identifier: Apache-2.0
#include "src/tail/fingerprint.h"

#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "src/base/hash.h"

namespace logship {
namespace {

// Reads up to `max_len` bytes from offset 0; returns how many were read.
Result<uint32_t> ReadHead(int fd, const std::string& path, char* buf, uint32_t max_len) {
  uint32_t got = 0;
  while (got < max_len) {
    ssize_t n = ::pread(fd, buf + got, max_len - got, got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(path, errno);
    }
    if (n == 0) break;
    got += static_cast<uint32_t>(n);
  }
  return got;
}

}  // namespace

Result<Fingerprint> ComputeFingerprint(int fd, const std::string& path, uint32_t max_len) {
  char buf[kFingerprintBytes];
  if (max_len > kFingerprintBytes) max_len = kFingerprintBytes;
  Result<uint32_t> got = ReadHead(fd, path, buf, max_len);
  if (!got.ok()) return got.status();
  return Fingerprint{*got, Hash64(std::string_view(buf, *got))};
}

Result<bool> FingerprintMatches(int fd, const std::string& path, const Fingerprint& fp) {
  char buf[kFingerprintBytes];
  uint32_t want = fp.len > kFingerprintBytes ? kFingerprintBytes : fp.len;
  Result<uint32_t> got = ReadHead(fd, path, buf, want);
  if (!got.ok()) return got.status();
  if (*got < want) return false;
  return Hash64(std::string_view(buf, want)) == fp.hash;
}

}  // namespace logship
