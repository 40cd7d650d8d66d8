// SPDX-License-Identifier: Apache-2.0
#pragma once

// MultilineJoiner groups the lines of one file into events, so that a Java or Python stack trace
// becomes one event. It takes the file's lines in order and hands back events that each cover a
// contiguous run of them: an event's offset is its first line's and its next_offset the last
// line's, so a file's events tile it with no gap and no overlap, and a checkpoint at an event's
// next_offset never falls inside a group. Pure: no threads, no clock (the caller passes the time
// and asks for timed-out groups), no I/O. Memory: one reused buffer for the pending group, at most
// max_bytes (or one line, if a line is longer); no allocation per line in steady state. One per
// tailed file, used by one thread.

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "src/base/result.h"

namespace re2 {
class RE2;
}

namespace logship {

// `multiline:` of a file input, compiled. Copyable and immutable once made; the regex is shared by
// every file of the input (RE2 matching is thread-safe and allocation-free).
struct MultilineOptions {
  enum class Mode : uint8_t {
    kStart,     // a line matching the regex begins an event; others continue it
    kContinue,  // a line matching the regex continues the event before it; others begin one
  };
  Mode mode = Mode::kStart;
  std::string pattern;
  std::shared_ptr<const re2::RE2> regex;
  uint64_t max_lines = 500;            // lines per event (a piece of a cut line is not a new line)
  uint64_t max_bytes = 1 << 20;        // bytes of joined text per event
  int64_t timeout_ns = 2'000'000'000;  // a pending event is complete after this long without a line

  // Compiles `pattern` (RE2 syntax, partial match). InvalidArgument with RE2's reason on failure.
  static Result<MultilineOptions> Make(Mode mode, std::string_view pattern);
};

// One event completed by the joiner. `text` is the joined lines ("\n" between lines; nothing
// between the pieces of a line the splitter cut), valid only during the callback that receives it.
struct JoinedEvent {
  std::string_view text;
  uint64_t offset = 0;       // of the first line's first byte
  uint64_t next_offset = 0;  // just past the last line's terminator: where reading resumes
  uint32_t lines = 0;        // lines joined (pieces of one cut line count once)
  uint32_t tags = 0;         // EventTag bits: every line's, plus kTagTruncated when cut by a limit
};

// A borrowed callable taking `const JoinedEvent&`; it must outlive the call it is passed to.
class JoinedEventFn {
 public:
  template <class F,
            class = std::enable_if_t<!std::is_same_v<std::remove_cvref_t<F>, JoinedEventFn>>>
  JoinedEventFn(F&& f)  // NOLINT(google-explicit-constructor): used like std::function_ref
      : object_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, const JoinedEvent& e) {
          (*static_cast<std::remove_reference_t<F>*>(o))(e);
        }) {}
  void operator()(const JoinedEvent& e) const { call_(object_, e); }

 private:
  void* object_;
  void (*call_)(void*, const JoinedEvent&);
};

class MultilineJoiner {
 public:
  static constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

  // REQUIRES: options.regex compiled, max_lines >= 1, max_bytes >= 1; `options` outlives this.
  explicit MultilineJoiner(const MultilineOptions& options);

  // Takes the next line of the file: `text` without its terminator, at file offset `offset`,
  // `next_offset` just past its terminator (== offset + text.size() for a piece of a longer line
  // that the splitter cut, which the next line continues), `tags` its EventTag bits, `now_ns` the
  // caller's monotonic time. Calls `emit` at most once, for an event this line completes:
  //  - a start line (one matching `start`, or not matching `continue`) completes the pending
  //    group and begins the next;
  //  - another line joins the pending group, unless that would pass max_lines or max_bytes: then
  //    the group is emitted tagged `truncated` and the line begins a new group, tagged `truncated`
  //    too (nothing is dropped);
  //  - another line with no group pending begins one (the rest of a group emitted by a timeout or
  //    Flush), except before the first start line of a file read from its start (since
  //    construction or Reset(), unless StartMidFile()): such lines are emitted alone at once.
  void Add(std::string_view text, uint64_t offset, uint64_t next_offset, uint32_t tags,
           int64_t now_ns, JoinedEventFn emit);

  // Emits the pending group if no line joined it for `timeout` (now_ns >= NextDeadline()).
  // Returns true when it emitted.
  bool Flush(int64_t now_ns, JoinedEventFn emit);
  // Emits the pending group, if any, whatever the time (end of --once, file closed).
  bool FlushAll(JoinedEventFn emit);
  // When the pending group times out; kNoDeadline when none is pending.
  int64_t NextDeadline() const { return pending_ ? deadline_ns_ : kNoDeadline; }
  bool pending() const { return pending_; }
  // First offset of the pending group (only meaningful when pending()).
  uint64_t pending_offset() const { return offset_; }

  // Reading begins past the file's start (at a checkpoint, or start_at: end): lines before the
  // first start line continue an event shipped before (the rest of a trace that --once flushed),
  // so they are joined into one group like the rest of a timed-out group, not emitted alone.
  void StartMidFile() { seen_start_ = true; }

  // Discards the pending group and forgets every line seen (the file is read again from 0).
  void Reset();

 private:
  void Begin(std::string_view text, uint64_t offset, uint64_t next_offset, uint32_t tags,
             int64_t now_ns);
  void EmitPending(uint32_t extra_tags, JoinedEventFn emit);

  const MultilineOptions& options_;
  std::string buffer_;  // the pending group's joined text
  bool pending_ = false;
  bool seen_start_ = false;  // a start line was seen (or StartMidFile) since construction/Reset
  bool prev_cut_ = false;    // the last line was a cut piece: the next one continues it
  uint32_t lines_ = 0;
  uint32_t tags_ = 0;
  uint64_t offset_ = 0;
  uint64_t next_offset_ = 0;
  int64_t deadline_ns_ = 0;
};

}  // namespace logship
