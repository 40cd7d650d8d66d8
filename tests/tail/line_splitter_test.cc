// SPDX-License-Identifier: Apache-2.0
// Tests for src/tail/line_splitter.h. The splitter is driven the way FileSource::ReadSome drives
// it: the bytes it did not consume are passed again, first, with the next block, at the file
// offset of their first byte; after emit said stop, the rest is passed again with no new bytes.
#include "src/tail/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/event/utf8.h"

namespace logship {
namespace {

struct Line {
  std::string text;
  uint64_t offset = 0;
  uint64_t next = 0;
  bool truncated = false;

  bool operator==(const Line&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Line& l) {
  return os << "{\"" << l.text << "\" @" << l.offset << " next " << l.next
            << (l.truncated ? " truncated}" : "}");
}

// Plays FileSource's part: holds the unconsumed remainder and its offset.
class Feeder {
 public:
  // stop_every: emit returns false after every stop_every-th line (0: never).
  explicit Feeder(size_t max_line_bytes, size_t stop_every = 0)
      : splitter_(max_line_bytes), stop_every_(stop_every) {}

  void Feed(std::string_view block) {
    pending_.append(block);
    while (true) {
      bool stopped = false;
      size_t consumed = splitter_.Split(
          pending_, offset_, [&](std::string_view text, uint64_t off, uint64_t next, bool trunc) {
            lines_.push_back(Line{std::string(text), off, next, trunc});
            bool more = stop_every_ == 0 || lines_.size() % stop_every_ != 0;
            stopped = !more;
            return more;
          });
      EXPECT_LE(consumed, pending_.size());
      if (!lines_.empty() && consumed > 0) {
        // The caller's emitted_offset is the last line's next_offset: the remainder starts there.
        EXPECT_EQ(lines_.back().next, offset_ + consumed);
      }
      pending_.erase(0, consumed);
      offset_ += consumed;
      if (!stopped) break;  // else: the batch was full; pass the rest again before reading more
    }
  }

  // Feeds `text` in blocks cut at `cuts` (ascending offsets into text).
  void FeedCut(std::string_view text, const std::vector<size_t>& cuts) {
    size_t from = 0;
    for (size_t cut : cuts) {
      Feed(text.substr(from, cut - from));
      from = cut;
    }
    Feed(text.substr(from));
  }

  LineSplitter& splitter() { return splitter_; }
  const std::vector<Line>& lines() const { return lines_; }
  const std::string& pending() const { return pending_; }
  uint64_t offset() const { return offset_; }

