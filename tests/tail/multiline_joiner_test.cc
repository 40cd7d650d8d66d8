// SPDX-License-Identifier: Apache-2.0
// MultilineJoiner fed as the tailer feeds it: bytes through a real LineSplitter, lines into the
// joiner, a fake time. Real Java and Python traces; limits, timeouts, offsets.

#include "src/tail/multiline_joiner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "src/event/event.h"
#include "src/tail/line_splitter.h"
#include "tests/testing/alloc/allocation_counter.h"

namespace logship {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kSecond = 1'000'000'000;

struct Out {
  std::string text;
  uint64_t offset = 0;
  uint64_t next_offset = 0;
  uint32_t lines = 0;
  uint32_t tags = 0;
  bool truncated() const { return (tags & kTagTruncated) != 0; }
};

MultilineOptions Options(MultilineOptions::Mode mode, std::string_view pattern,
                         uint64_t max_lines = 500, uint64_t max_bytes = 1 << 20,
                         int64_t timeout_ns = 2 * kSecond) {
  Result<MultilineOptions> o = MultilineOptions::Make(mode, pattern);
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  o->max_lines = max_lines;
  o->max_bytes = max_bytes;
  o->timeout_ns = timeout_ns;
  return std::move(o).value();
}

MultilineOptions Start(std::string_view pattern, uint64_t max_lines = 500,
                       uint64_t max_bytes = 1 << 20, int64_t timeout_ns = 2 * kSecond) {
  return Options(MultilineOptions::Mode::kStart, pattern, max_lines, max_bytes, timeout_ns);
}

// A file as the tailer sees it: bytes written at the end, split into lines, joined.
class Harness {
 public:
  explicit Harness(MultilineOptions options, size_t max_line_bytes = 1 << 20)
      : options_(std::move(options)), joiner_(options_), splitter_(max_line_bytes) {}

  void Write(std::string_view bytes) {
    file_.append(bytes);
    pending_.append(bytes);
    size_t used =
        splitter_.Split(pending_, offset_,
                        [&](std::string_view line, uint64_t offset, uint64_t next, bool truncated) {
                          uint32_t tags = truncated ? uint32_t{kTagTruncated} : 0u;
                          joiner_.Add(line, offset, next, tags, now_, Collect());
                          return true;
                        });
    pending_.erase(0, used);
    offset_ += used;
  }
  bool Flush() { return joiner_.Flush(now_, Collect()); }
  bool FlushAll() { return joiner_.FlushAll(Collect()); }
  void Advance(int64_t ns) { now_ += ns; }

  std::vector<std::string> Texts() const {
    std::vector<std::string> t;
    for (const Out& o : out_) t.push_back(o.text);
    return t;
  }
  const std::vector<Out>& out() const { return out_; }
  MultilineJoiner& joiner() { return joiner_; }
  int64_t now() const { return now_; }

  // Every event covers exactly the bytes from its offset to its next_offset, the events tile the
  // file from 0, and the text is those lines joined by "\n" (terminators removed).
  void ExpectTiling() const {
    uint64_t at = 0;
    for (const Out& o : out_) {
      EXPECT_EQ(o.offset, at) << o.text;
      ASSERT_GT(o.next_offset, o.offset);
      std::string slice = file_.substr(o.offset, o.next_offset - o.offset);
      std::string expect;
      for (char c : slice) {
        if (c != '\r') expect.push_back(c);
      }
      if (!expect.empty() && expect.back() == '\n') expect.pop_back();
      EXPECT_EQ(o.text, expect);
      at = o.next_offset;
    }
  }

 private:
  JoinedEventFn Collect() { return JoinedEventFn(collect_); }

