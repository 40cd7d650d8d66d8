// SPDX-License-Identifier: Apache-2.0
#pragma once

// TailedFile is the tailer's state for one file it follows: its identity (device, inode, head
// fingerprint, offset marker), its descriptor, where it is in its life (active, rotated away,
// parked, closed), what every sink acknowledged, and its reader (the stream: its name, path and
// read offsets). Owned by the FileTracker; used only by the file input's thread.

#include <cstdint>
#include <memory>
#include <string>

#include "src/base/file_system.h"
#include "src/tail/file_reader.h"
#include "src/tail/fingerprint.h"

namespace logship {

enum class TailState : uint8_t {
  kActive,    // at a matched path; read as it grows
  kOrphaned,  // renamed away or deleted: read to its end, then closed after rotate_wait idle
  kClosed,    // descriptor closed; kept until its last lines are acknowledged
  // Descriptor closed while the file stays at its path, to give its slot under max_open_files to
  // a file that waits (or, with --once, because it was read to its end). Keeps all its reading
  // state, so reopening it loses and repeats nothing.
  kParked,
};

struct TailedFile {
  TailedFile(const FileInputOptions& options, uint64_t id, std::string path)
      : reader(options, id, std::move(path)) {}

  // The stream. Its id is the tailer's name for this file's current contents: a new one after a
  // truncation, so that acknowledgements of lines read before cannot move the new checkpoint.
  FileReader reader;
  uint64_t id() const { return reader.origin().id; }
  const std::string& path() const { return reader.origin().path; }

  std::unique_ptr<ReadableFile> file;  // null while parked or closed
  uint64_t device = 0;
  uint64_t inode = 0;
  TailState state = TailState::kActive;
  Fingerprint fingerprint;    // of its first bytes (up to 1 KiB), extended as it grows
  uint64_t acked_offset = 0;  // first byte not yet acknowledged by every sink
  // The offset marker (fingerprint.h) at marker_offset: saved with the checkpoint only while
  // marker_offset == acked_offset.
  Fingerprint marker;
  uint64_t marker_offset = 0;
  uint64_t size = 0;     // the file's size when last looked at
  int64_t grown_ns = 0;  // monotonic time the file last grew (fairness under max_open_files)

  bool may_have_data = true;  // read it on the next round
  bool at_end = false;        // the last read found no more data: check truncation first
  int64_t idle_since_ns = 0;  // monotonic: an orphan reached its end, or a file was parked

  // A stream detached from a file found truncated (copytruncate), kept so that the copy, found
  // with the same head, continues it where it was read up to: monotonic time of the truncation.
  int64_t detached_ns = 0;
  // A new file whose head equals that of an open file (`twin_of`, by id): likely the copy of a
  // copytruncate about to truncate it. Not read until the original is truncated (then it
  // continues the original's stream) or rotate_wait passes (then it is a file of its own).
  uint64_t twin_of = 0;
  int64_t twin_since_ns = 0;
  bool check_twin = false;  // a new file not looked at for that yet
};

}  // namespace logship
