// SPDX-License-Identifier: Apache-2.0
#pragma once

// TempDir makes a fresh directory under $TMPDIR (or /tmp) and removes it, recursively, when it goes
// out of scope (kept when LOGSHIP_KEEP_TEST_DIRS is set, for debugging).

#include <string>
#include <string_view>

namespace logship::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name.
  std::string Sub(std::string_view name) const;

 private:
  std::string path_;
};

// Writes `content` to `path`, replacing it. Aborts the test on failure.
void WriteFile(const std::string& path, std::string_view content);
// Appends `content` to `path`, creating it.
void AppendFile(const std::string& path, std::string_view content);
// The whole content of `path`; empty when missing.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace logship::testing
