// SPDX-License-Identifier: Apache-2.0
#pragma once

// TailedFile is the tailer's state for one file it reads: identity (device, inode, fingerprint),
// how far it was read, split into lines, emitted and acknowledged, the incomplete line it holds,
// and (with `multiline:`) the group of lines not yet emitted. Owned and used only by the
// FileSource thread.

#include <cstdint>
#include <memory>
#include <string>

#include "src/tail/fingerprint.h"
#include "src/tail/line_splitter.h"
#include "src/tail/multiline_joiner.h"

namespace logship {

struct FileInputOptions;

enum class TailState : uint8_t {
  kActive,    // at a matched path; read as it grows
  kOrphaned,  // renamed away or deleted: read to its end, then closed after rotate_wait idle
  kClosed,    // fd closed; kept until its last lines are acknowledged
  // fd closed while the file stays at its path, to give its slot under max_open_files to a file
  // that waits (or, with --once, because it was read to its end). Keeps all its reading state, so
  // reopening it loses and repeats nothing.
  kParked,
};

struct TailedFile {
  TailedFile(uint64_t id, size_t max_line_bytes) : id(id), splitter(max_line_bytes) {}

  // The tailer's name for this file's current contents; a new id after a truncation, so that
  // acknowledgements of lines read before it cannot move the new checkpoint.
  uint64_t id;
  // BatchSource::file_key: computed from the first line when the first event is added, again
  // after a truncation (0 = not yet).
  uint64_t file_key = 0;
  std::string path;
  uint64_t device = 0;
  uint64_t inode = 0;
  int fd = -1;
  const FileInputOptions* input = nullptr;
  TailState state = TailState::kActive;

  Fingerprint fingerprint;
  uint64_t read_offset = 0;   // next byte to read
  uint64_t acked_offset = 0;  // first byte not yet acknowledged by every sink
  // Just past the last event handed to a batch: what acknowledgements can reach. Behind
  // split_offset while the joiner holds a group; equal to it without multiline.
  uint64_t emitted_offset = 0;
  uint64_t split_offset = 0;       // just past the last line the splitter reported
  std::string partial;             // bytes read but not yet split, starting at split_offset
  bool partial_has_lines = false;  // partial holds complete lines (a batch filled up mid-block)
  LineSplitter splitter;
  // With `multiline:`, lines go through this before they become events; null otherwise.
  std::unique_ptr<MultilineJoiner> joiner;

  // The offset marker (fingerprint.h) of marker_offset: saved with the checkpoint only while
  // marker_offset == acked_offset.
  Fingerprint marker;
  uint64_t marker_offset = 0;
  uint64_t size = 0;     // the file's size when last looked at (fstat)
  int64_t grown_ns = 0;  // monotonic time the file last grew (fairness under max_open_files)
  // A stream detached from a file found truncated (copytruncate), kept so that the copy, found
  // with the same head, continues it where it was read up to: monotonic time of the truncation.
  int64_t detached_ns = 0;
  // A new file whose head equals that of an open file (`twin_of`, by id): likely the copy of a
  // copytruncate about to truncate it. Not read until the original is truncated (then it
  // continues the original's stream) or rotate_wait passes (then it is a file of its own).
  uint64_t twin_of = 0;
  int64_t twin_since_ns = 0;
  bool check_twin = false;  // a new file not looked at for that yet

  bool may_have_data = true;      // read it on the next round
  bool at_end = false;            // the last read found no more data: check truncation first
  int64_t idle_since_ns = 0;      // monotonic time an orphan last reached its end
  uint64_t batch_generation = 0;  // batch this file last added a BatchSource to
  uint32_t batch_source = 0;      // index of that BatchSource
};

}  // namespace logship