 private:
  LineSplitter splitter_;
  size_t stop_every_;
  std::vector<Line> lines_;
  std::string pending_;
  uint64_t offset_ = 0;
};

std::vector<Line> SplitWhole(std::string_view text, size_t max, size_t stop_every = 0) {
  Feeder f(max, stop_every);
  f.Feed(text);
  return f.lines();
}

// The lines of `text` by a plain reading of the contract, for texts whose lines are all short.
std::vector<Line> ReferenceShortLines(std::string_view text) {
  std::vector<Line> out;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(Line{std::string(line), start, nl + 1, false});
    start = nl + 1;
  }
  return out;
}

// Checks the invariants every split obeys, whatever the blocks: offsets contiguous from 0, pieces
// within the limit and never cutting a UTF-8 character of valid text, and each logical line
// (its pieces joined) equal to the original line without its terminator.
void CheckInvariants(std::string_view text, size_t max, const std::vector<Line>& lines) {
  uint64_t expect_offset = 0;
  std::string joined;
  for (const Line& l : lines) {
    SCOPED_TRACE(::testing::Message() << l);
    EXPECT_EQ(l.offset, expect_offset);
    EXPECT_LE(l.text.size(), max);
    EXPECT_GT(l.next, l.offset);
    ASSERT_LE(l.next, text.size());
    if (IsValidUtf8(text)) {
      EXPECT_TRUE(IsValidUtf8(l.text));
    }
    joined += l.text;
    std::string_view raw = text.substr(l.offset, l.next - l.offset);
    bool terminated = !raw.empty() && raw.back() == '\n';
    if (terminated) {
      // A complete line, or the last piece of one: its text is the raw bytes minus the terminator.
      std::string_view body = raw.substr(0, raw.size() - 1);
      if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
      EXPECT_EQ(l.text, body);
      std::string_view whole = text.substr(0, l.next - 1);
      size_t line_start = whole.rfind('\n');
      line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
      std::string_view original = text.substr(line_start, l.next - 1 - line_start);
      if (!original.empty() && original.back() == '\r') original.remove_suffix(1);
      EXPECT_EQ(joined, original);
      EXPECT_EQ(l.truncated, original.size() > max) << original.size();
      joined.clear();
    } else {
      EXPECT_EQ(l.text, raw);  // a piece of a long line: the bytes as they are
      EXPECT_TRUE(l.truncated);
    }
    expect_offset = l.next;
  }
}

// Every way of cutting `text` in two, and byte by byte, gives the same lines as one block.
void CheckAllSplitPoints(std::string_view text, size_t max) {
  std::vector<Line> whole = SplitWhole(text, max);
  CheckInvariants(text, max, whole);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    SCOPED_TRACE(::testing::Message() << "cut at " << cut);
    Feeder f(max);
    f.FeedCut(text, {cut});
    EXPECT_EQ(f.lines(), whole);
  }
  {
    SCOPED_TRACE("byte by byte");
    Feeder f(max);
    for (char c : text) f.Feed(std::string_view(&c, 1));
    EXPECT_EQ(f.lines(), whole);
  }
  {
    SCOPED_TRACE("byte by byte, stopping after every line");
    Feeder f(max, /*stop_every=*/1);
    for (char c : text) f.Feed(std::string_view(&c, 1));
    EXPECT_EQ(f.lines(), whole);
  }
}

const char kSample[] =
    "first line\n"
    "second\r\n"
    "\n"
    "\r\n"
    "x\r\r\n"                                      // only the last '\r' belongs to the terminator
    "mid\rdle\n"                                   // a lone '\r' is text
    "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\n"  // 2-, 3- and 4-byte characters
    "no newline yet";

TEST(LineSplitterTest, SampleMatchesTheContract) {
  std::vector<Line> lines = SplitWhole(kSample, 64);
  std::vector<Line> want = ReferenceShortLines(kSample);
  EXPECT_EQ(lines, want);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0], (Line{"first line", 0, 11, false}));
  EXPECT_EQ(lines[1], (Line{"second", 11, 19, false}));
  EXPECT_EQ(lines[2], (Line{"", 19, 20, false}));
  EXPECT_EQ(lines[3], (Line{"", 20, 22, false}));
  EXPECT_EQ(lines[4], (Line{"x\r", 22, 26, false}));
  EXPECT_EQ(lines[5], (Line{"mid\rdle", 26, 34, false}));
}

TEST(LineSplitterTest, SampleSplitAtEveryOffsetGivesTheSameLines) {
  CheckAllSplitPoints(kSample, 64);
}

TEST(LineSplitterTest, UnterminatedTailIsKeptForTheCaller) {
  Feeder f(64);
  f.Feed(kSample);
  EXPECT_EQ(f.pending(), "no newline yet");
  EXPECT_EQ(f.offset(), sizeof(kSample) - 1 - f.pending().size());
  f.Feed(" - now\n");
  ASSERT_FALSE(f.lines().empty());
  EXPECT_EQ(f.lines().back(), (Line{"no newline yet - now", f.offset() - 21, f.offset(), false}));
  EXPECT_TRUE(f.pending().empty());
}

TEST(LineSplitterTest, EmptyInputAndOnlyNewlines) {
  EXPECT_TRUE(SplitWhole("", 64).empty());
  std::vector<Line> lines = SplitWhole("\n\n\r\n", 64);
  EXPECT_EQ(lines, (std::vector<Line>{{"", 0, 1, false}, {"", 1, 2, false}, {"", 2, 4, false}}));
}

