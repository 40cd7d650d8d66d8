// SPDX-License-Identifier: Apache-2.0
#include "src/tail/multiline_joiner.h"

#include <re2/re2.h>

#include "src/base/check.h"
#include "src/event/event.h"

namespace logship {
namespace {

// A buffer grown past this by one large group is released once the group is emitted, so that a
// thousand files that each once held a 1 MiB trace do not keep a gigabyte. Smaller buffers stay:
// typical traces then cost no allocation at all.
constexpr size_t kKeepCapacity = 64 << 10;

}  // namespace

Result<MultilineOptions> MultilineOptions::Make(Mode mode, std::string_view pattern) {
  MultilineOptions o;
  o.mode = mode;
  o.pattern = std::string(pattern);
  RE2::Options re_options;
  re_options.set_log_errors(false);
  auto regex = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()),
                                                re_options);
  if (!regex->ok()) {
    return Status::InvalidArgument("regular expression '" + o.pattern + "'", regex->error());
  }
  o.regex = std::move(regex);
  return o;
}

MultilineJoiner::MultilineJoiner(const MultilineOptions& options) : options_(options) {
  LOGSHIP_CHECK(options_.regex != nullptr && options_.max_lines >= 1 && options_.max_bytes >= 1)
      << "multiline options not compiled";
}

void MultilineJoiner::Add(std::string_view text, uint64_t offset, uint64_t next_offset,
                          uint32_t tags, int64_t now_ns, JoinedEventFn emit) {
  // A piece that continues a line the splitter cut is never a start, whatever its bytes.
  bool piece = prev_cut_;
  prev_cut_ = next_offset == offset + text.size();
  bool start = false;
  if (!piece) {
    bool match = RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *options_.regex);
    start = options_.mode == MultilineOptions::Mode::kStart ? match : !match;
  }
  if (start) {
    seen_start_ = true;
    if (pending_) EmitPending(0, emit);
    Begin(text, offset, next_offset, tags, now_ns);
    return;
  }
  if (!pending_) {
    if (seen_start_) {
      Begin(text, offset, next_offset, tags, now_ns);
    } else {
      emit(JoinedEvent{text, offset, next_offset, 1, tags});
    }
    return;
  }
  size_t separator = piece ? 0 : 1;
  uint64_t lines = lines_ + (piece ? 0 : 1);
  if (lines > options_.max_lines || buffer_.size() + separator + text.size() > options_.max_bytes) {
    EmitPending(kTagTruncated, emit);
    Begin(text, offset, next_offset, tags | kTagTruncated, now_ns);
    // A piece begins a group but is not a new line: the group still holds one line.
    return;
  }
  if (separator != 0) buffer_.push_back('\n');
  buffer_.append(text);
  lines_ = static_cast<uint32_t>(lines);
  tags_ |= tags;
  next_offset_ = next_offset;
  deadline_ns_ = now_ns + options_.timeout_ns;
}

bool MultilineJoiner::Flush(int64_t now_ns, JoinedEventFn emit) {
  if (!pending_ || now_ns < deadline_ns_) return false;
  EmitPending(0, emit);
  return true;
}

bool MultilineJoiner::FlushAll(JoinedEventFn emit) {
  if (!pending_) return false;
  EmitPending(0, emit);
  return true;
}

void MultilineJoiner::Reset() {
  pending_ = false;
  seen_start_ = false;
  prev_cut_ = false;
  buffer_.clear();
}

void MultilineJoiner::Begin(std::string_view text, uint64_t offset, uint64_t next_offset,
                            uint32_t tags, int64_t now_ns) {
  buffer_.assign(text);
  pending_ = true;
  lines_ = 1;
  tags_ = tags;
  offset_ = offset;
  next_offset_ = next_offset;
  deadline_ns_ = now_ns + options_.timeout_ns;
}

void MultilineJoiner::EmitPending(uint32_t extra_tags, JoinedEventFn emit) {
  pending_ = false;
  emit(JoinedEvent{buffer_, offset_, next_offset_, lines_, tags_ | extra_tags});
  buffer_.clear();
  if (buffer_.capacity() > kKeepCapacity) std::string().swap(buffer_);
}

}  // namespace logship
