// SPDX-License-Identifier: Apache-2.0
#pragma once

// FileReader reads one stream (a file's contents from some offset on): blocks read at an offset,
// cut into lines (LineSplitter), joined into multiline groups (MultilineJoiner), each event added
// to the batch a BatchFiller holds, with its file offsets. It is the only read path: the file input
// tails with it and `logship replay` re-reads a window with it, so a replayed line is the same
// event at the same offset. Between reads it keeps the bytes of an incomplete last line (at most
// max_line_bytes + 1). Owned by one thread; it blocks only inside BatchFiller (back-pressure).
//
// Offsets: read_offset (next byte to read) >= split_offset (just past the last line cut) >=
// emitted_offset (just past the last event added; behind split_offset while a multiline group is
// pending). Acknowledgements can reach emitted_offset.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "src/base/file_system.h"
#include "src/tail/batch_filler.h"
#include "src/tail/file_input_options.h"
#include "src/tail/line_splitter.h"
#include "src/tail/multiline_joiner.h"

namespace logship {

class FileReader {
 public:
  // `options` must outlive the reader.
  FileReader(const FileInputOptions& options, uint64_t id, std::string path);

  // The buffer size ReadSome needs: room for a whole line and a block.
  static size_t BufferBytes(const FileInputOptions& options) {
    return options.max_line_bytes + 1 + options.read_buffer_bytes;
  }

  // Reading starts (again) at `offset`: 0, or a checkpoint (where a multiline group is taken to
  // start mid-file). Forgets any incomplete line and pending group.
  void StartAt(uint64_t offset);
  // The file was truncated or rewritten: the stream starts again at 0 under the name `new_id`.
  // Ship the pending group (FlushGroup) first, or it is dropped.
  void Restart(uint64_t new_id);

  enum class Status : uint8_t { kData, kEnd, kStopped, kError };
  struct ReadResult {
    Status status = Status::kEnd;
    size_t bytes = 0;       // read from the file by this call
    logship::Status error;  // with kError: names the file
  };
  // Adds the lines of one block read from `file` (at most read_buffer_bytes, never past `limit`),
  // or, when a full batch stopped the last call mid-block, the lines it left. Full batches are
  // emitted on the way. kEnd: nothing to read now, or `limit` reached; kStopped: no batch (the
  // pipeline stops); kError: the read failed (nothing changed). `buffer` holds BufferBytes()
  // bytes and may be shared by every reader of a thread.
  ReadResult ReadSome(ReadableFile& file, BatchFiller& out, std::span<char> buffer,
                      uint64_t limit = UINT64_MAX);
  // Ships the bytes after the last newline as the stream's last line (the file gets no more, or
  // --once reads to the current end). False when there was no batch (stopping). `file` (null
  // when closed) names the stream if this is its first event.
  bool ShipUnterminated(ReadableFile* file, BatchFiller& out);
  // Ships the pending multiline group, if any. False when there was no batch (stopping).
  bool FlushGroup(ReadableFile* file, BatchFiller& out);
  // Ships the complete lines a full batch left unread in the buffer (lines_pending()), without
  // reading: before the stream restarts (truncation), they are still the old stream's lines.
  // False when there was no batch (stopping).
  bool ShipPendingLines(ReadableFile* file, BatchFiller& out);
  // Names the stream from `file` (the file key of its first line) if it has no name yet: before
  // its descriptor is closed while events of it are still to come (a pending group).
  void NameStream(ReadableFile& file);

  EventOrigin& origin() { return origin_; }
  const EventOrigin& origin() const { return origin_; }
  uint64_t read_offset() const { return read_offset_; }
  uint64_t split_offset() const { return split_offset_; }
  uint64_t emitted_offset() const { return emitted_offset_; }
  // Bytes of an unterminated last line, held until its newline arrives.
  size_t held_bytes() const { return lines_pending_ ? 0 : partial_.size(); }
  // Complete lines read but not yet added: a full batch stopped the last call mid-block.
  bool lines_pending() const { return lines_pending_; }
  bool group_pending() const { return joiner_ != nullptr && joiner_->pending(); }
  // When the pending group times out (MultilineJoiner::kNoDeadline when none is pending).
  int64_t group_deadline() const {
    return joiner_ != nullptr ? joiner_->NextDeadline() : MultilineJoiner::kNoDeadline;
  }
  // Ships the pending group if it timed out at `now_ns` (monotonic). False when stopping.
  bool FlushGroupIfDue(ReadableFile* file, BatchFiller& out, int64_t now_ns);

 private:
  void Add(BatchFiller& out, ReadableFile* file, std::string_view line, uint64_t offset,
           uint64_t next, uint32_t tags, int64_t now_ns);
  void AddEvent(BatchFiller& out, ReadableFile* file, std::string_view text, uint64_t offset,
                uint64_t next, uint32_t tags);
  // Cuts `data` (starting at split_offset_) into lines added to `out` until the batch is full;
  // returns the bytes consumed and sets lines_pending_ when it stopped at a full batch.
  size_t SplitAndAdd(ReadableFile* file, BatchFiller& out, std::string_view data);

  const FileInputOptions& options_;
  EventOrigin origin_;
  uint64_t device_ = 0;  // for the file key, taken from the file at the first event
  uint64_t inode_ = 0;
  uint64_t read_offset_ = 0;
  uint64_t split_offset_ = 0;
  uint64_t emitted_offset_ = 0;
  // Gives back partial_'s room once it holds only an unterminated line again: a full batch leaves
  // up to a block in it, and a thousand files each keeping a block's room would cost a thousand
  // blocks of memory.
  void TrimPartial();

  std::string partial_;  // bytes read but not yet split, starting at split_offset_
  bool lines_pending_ = false;
  LineSplitter splitter_;
  std::unique_ptr<MultilineJoiner> joiner_;  // with `multiline:` only
};

}  // namespace logship