TEST(LineSplitterTest, OffsetsStartAtTheGivenFileOffset) {
  LineSplitter s(64);
  std::vector<Line> lines;
  size_t consumed =
      s.Split("ab\ncd\nef", 1000, [&](std::string_view t, uint64_t o, uint64_t n, bool tr) {
        lines.push_back(Line{std::string(t), o, n, tr});
        return true;
      });
  EXPECT_EQ(consumed, 6u);
  EXPECT_EQ(lines, (std::vector<Line>{{"ab", 1000, 1003, false}, {"cd", 1003, 1006, false}}));
}

TEST(LineSplitterTest, LineOfExactlyMaxBytesIsNotTruncated) {
  const size_t max = 8;
  EXPECT_EQ(SplitWhole("abcdefgh\nz\n", max),
            (std::vector<Line>{{"abcdefgh", 0, 9, false}, {"z", 9, 11, false}}));
  CheckAllSplitPoints("abcdefgh\nz\n", max);
  // With "\r\n": the text is still max bytes, so still one line.
  EXPECT_EQ(SplitWhole("abcdefgh\r\nz\n", max),
            (std::vector<Line>{{"abcdefgh", 0, 10, false}, {"z", 10, 12, false}}));
  CheckAllSplitPoints("abcdefgh\r\nz\n", max);
  // max - 1 bytes and "\r\n": the '\r' is at the limit.
  EXPECT_EQ(SplitWhole("abcdefg\r\n", max), (std::vector<Line>{{"abcdefg", 0, 9, false}}));
  CheckAllSplitPoints("abcdefg\r\n", max);
}

TEST(LineSplitterTest, FullLengthLineWaitsForTheByteAfterIt) {
  Feeder f(8);
  f.Feed("abcdefgh");
  EXPECT_TRUE(f.lines().empty());  // newline or more text next: not known yet
  EXPECT_EQ(f.pending(), "abcdefgh");
  f.Feed("\r");
  EXPECT_TRUE(f.lines().empty());  // "\r\n" or a ninth byte '\r': not known yet
  f.Feed("\n");
  EXPECT_EQ(f.lines(), (std::vector<Line>{{"abcdefgh", 0, 10, false}}));
}

TEST(LineSplitterTest, LineOfMaxPlusOneBytesIsTwoTruncatedPieces) {
  const size_t max = 8;
  EXPECT_EQ(
      SplitWhole("abcdefghi\nz\n", max),
      (std::vector<Line>{{"abcdefgh", 0, 8, true}, {"i", 8, 10, true}, {"z", 10, 12, false}}));
  CheckAllSplitPoints("abcdefghi\nz\n", max);
  // max bytes and a '\r' that is text (no '\n' after it): the '\r' is the ninth byte.
  EXPECT_EQ(SplitWhole("abcdefgh\rx\n", max),
            (std::vector<Line>{{"abcdefgh", 0, 8, true}, {"\rx", 8, 11, true}}));
}

TEST(LineSplitterTest, LongLinesArePiecesWithExactOffsets) {
  const size_t max = 8;
  std::string lng;
  for (int i = 0; i < 53; ++i) lng += static_cast<char>('a' + i % 26);
  std::string text = "short\n" + lng + "\n" + "after\n" + lng + lng + "\r\n" + "end\n";
  std::vector<Line> lines = SplitWhole(text, max);
  CheckInvariants(text, max, lines);
  CheckAllSplitPoints(text, max);

  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines.front(), (Line{"short", 0, 6, false}));
  // The first long line: ceil(53 / 8) = 7 pieces at 6, 14, ..., the last one ending at its '\n'.
  std::string joined;
  for (size_t i = 1; i <= 7; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(lines[i].offset, 6 + 8 * (i - 1));
    EXPECT_EQ(lines[i].next, i < 7 ? 6 + 8 * i : 6 + 53 + 1);
    EXPECT_TRUE(lines[i].truncated);
    joined += lines[i].text;
  }
  EXPECT_EQ(joined, lng);
  EXPECT_EQ(lines[8], (Line{"after", 60, 66, false}));
  // The second: 106 bytes and "\r\n", ceil(106 / 8) = 14 pieces; the last is "\r\n"-terminated.
  joined.clear();
  for (size_t i = 9; i < 9 + 14; ++i) {
    EXPECT_TRUE(lines[i].truncated);
    joined += lines[i].text;
  }
  EXPECT_EQ(joined, lng + lng);
  EXPECT_EQ(lines[22].next, 66 + 106 + 2);
  EXPECT_EQ(lines[23], (Line{"end", 174, 178, false}));
  EXPECT_EQ(lines.size(), 24u);
}

