// SPDX-License-Identifier: Apache-2.0
// The multiline joiner fed as the tailer feeds it: the input (after 6 control bytes choosing the
// limits, the pattern, the block size and the clock) is cut into blocks, split into lines by the
// LineSplitter (long lines into pieces), joined (as from a file's start, or resumed mid-file),
// with flushes at random times; the unterminated
// tail is fed last, as a closed file's is, then everything is flushed. Every event must be exactly
// the lines from its offset to its next_offset joined back ("\n" between lines, nothing between
// the pieces of a cut line), the events must tile the input from 0 to its end, and max_lines and
// max_bytes must hold (a single line may be longer than max_bytes: the splitter bounds it).

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "src/event/event.h"
#include "src/tail/line_splitter.h"
#include "src/tail/multiline_joiner.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

using logship::JoinedEvent;
using logship::MultilineJoiner;
using logship::MultilineOptions;

constexpr const char* kPatterns[] = {"^S", R"(^\S)", "^[A-Z]", "a", "^$", R"(^\d+ )", "x|y", "."};

struct FedLine {
  uint64_t offset;
  uint64_t next;
  std::string text;
  bool piece;  // continues the line before it (that one was cut)
  uint32_t tags;
};

void Check(bool ok) {
  if (!ok) std::abort();
}

class Checker {
 public:
  Checker(const MultilineOptions& o) : options_(o) {}

  void Fed(std::string_view text, uint64_t offset, uint64_t next, uint32_t tags) {
    bool piece =
        !lines_.empty() && lines_.back().next == lines_.back().offset + lines_.back().text.size();
    lines_.push_back(FedLine{offset, next, std::string(text), piece, tags});
  }

  void Emitted(const JoinedEvent& e) {
    Check(e.offset == expect_offset_);
    Check(e.next_offset > e.offset);
    // The lines it covers, from the first not yet emitted.
    Check(first_ < lines_.size() && lines_[first_].offset == e.offset);
    size_t last = first_;
    while (lines_[last].next != e.next_offset) {
      ++last;
      Check(last < lines_.size());
    }
    std::string want = lines_[first_].text;
    uint32_t lines = 1;
    uint32_t tags = lines_[first_].tags;
    for (size_t i = first_ + 1; i <= last; ++i) {
      if (!lines_[i].piece) {
        want.push_back('\n');
        ++lines;
      }
      want.append(lines_[i].text);
      tags |= lines_[i].tags;
    }
    Check(e.text == want);
    Check(e.lines == lines);
    Check(lines <= options_.max_lines);
    Check(last == first_ || e.text.size() <= options_.max_bytes);
    Check((e.tags & tags) == tags);  // no line's tag is lost
    Check((e.tags & ~(tags | logship::kTagTruncated)) == 0);
    expect_offset_ = e.next_offset;
    first_ = last + 1;
  }

  uint64_t expect_offset() const { return expect_offset_; }
  bool all_emitted() const { return first_ == lines_.size(); }

 private:
  const MultilineOptions& options_;
  std::vector<FedLine> lines_;
  size_t first_ = 0;
  uint64_t expect_offset_ = 0;
};

// Compiled once: RE2 compilation would otherwise dominate each run.
const MultilineOptions& Compiled(bool continue_mode, size_t pattern) {
  constexpr size_t kCount = sizeof(kPatterns) / sizeof(kPatterns[0]);
  static const std::vector<MultilineOptions>* all = [] {
    auto* v = new std::vector<MultilineOptions>;
    for (int mode = 0; mode < 2; ++mode) {
      for (const char* p : kPatterns) {
        logship::Result<MultilineOptions> made = MultilineOptions::Make(
            mode == 0 ? MultilineOptions::Mode::kStart : MultilineOptions::Mode::kContinue, p);
        Check(made.ok());
        v->push_back(std::move(made).value());
      }
    }
    return v;
  }();
  return (*all)[(continue_mode ? kCount : 0) + pattern % kCount];
}

}  // namespace

LOGSHIP_FUZZ_TARGET(multiline_joiner) {
  if (size < 6) return 0;
  MultilineOptions options = Compiled((data[0] & 1) != 0, data[0] >> 2);
  bool mid_file = (data[0] & 2) != 0;
  options.max_lines = 1 + data[1] % 8;
  options.max_bytes = 1 + data[2] % 96;
  options.timeout_ns = 1 + data[3] % 16;
  size_t max_line = 1 + data[4] % 64;
  size_t block = 1 + data[5] % 32;
  uint32_t rng = 0x9e3779b9u ^ (uint32_t{data[3]} << 8) ^ data[5];
  auto next_random = [&] {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
  };
  std::string_view input(reinterpret_cast<const char*>(data) + 6, size - 6);

  MultilineJoiner joiner(options);
  if (mid_file) joiner.StartMidFile();
  logship::LineSplitter splitter(max_line);
  Checker checker(options);
  auto emitted = [&](const JoinedEvent& e) { checker.Emitted(e); };
  int64_t now = 0;
  std::string pending;
  uint64_t pending_offset = 0;
  for (size_t pos = 0; pos < input.size(); pos += block) {
    pending.append(input.substr(pos, block));
    size_t used = splitter.Split(
        pending, pending_offset,
        [&](std::string_view line, uint64_t offset, uint64_t next, bool t) {
          uint32_t tags = t ? uint32_t{logship::kTagTruncated} : 0u;
          if (line.find('\xff') != std::string_view::npos) tags |= logship::kTagInvalidUtf8;
          checker.Fed(line, offset, next, tags);
          joiner.Add(line, offset, next, tags, now, emitted);
          Check(joiner.pending() == (joiner.NextDeadline() != MultilineJoiner::kNoDeadline));
          return true;
        });
    pending.erase(0, used);
    pending_offset += used;
    now += next_random() % 8;
    uint32_t r = next_random();
    if (r % 4 == 0) {
      int64_t deadline = joiner.NextDeadline();
      bool flushed = joiner.Flush(now, emitted);
      Check(flushed == (deadline != MultilineJoiner::kNoDeadline && now >= deadline));
      Check(!joiner.pending() || !flushed);
    }
  }
  // The file is closed: its unterminated tail is a line of its own, then nothing may wait.
  if (!pending.empty()) {
    uint64_t end = pending_offset + pending.size();
    checker.Fed(pending, pending_offset, end, 0);
    joiner.Add(pending, pending_offset, end, 0, now, emitted);
  }
  joiner.FlushAll(emitted);
  Check(!joiner.pending());
  Check(checker.all_emitted());
  Check(checker.expect_offset() == input.size());
  return 0;
}