  MultilineOptions options_;
  MultilineJoiner joiner_;
  LineSplitter splitter_;
  std::string file_;
  std::string pending_;
  uint64_t offset_ = 0;
  int64_t now_ = 1000 * kSecond;
  std::vector<Out> out_;
  std::function<void(const JoinedEvent&)> collect_ = [this](const JoinedEvent& e) {
    out_.push_back(Out{std::string(e.text), e.offset, e.next_offset, e.lines, e.tags});
  };
};

constexpr std::string_view kTimestamped = R"(^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})";

const char kJavaLog[] =
    "2024-05-01 10:00:00.001 INFO  [main] c.e.App - starting\n"
    "2024-05-01 10:00:01.002 ERROR [main] c.e.App - request failed\n"
    "java.lang.IllegalStateException: could not write order 42\n"
    "\tat com.example.store.OrderStore.save(OrderStore.java:88)\n"
    "\tat com.example.App.handle(App.java:42)\n"
    "\tat com.example.App.main(App.java:10)\n"
    "Caused by: java.io.IOException: No space left on device\n"
    "\tat java.base/java.io.FileOutputStream.writeBytes(Native Method)\n"
    "\tat java.base/java.io.FileOutputStream.write(FileOutputStream.java:354)\n"
    "\t... 12 more\n"
    "2024-05-01 10:00:02.003 INFO  [main] c.e.App - next request\n";

TEST(MultilineJoinerTest, JavaStackTraceWithCausedByIsOneEvent) {
  Harness h(Start(kTimestamped));
  h.Write(kJavaLog);
  // The last line waits for the next start line (or the timeout).
  ASSERT_EQ(h.out().size(), 2u);
  EXPECT_EQ(h.out()[0].text, "2024-05-01 10:00:00.001 INFO  [main] c.e.App - starting");
  EXPECT_EQ(h.out()[0].lines, 1u);
  const Out& trace = h.out()[1];
  EXPECT_EQ(trace.lines, 9u);
  EXPECT_EQ(trace.text.rfind("2024-05-01 10:00:01.002 ERROR", 0), 0u);
  EXPECT_THAT(trace.text, HasSubstr("\nCaused by: java.io.IOException: No space left on device\n"));
  EXPECT_THAT(trace.text, ::testing::EndsWith("\n\t... 12 more"));
  EXPECT_EQ(trace.tags, 0u);
  ASSERT_TRUE(h.FlushAll());
  EXPECT_EQ(h.out().back().text, "2024-05-01 10:00:02.003 INFO  [main] c.e.App - next request");
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, BareJvmTraceOnStderrWithContinuePattern) {
  // No timestamps: the JVM's default handler. Frames, "Caused by:" and "... n more" continue.
  Harness h(
      Options(MultilineOptions::Mode::kContinue, R"(^(\s+at |\s+\.\.\. \d+ more|Caused by:))"));
  h.Write(
      "Exception in thread \"main\" java.lang.NullPointerException: name\n"
      "\tat com.example.Greeter.greet(Greeter.java:12)\n"
      "\tat com.example.Main.main(Main.java:5)\n"
      "Caused by: java.lang.IllegalArgumentException\n"
      "\tat com.example.Names.of(Names.java:7)\n"
      "\t... 2 more\n"
      "Exception in thread \"worker-1\" java.lang.OutOfMemoryError: Java heap space\n"
      "    at java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n"
      "done\n");
  h.FlushAll();
  EXPECT_THAT(h.Texts(),
              ElementsAre("Exception in thread \"main\" java.lang.NullPointerException: name\n"
                          "\tat com.example.Greeter.greet(Greeter.java:12)\n"
                          "\tat com.example.Main.main(Main.java:5)\n"
                          "Caused by: java.lang.IllegalArgumentException\n"
                          "\tat com.example.Names.of(Names.java:7)\n"
                          "\t... 2 more",
                          "Exception in thread \"worker-1\" java.lang.OutOfMemoryError: Java heap "
                          "space\n"
                          "    at java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
                          "done"));
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, PythonTracebackIsOneEvent) {
  Harness h(Start(kTimestamped));
  h.Write(
      "2024-05-01 10:00:00,123 ERROR app: handler failed\n"
      "Traceback (most recent call last):\n"
      "  File \"/srv/app/main.py\", line 10, in <module>\n"
      "    main()\n"
      "  File \"/srv/app/main.py\", line 6, in main\n"
      "    raise ValueError(\"bad input\")\n"
      "ValueError: bad input\n"
      "2024-05-01 10:00:01,000 INFO app: ok\n");
  ASSERT_EQ(h.out().size(), 1u);
  EXPECT_EQ(h.out()[0].lines, 7u);
  EXPECT_EQ(h.out()[0].text,
            "2024-05-01 10:00:00,123 ERROR app: handler failed\n"
            "Traceback (most recent call last):\n"
            "  File \"/srv/app/main.py\", line 10, in <module>\n"
            "    main()\n"
            "  File \"/srv/app/main.py\", line 6, in main\n"
            "    raise ValueError(\"bad input\")\n"
            "ValueError: bad input");
  h.FlushAll();
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, PythonTracebackOnStderrWithContinuePattern) {
  // No timestamps: indented lines and the final "SomeError: ..." line continue a traceback.
  Harness h(Options(MultilineOptions::Mode::kContinue,
                    R"(^(\s|[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b))"));
  h.Write(
      "starting worker\n"
      "Traceback (most recent call last):\n"
      "  File \"t.py\", line 1, in <module>\n"
      "    1 / 0\n"
      "ZeroDivisionError: division by zero\n"
      "Traceback (most recent call last):\n"
      "  File \"t.py\", line 3, in <module>\n"
      "KeyError: 'x'\n"
      "worker stopped\n");
  h.FlushAll();
  EXPECT_THAT(h.Texts(), ElementsAre("starting worker",
                                     "Traceback (most recent call last):\n"
                                     "  File \"t.py\", line 1, in <module>\n"
                                     "    1 / 0\n"
                                     "ZeroDivisionError: division by zero",
                                     "Traceback (most recent call last):\n"
                                     "  File \"t.py\", line 3, in <module>\n"
                                     "KeyError: 'x'",
                                     "worker stopped"));
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, EventsTileTheFileExactly) {
  Harness h(Start("^S"));
  std::string text = "S1\nc\r\nc2\nS2\n\nS3\n";
  h.Write(text);
  h.FlushAll();
  ASSERT_EQ(h.out().size(), 3u);
  EXPECT_EQ(h.out()[0].offset, 0u);
  EXPECT_EQ(h.out()[0].next_offset, 9u);  // "S1\n" + "c\r\n" + "c2\n"
  EXPECT_EQ(h.out()[1].text, "S2\n");     // an empty line continues it
  EXPECT_EQ(h.out()[1].offset, 9u);
  EXPECT_EQ(h.out()[1].next_offset, 13u);
  EXPECT_EQ(h.out()[2].offset, 13u);
  EXPECT_EQ(h.out()[2].next_offset, text.size());
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, LinesBeforeAnyStartLineAreEmittedAloneAtOnce) {
  Harness h(Start(kTimestamped));
  // Reading began in the middle of a trace (start_at: end, or a file that starts that way).
  h.Write("\tat a.B.c(B.java:1)\n\t... 3 more\n");
  EXPECT_THAT(h.Texts(), ElementsAre("\tat a.B.c(B.java:1)", "\t... 3 more"));
  EXPECT_FALSE(h.joiner().pending());
  h.Write("2024-05-01 10:00:00 x\n\tat y\n");
  EXPECT_EQ(h.out().size(), 2u);
  EXPECT_TRUE(h.joiner().pending());
  EXPECT_EQ(h.joiner().pending_offset(), 32u);
  h.FlushAll();
  EXPECT_EQ(h.out().back().text, "2024-05-01 10:00:00 x\n\tat y");
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, ReadingResumedMidFileJoinsTheLinesBeforeTheFirstStart) {
  // The rest of a trace whose head an earlier --once shipped: one event, not one per line.
  MultilineOptions o = Start("^S");
  MultilineJoiner j(o);
  j.StartMidFile();
  std::vector<std::string> out;
  auto collect = [&](const JoinedEvent& e) { out.emplace_back(e.text); };
  j.Add("\tat c", 100, 106, 0, 0, collect);
  j.Add("\tat d", 106, 112, 0, 0, collect);
  j.Add("S next", 112, 119, 0, 0, collect);
  EXPECT_THAT(out, ElementsAre("\tat c\n\tat d"));
}

TEST(MultilineJoinerTest, MaxLinesCutsTheEventAndTagsEveryPart) {
  Harness h(Start("^S", /*max_lines=*/3));
  h.Write("S\na\nb\nc\nd\ne\nf\nS2\nS3\n");
  h.FlushAll();
  ASSERT_EQ(h.out().size(), 5u);
  EXPECT_EQ(h.out()[0].text, "S\na\nb");
  EXPECT_EQ(h.out()[1].text, "c\nd\ne");
  EXPECT_EQ(h.out()[2].text, "f");
  EXPECT_TRUE(h.out()[0].truncated());
  EXPECT_TRUE(h.out()[1].truncated());
  EXPECT_TRUE(h.out()[2].truncated());
  EXPECT_EQ(h.out()[3].text, "S2");
  EXPECT_FALSE(h.out()[3].truncated());
  EXPECT_FALSE(h.out()[4].truncated());
  for (const Out& o : h.out()) EXPECT_LE(o.lines, 3u);
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, AGroupExactlyAtMaxLinesIsNotTruncated) {
  Harness h(Start("^S", /*max_lines=*/3));
  h.Write("S\na\nb\nS\n");
  ASSERT_EQ(h.out().size(), 1u);
  EXPECT_EQ(h.out()[0].text, "S\na\nb");
  EXPECT_FALSE(h.out()[0].truncated());
}

TEST(MultilineJoinerTest, MaxBytesCutsTheEventAndNothingIsLost) {
  Harness h(Start("^S", 500, /*max_bytes=*/10));
  h.Write("S 1234\nabcd\nefgh\nS\n");  // "S 1234\nabcd" is 11 bytes: cut before "abcd"
  h.FlushAll();
  EXPECT_THAT(h.Texts(), ElementsAre("S 1234", "abcd\nefgh", "S"));
  EXPECT_TRUE(h.out()[0].truncated());
  EXPECT_TRUE(h.out()[1].truncated());
  EXPECT_FALSE(h.out()[2].truncated());
  for (const Out& o : h.out()) EXPECT_LE(o.text.size(), 10u);
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, GroupExactlyAtMaxBytesStaysWhole) {
  Harness h(Start("^S", 500, /*max_bytes=*/9));
  h.Write("S 12\nabcd\nS\n");  // "S 12\nabcd" is 9 bytes
  ASSERT_EQ(h.out().size(), 1u);
  EXPECT_EQ(h.out()[0].text, "S 12\nabcd");
  EXPECT_FALSE(h.out()[0].truncated());
}

TEST(MultilineJoinerTest, TimeoutFlushesAPendingGroupWithoutNewLines) {
  Harness h(Start("^S", 500, 1 << 20, /*timeout_ns=*/2 * kSecond));
  EXPECT_EQ(h.joiner().NextDeadline(), MultilineJoiner::kNoDeadline);
  h.Write("S first\n\tat a\n");
  EXPECT_EQ(h.joiner().NextDeadline(), h.now() + 2 * kSecond);
  h.Advance(kSecond);
  h.Write("\tat b\n");  // each line pushes the deadline back
  EXPECT_EQ(h.joiner().NextDeadline(), h.now() + 2 * kSecond);
  h.Advance(2 * kSecond - 1);
  EXPECT_FALSE(h.Flush());
  EXPECT_TRUE(h.out().empty());
  h.Advance(1);
  EXPECT_TRUE(h.Flush());
  EXPECT_THAT(h.Texts(), ElementsAre("S first\n\tat a\n\tat b"));
  EXPECT_FALSE(h.out()[0].truncated());
  EXPECT_EQ(h.joiner().NextDeadline(), MultilineJoiner::kNoDeadline);
  EXPECT_FALSE(h.Flush());
  // The rest of the trace arrives late: it is a group of its own, not one event per line.
  h.Write("\tat c\n\tat d\nS second\n");
  EXPECT_THAT(h.Texts(), ElementsAre("S first\n\tat a\n\tat b", "\tat c\n\tat d"));
  h.FlushAll();
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, ContinueModeJoinsIndentedLinesToTheLineBefore) {
  Harness h(Options(MultilineOptions::Mode::kContinue, R"(^\s)"));
  h.Write("a\n b\n c\nd\ne\n f\n");
  h.FlushAll();
  EXPECT_THAT(h.Texts(), ElementsAre("a\n b\n c", "d", "e\n f"));
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, PiecesOfACutLineJoinWithoutANewlineAndAreNeverStarts) {
  // max_line_bytes 64: a 150-byte line arrives in three pieces; its middle matches the start
  // pattern but is not the beginning of a line.
  Harness h(Start("^S"), /*max_line_bytes=*/64);
  std::string long_line = "S" + std::string(63, 'x') + "S" + std::string(85, 'y');
  h.Write(long_line + "\n\tat a\nS next\n");
  ASSERT_EQ(h.out().size(), 1u);
  EXPECT_EQ(h.out()[0].text, long_line + "\n\tat a");
  EXPECT_EQ(h.out()[0].lines, 2u);
  EXPECT_TRUE(h.out()[0].truncated());  // the splitter cut one of its lines
  h.FlushAll();
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, MaxBytesCanCutBetweenPiecesOfALine) {
  Harness h(Start("^S", 500, /*max_bytes=*/64), /*max_line_bytes=*/64);
  std::string long_line = "S" + std::string(100, 'x');
  h.Write(long_line + "\nc\n");
  h.FlushAll();
  ASSERT_EQ(h.out().size(), 2u);
  EXPECT_EQ(h.out()[0].text + h.out()[1].text, long_line + "\nc");
  EXPECT_EQ(h.out()[0].text.size(), 64u);
  for (const Out& o : h.out()) EXPECT_TRUE(o.truncated());
  h.ExpectTiling();
}

TEST(MultilineJoinerTest, TagsOfEveryLineReachTheEvent) {
  MultilineOptions o = Start("^S");
  MultilineJoiner j(o);
  std::vector<uint32_t> tags;
  auto collect = [&](const JoinedEvent& e) { tags.push_back(e.tags); };
  j.Add("S", 0, 2, 0, 0, collect);
  j.Add("bad \xff", 2, 8, kTagInvalidUtf8, 0, collect);
  j.Add("S", 8, 10, 0, 0, collect);
  j.FlushAll(collect);
  EXPECT_THAT(tags, ElementsAre(uint32_t{kTagInvalidUtf8}, 0u));
}

TEST(MultilineJoinerTest, ResetDiscardsThePendingGroupAndForgetsTheStart) {
  Harness h(Start("^S"));
  h.Write("S\nc\n");
  EXPECT_TRUE(h.joiner().pending());
  h.joiner().Reset();
  EXPECT_FALSE(h.joiner().pending());
  EXPECT_FALSE(h.FlushAll());
  // Like a new file: a continuation line before any start is alone.
  MultilineJoiner& j = h.joiner();
  std::vector<std::string> out;
  j.Add("c", 0, 2, 0, 0, [&](const JoinedEvent& e) { out.emplace_back(e.text); });
  EXPECT_THAT(out, ElementsAre("c"));
}

TEST(MultilineJoinerTest, StartPatternIsAPartialMatch) {
  Harness h(Start("ERROR|WARN"));
  h.Write("x ERROR a\n  detail\ny WARN b\nz\n");
  h.FlushAll();
  EXPECT_THAT(h.Texts(), ElementsAre("x ERROR a\n  detail", "y WARN b\nz"));
}

TEST(MultilineJoinerTest, InvalidPatternIsAnError) {
  Result<MultilineOptions> o = MultilineOptions::Make(MultilineOptions::Mode::kStart, "(unclosed");
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("(unclosed"));
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("missing )"));
}