TEST(LineSplitterTest, LongLineWhoseLastPieceIsExactlyMaxBytes) {
  // 16 bytes: two full pieces, the second one ended by the newline right after the limit.
  const size_t max = 8;
  std::string text = "0123456789abcdef\nz\n";
  EXPECT_EQ(SplitWhole(text, max),
            (std::vector<Line>{
                {"01234567", 0, 8, true}, {"89abcdef", 8, 17, true}, {"z", 17, 19, false}}));
  CheckAllSplitPoints(text, max);
  text = "0123456789abcdef\r\nz\n";
  EXPECT_EQ(SplitWhole(text, max),
            (std::vector<Line>{
                {"01234567", 0, 8, true}, {"89abcdef", 8, 18, true}, {"z", 18, 20, false}}));
  CheckAllSplitPoints(text, max);
}

TEST(LineSplitterTest, CutsAtUtf8CharacterBoundaries) {
  const size_t max = 8;
  for (const std::string ch : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    // Put the character at every position around the limit, in a line long enough to be cut
    // several times.
    for (size_t at = 0; at <= max + 1; ++at) {
      SCOPED_TRACE(::testing::Message() << ch.size() << "-byte character at " << at);
      std::string line = std::string(at, 'a') + ch + std::string(3 * max, 'b') + ch + "c";
      std::string text = line + "\nnext\n";
      std::vector<Line> lines = SplitWhole(text, max);
      CheckInvariants(text, max, lines);
      std::string joined;
      for (size_t i = 0; i + 1 < lines.size(); ++i) {
        EXPECT_TRUE(IsValidUtf8(lines[i].text)) << i;  // never half a character
        // Only a character that would cross the limit shortens a piece, by less than its size.
        if (i + 2 < lines.size()) {
          EXPECT_GT(lines[i].text.size() + ch.size(), max) << i;
        }
        joined += lines[i].text;
      }
      EXPECT_EQ(joined, line);
      EXPECT_EQ(lines.back(), (Line{"next", line.size() + 1, line.size() + 6, false}));
      CheckAllSplitPoints(text, max);
    }
  }
}

TEST(LineSplitterTest, CharacterStraddlingTheLimitGoesToTheNextPiece) {
  // "abcdef" + U+20AC (3 bytes at 6, 7, 8): the 8-byte piece would end inside it.
  std::vector<Line> lines = SplitWhole(
      "abcdef\xE2\x82\xAC"
      "gh\n",
      8);
  EXPECT_EQ(lines, (std::vector<Line>{{"abcdef", 0, 6, true},
                                      {"\xE2\x82\xAC"
                                       "gh",
                                       6, 12, true}}));
  // "abcde" + U+1F600 (4 bytes at 5..8).
  lines = SplitWhole(
      "abcde\xF0\x9F\x98\x80"
      "fg\n",
      8);
  EXPECT_EQ(lines, (std::vector<Line>{{"abcde", 0, 5, true},
                                      {"\xF0\x9F\x98\x80"
                                       "fg",
                                       5, 12, true}}));
  // The character ends exactly at the limit: no need to cut before it.
  lines = SplitWhole(
      "abcde\xE2\x82\xAC"
      "fg\n",
      8);
  EXPECT_EQ(lines, (std::vector<Line>{{"abcde\xE2\x82\xAC", 0, 8, true}, {"fg", 8, 11, true}}));
}

TEST(LineSplitterTest, InvalidUtf8IsCutAtTheLimit) {
  // Continuation bytes with no lead byte: nothing to keep together, and no piece may be empty.
  std::string line(20, '\x80');
  std::vector<Line> lines = SplitWhole(line + "\n", 8);
  CheckInvariants(line + "\n", 8, lines);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text.size(), 8u);
  EXPECT_EQ(lines[1].text.size(), 8u);
  EXPECT_EQ(lines[2].text.size(), 4u);
}

