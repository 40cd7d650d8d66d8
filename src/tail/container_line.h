// SPDX-License-Identifier: Apache-2.0
#pragma once

// Decodes one line as a container runtime wrote it on a node (issue #13), the first half of the
// file input's `container:` option:
//   CRI (containerd, CRI-O):  2026-12-07T10:15:30.123456789Z stdout F message text
//                             (tag P: a partial line, continued by the next line of the stream)
//   Docker json-file:         {"log":"message text\n","stream":"stderr","time":"2026-...Z"}
//                             (a `log` without its final newline is partial: Docker splits at
//                             16 KiB)
// The result names the runtime's time, the stream, the text (Docker's unescaped, its newline
// dropped) and whether the line is partial. A line in neither format fails with a reason naming
// what is wrong. One decoder per thread; text may point into the decoder's scratch, valid until
// the next Decode.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace logship {

enum class ContainerFormat : uint8_t { kAuto, kCri, kDocker };

struct ContainerLine {
  ContainerFormat format = ContainerFormat::kCri;  // the one the line was in
  int64_t time_ns = 0;                             // Unix nanoseconds, UTC
  std::string_view stream;                         // "stdout" or "stderr"
  std::string_view text;
  bool partial = false;
};

class ContainerLineDecoder {
 public:
  ContainerLineDecoder();
  ~ContainerLineDecoder();
  ContainerLineDecoder(const ContainerLineDecoder&) = delete;
  ContainerLineDecoder& operator=(const ContainerLineDecoder&) = delete;

  // `format`: kAuto takes a line starting with '{' as Docker's, any other as CRI.
  // Returns false, with error() set, when the line is not in the format.
  bool Decode(std::string_view line, ContainerFormat format, ContainerLine* out);
  std::string_view error() const { return error_; }

 private:
  bool DecodeCri(std::string_view line, ContainerLine* out);
  bool DecodeDocker(std::string_view line, ContainerLine* out);
  bool Fail(std::string_view why) {
    error_ = why;
    return false;
  }

  struct Json;  // simdjson's parser and a padded copy of the line
  std::unique_ptr<Json> json_;
  std::string_view error_;
};

// Parses an RFC 3339 time as runtimes write it ("2026-12-07T10:15:30.123456789Z", or with a
// "+02:00" offset, as CRI-O may): up to nine fraction digits. False when `s` is not one.
bool ParseRfc3339Nanos(std::string_view s, int64_t* unix_ns);

}  // namespace logship