TEST(MultilineJoinerTest, SteadyStateAllocatesNothingPerLine) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "no allocation counting here";
  MultilineOptions o = Start(kTimestamped);
  MultilineJoiner j(o);
  size_t events = 0;
  size_t bytes = 0;
  auto collect = [&](const JoinedEvent& e) {
    ++events;
    bytes += e.text.size();
  };
  std::string start = "2024-05-01 10:00:01.002 ERROR [main] c.e.App - request failed";
  std::string frame = "\tat com.example.store.OrderStore.save(OrderStore.java:88)";
  uint64_t at = 0;
  auto trace = [&](int frames) {
    j.Add(start, at, at + start.size() + 1, 0, 0, collect);
    at += start.size() + 1;
    for (int i = 0; i < frames; ++i) {
      j.Add(frame, at, at + frame.size() + 1, 0, 0, collect);
      at += frame.size() + 1;
    }
  };
  trace(60);  // warm up: the buffer grows to the largest trace once
  testing::StartCountingAllocations();
  for (int i = 0; i < 1000; ++i) trace(1 + i % 60);
  uint64_t allocations = testing::StopCountingAllocations();
  EXPECT_EQ(events, 1000u);
  EXPECT_EQ(allocations, 0u);
}

TEST(MultilineJoinerTest, LargeGroupsBackToBackJoinWhole) {
  // Groups past the kept buffer capacity (their buffer is released after each): still whole.
  Harness h(Start("^S", 100000, 4 << 20));
  std::string lines;
  for (int i = 0; i < 20000; ++i) lines += "\tframe " + std::to_string(i) + "\n";
  h.Write("S one\n" + lines + "S two\n" + lines + "S three\n");
  ASSERT_EQ(h.out().size(), 2u);
  EXPECT_EQ(h.out()[0].lines, 20001u);
  EXPECT_EQ(h.out()[1].lines, 20001u);
  h.FlushAll();
  h.ExpectTiling();
}

}  // namespace
}  // namespace logship
