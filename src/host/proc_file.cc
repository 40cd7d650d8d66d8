// SPDX-License-Identifier: Apache-2.0
#include "src/host/proc_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace logship {

Result<std::string_view> ProcFileReader::Read(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(path, errno);
  size_t used = 0;
  if (buffer_.size() < 4096) buffer_.resize(4096);
  while (true) {
    if (used == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    ssize_t n = ::read(fd, buffer_.data() + used, buffer_.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(path, err);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  return std::string_view(buffer_.data(), used);
}

std::optional<std::string_view> LineCursor::Next() {
  if (rest_.empty()) return std::nullopt;
  size_t nl = rest_.find('\n');
  std::string_view line = rest_.substr(0, nl);
  rest_ = nl == std::string_view::npos ? std::string_view() : rest_.substr(nl + 1);
  return line;
}

std::string_view FieldCursor::Next() {
  size_t start = rest_.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) {
    rest_ = {};
    return {};
  }
  rest_.remove_prefix(start);
  size_t end = rest_.find_first_of(" \t\r\n");
  std::string_view field = rest_.substr(0, end);
  rest_ = end == std::string_view::npos ? std::string_view() : rest_.substr(end);
  return field;
}

std::optional<uint64_t> FieldCursor::NextUint() { return ParseUint(Next()); }

std::optional<double> FieldCursor::NextDouble() {
  std::string_view f = Next();
  if (f.empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || end != f.data() + f.size()) return std::nullopt;
  return v;
}

std::optional<uint64_t> ParseUint(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

int CountCpus(std::string_view proc_stat) {
  int cpus = 0;
  LineCursor lines(proc_stat);
  while (std::optional<std::string_view> line = lines.Next()) {
    if (line->size() > 3 && line->substr(0, 3) == "cpu" && (*line)[3] >= '0' && (*line)[3] <= '9') {
      ++cpus;
    }
  }
  return cpus;
}

std::string UnescapeMountField(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && field[i + 1] >= '0' && field[i + 1] <= '3' &&
        field[i + 2] >= '0' && field[i + 2] <= '7' && field[i + 3] >= '0' && field[i + 3] <= '7') {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                               (field[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += field[i];
  }
  return out;
}

}  // namespace logship