TEST(LineSplitterTest, EmitReturningFalseStopsAfterThatLine) {
  LineSplitter s(64);
  std::string text = "one\ntwo\nthree\n";
  std::vector<std::string> got;
  auto stop_after_each = [&](std::string_view t, uint64_t, uint64_t, bool) {
    got.emplace_back(t);
    return false;
  };
  size_t consumed = s.Split(text, 0, stop_after_each);
  EXPECT_EQ(consumed, 4u);
  EXPECT_EQ(got, (std::vector<std::string>{"one"}));
  consumed += s.Split(std::string_view(text).substr(consumed), consumed, stop_after_each);
  EXPECT_EQ(consumed, 8u);
  consumed += s.Split(std::string_view(text).substr(consumed), consumed, stop_after_each);
  EXPECT_EQ(consumed, 14u);
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(s.Split("", 14, stop_after_each), 0u);
}

TEST(LineSplitterTest, StoppingInsideALongLineKeepsItsPiecesFlagged) {
  const size_t max = 8;
  std::string text = std::string(30, 'x') + "\nshort\n" + std::string(9, 'y') + "\n";
  std::vector<Line> whole = SplitWhole(text, max);
  for (size_t every = 1; every <= 4; ++every) {
    SCOPED_TRACE(every);
    EXPECT_EQ(SplitWhole(text, max, every), whole);
    Feeder f(max, every);
    for (char c : text) f.Feed(std::string_view(&c, 1));
    EXPECT_EQ(f.lines(), whole);
  }
  CheckInvariants(text, max, whole);
}

TEST(LineSplitterTest, InLongLineTracksACutLine) {
  Feeder f(8);
  EXPECT_FALSE(f.splitter().in_long_line());
  f.Feed("0123456789");
  EXPECT_TRUE(f.splitter().in_long_line());
  EXPECT_EQ(f.pending(), "89");
  f.Feed("\n");
  EXPECT_FALSE(f.splitter().in_long_line());
  EXPECT_EQ(f.lines().back(), (Line{"89", 8, 11, true}));
}

TEST(LineSplitterTest, ResetForgetsACutLine) {
  // The file was truncated in the middle of a long line and is read again from 0: the first line
  // of the new content is not a piece of the old one.
  Feeder f(8);
  f.Feed("0123456789");
  ASSERT_TRUE(f.splitter().in_long_line());
  f.splitter().Reset();
  EXPECT_FALSE(f.splitter().in_long_line());
  LineSplitter& s = f.splitter();
  std::vector<Line> lines;
  s.Split("new\n", 0, [&](std::string_view t, uint64_t o, uint64_t n, bool tr) {
    lines.push_back(Line{std::string(t), o, n, tr});
    return true;
  });
  EXPECT_EQ(lines, (std::vector<Line>{{"new", 0, 4, false}}));
  EXPECT_EQ(s.max_line_bytes(), 8u);
}

TEST(LineSplitterTest, RandomTextsSplitAtRandomPointsAgreeWithOneBlock) {
  // Fixed seed: random mixes of short, full-length, long, "\r\n" and multi-byte lines.
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&](uint64_t n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % n;
  };
  const char* pieces[] = {
      "a", "bc", "\n", "\r\n", "\r", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "0123456"};
  for (int round = 0; round < 200; ++round) {
    size_t max = 4 + next(12);
    std::string text;
    size_t n = next(60);
    for (size_t i = 0; i < n; ++i) text += pieces[next(std::size(pieces))];
    SCOPED_TRACE(::testing::Message() << "round " << round << " max " << max);
    std::vector<Line> whole = SplitWhole(text, max);
    CheckInvariants(text, max, whole);
    std::vector<size_t> cuts;
    for (size_t at = 0; at < text.size(); at += 1 + next(5)) cuts.push_back(at);
    Feeder f(max, /*stop_every=*/1 + next(3));
    f.FeedCut(text, cuts);
    EXPECT_EQ(f.lines(), whole);
  }
}

}  // namespace
}  // namespace logship
