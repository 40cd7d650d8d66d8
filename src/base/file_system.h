// SPDX-License-Identifier: Apache-2.0
#pragma once

// FileSystem is the seam between durable-state code (checkpoint store, spool files) and the OS,
// after leveldb's Env: tests substitute a fault-injecting implementation that forgets whatever was
// not synced, so crash windows can be tested without killing a process. Implementations are safe
// for concurrent use from several threads. Every error Status names the path it is about.
// The tailer reads logs through plain POSIX calls instead: it needs fds, inotify and pread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/result.h"
#include "src/base/status.h"

namespace logship {

// An open file being written sequentially. Not thread-safe; one writer owns it.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  virtual uint64_t size() const = 0;
  virtual const std::string& path() const = 0;
};

struct DirEntry {
  std::string name;
  bool is_dir = false;   // from the directory entry: a symlink to a directory is not one
  bool is_link = false;  // a symlink: stat tells what it names
};

// What stat(2) tells of a file, symlinks followed.
struct FileInfo {
  enum class Type : uint8_t {
    kRegular,
    kDirectory,
    kFifo,
    kSocket,
    kCharDevice,
    kBlockDevice,
    kOther
  };
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  Type type = Type::kOther;
  bool regular() const { return type == Type::kRegular; }
  // "a FIFO", "a directory", ... for messages about paths that cannot be tailed.
  const char* TypeName() const;
};

// A file open for reading at any offset, as the tailer reads logs: it stays the file that was
// opened whatever happens to its path (renamed, deleted). Not thread-safe; one reader owns it.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to `n` bytes at `offset` into `buf` (pread); returns the count (0 at the end).
  virtual Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) = 0;
  // The open file's identity and current size (fstat).
  virtual Result<FileInfo> Stat() = 0;
  virtual const std::string& path() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Reads a whole (small) file. NotFound if it does not exist.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Reads up to `length` bytes at `offset` (fewer at the end of the file).
  virtual Result<std::string> ReadRange(const std::string& path, uint64_t offset,
                                        size_t length) = 0;
  // Creates or truncates `path` for writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens `path` for appending, creating it if missing; size() starts at the current length.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (rename(2)). Durable only after SyncDir of the parent.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  // Makes creations, renames and removals in `dir` durable (fsync of the directory).
  virtual Status SyncDir(const std::string& dir) = 0;
  // mkdir -p.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Result<std::vector<DirEntry>> ListDir(const std::string& dir) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Opens `path` for reading. NotFound if it does not exist.
  virtual Result<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) = 0;
  // stat(2) of `path`, following symlinks. NotFound if it does not exist.
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
};

// The real file system. Stateless; the returned object lives for the whole process.
FileSystem& PosixFileSystem();

// The directory part of `path` ("." when there is none).
std::string DirName(std::string_view path);
// `dir` joined with `name` by one '/'.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace logship
