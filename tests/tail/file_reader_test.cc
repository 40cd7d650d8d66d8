// SPDX-License-Identifier: Apache-2.0
// Tests for src/tail/file_reader.h (with src/tail/batch_filler.h): real files read through a
// FaultInjectingFileSystem into a fake pipeline that keeps every event emitted.
#include "src/tail/file_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "src/event/event.h"
#include "src/tail/batch_filler.h"
#include "src/tail/file_input_options.h"
#include "src/tail/file_key.h"
#include "src/tail/multiline_joiner.h"
#include "tests/tail/tail_test_fakes.h"
#include "tests/testing/fault_injecting_file_system.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using testing::AppendFile;
using ::testing::ElementsAre;
using testing::FakeSourceContext;
using testing::FaultInjectingFileSystem;
using testing::ShippedEvent;
using testing::TailFakeClock;
using testing::TempDir;
using testing::WriteFile;

constexpr uint64_t kMiB = 1 << 20;

// A ReadableFile that records every ReadAt it is asked for.
class RecordingFile final : public ReadableFile {
 public:
  struct Read {
    uint64_t offset;
    size_t n;
  };
  explicit RecordingFile(std::unique_ptr<ReadableFile> base) : base_(std::move(base)) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    reads.push_back({offset, n});
    return base_->ReadAt(offset, buf, n);
  }
  Result<FileInfo> Stat() override { return base_->Stat(); }
  const std::string& path() const override { return base_->path(); }

  std::vector<Read> reads;

 private:
  std::unique_ptr<ReadableFile> base_;
};

// A line the reader is expected to emit.
struct Line {
  std::string text;
  uint64_t offset;
};

class FileReaderTest : public ::testing::Test {
 protected:
  std::unique_ptr<ReadableFile> Open(const std::string& path) {
    Result<std::unique_ptr<ReadableFile>> f = fs_.OpenReadable(path);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(*f) : nullptr;
  }

  // The buffer ReadSome needs for the current options.
  std::span<char> Buffer() {
    buffer_.assign(FileReader::BufferBytes(options_), '\0');
    return buffer_;
  }

  // Calls ReadSome until it returns something other than kData; returns that status. Checks that
  // no call reads more than a block or leaves more than a line held.
  FileReader::Status ReadToEnd(FileReader& r, ReadableFile& f, uint64_t limit = UINT64_MAX) {
    std::span<char> buf = Buffer();
    for (int i = 0; i < 1'000'000; ++i) {
      FileReader::ReadResult res = r.ReadSome(f, filler_, buf, limit);
      EXPECT_LE(res.bytes, options_.read_buffer_bytes);
      EXPECT_LE(r.held_bytes(), options_.max_line_bytes + 1);
      EXPECT_GE(r.read_offset(), r.split_offset());
      EXPECT_GE(r.split_offset(), r.emitted_offset());
      if (res.status != FileReader::Status::kData) return res.status;
    }
    ADD_FAILURE() << "ReadSome never reached the end";
    return FileReader::Status::kError;
  }

  static std::vector<Line> Lines(const std::vector<ShippedEvent>& events) {
    std::vector<Line> out;
    for (const ShippedEvent& e : events) out.push_back({e.text, e.offset});
    return out;
  }

  TempDir dir_;
  FaultInjectingFileSystem fs_;
  TailFakeClock clock_;
  FakeSourceContext ctx_;
  std::atomic<bool> stop_{false};
  BatchFiller filler_{ctx_, clock_, stop_, /*tracker=*/nullptr};
  FileInputOptions options_;
  std::vector<char> buffer_;
};

MATCHER_P2(IsLine, text, offset, "") {
  return arg.text == text && arg.offset == static_cast<uint64_t>(offset);
}

TEST_F(FileReaderTest, SplitsLinesWithTheirOffsetsAndHoldsTheUnterminatedOne) {
  const std::string path = dir_.Sub("a.log");
  WriteFile(path, "a\r\n\nbb\nccc\r\n\r\ndd");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 7, path);

  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  EXPECT_EQ(r.read_offset(), 16u);
  EXPECT_EQ(r.split_offset(), 14u);
  EXPECT_EQ(r.emitted_offset(), 14u);
  EXPECT_EQ(r.held_bytes(), 2u);
  EXPECT_FALSE(r.lines_pending());
  filler_.Emit();
  ASSERT_EQ(ctx_.batches.size(), 1u);
  EXPECT_THAT(Lines(ctx_.events), ElementsAre(IsLine("a", 0), IsLine("", 3), IsLine("bb", 4),
                                              IsLine("ccc", 7), IsLine("", 12)));
  for (const ShippedEvent& e : ctx_.events) {
    EXPECT_EQ(e.file_id, 7u);
    EXPECT_EQ(e.path, path);
    EXPECT_EQ(e.tags, 0u);
  }
  // The batch reaches the end of the last complete line, not the held bytes.
  EXPECT_EQ(ctx_.batches[0].sources.at(0).source_end, 14u);

  // The file gets no more: its last line ships as it is.
  ASSERT_TRUE(r.ShipUnterminated(f.get(), filler_));
  filler_.Emit();
  ASSERT_EQ(ctx_.events.size(), 6u);
  EXPECT_THAT(ctx_.events.back(), IsLine("dd", 14));
  EXPECT_EQ(ctx_.batches.back().sources.at(0).source_end, 16u);
  EXPECT_EQ(r.held_bytes(), 0u);
  EXPECT_EQ(r.split_offset(), 16u);
  EXPECT_EQ(r.emitted_offset(), 16u);
  // Nothing more to ship, nothing shipped twice.
  ASSERT_TRUE(r.ShipUnterminated(f.get(), filler_));
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  filler_.Emit();
  EXPECT_EQ(ctx_.events.size(), 6u);
}

TEST_F(FileReaderTest, HeldLineShipsWhenItsNewlineArrives) {
  const std::string path = dir_.Sub("a.log");
  WriteFile(path, "one\ntw");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  EXPECT_EQ(r.held_bytes(), 2u);
  AppendFile(path, "o\r");  // a '\r' alone does not end a line
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  EXPECT_EQ(r.held_bytes(), 4u);
  AppendFile(path, "\nthree\n");
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  EXPECT_EQ(r.held_bytes(), 0u);
  filler_.Emit();
  EXPECT_THAT(Lines(ctx_.events),
              ElementsAre(IsLine("one", 0), IsLine("two", 4), IsLine("three", 9)));
  EXPECT_EQ(r.emitted_offset(), 15u);
}

TEST_F(FileReaderTest, FullBatchMidBlockContinuesWithoutReadingAgain) {
  const std::string path = dir_.Sub("a.log");
  std::string content;
  std::vector<Line> want;
  for (int i = 0; i < 10; ++i) {
    want.push_back({"line-" + std::to_string(i), content.size()});
    content += "line-" + std::to_string(i) + "\n";
  }
  content += "tail";  // an unterminated line after the last complete one
  WriteFile(path, content);
  ctx_.max_events = 3;
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  std::span<char> buf = Buffer();

  // One block holds the whole file; the batch fills after 3 lines.
  FileReader::ReadResult res = r.ReadSome(*f, filler_, buf);
  EXPECT_EQ(res.status, FileReader::Status::kData);
  EXPECT_EQ(res.bytes, content.size());
  EXPECT_TRUE(r.lines_pending());
  EXPECT_EQ(r.held_bytes(), 0u);  // what is kept is lines, not a held line
  EXPECT_EQ(r.read_offset(), content.size());
  EXPECT_EQ(r.split_offset(), 21u);
  EXPECT_EQ(r.emitted_offset(), 21u);
  ASSERT_EQ(ctx_.batches.size(), 1u);  // emitted as it filled
  EXPECT_EQ(ctx_.batches[0].events, 3u);
  EXPECT_EQ(ctx_.batches[0].sources.at(0).source_end, 21u);

  // The lines left come from memory: with every read failing, the next calls still add them.
  fs_.FailReadsOf(path, true);
  for (int i = 0; i < 3; ++i) {
    res = r.ReadSome(*f, filler_, buf);
    EXPECT_EQ(res.status, FileReader::Status::kData) << i;
    EXPECT_EQ(res.bytes, 0u) << i;
    EXPECT_EQ(r.read_offset(), content.size());
  }
  EXPECT_FALSE(r.lines_pending());
  EXPECT_EQ(r.held_bytes(), 4u);
  EXPECT_EQ(r.emitted_offset(), content.size() - 4);
  fs_.FailReadsOf(path, false);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  filler_.Emit();

  std::vector<size_t> sizes;
  for (const auto& b : ctx_.batches) sizes.push_back(b.events);
  EXPECT_THAT(sizes, ElementsAre(3u, 3u, 3u, 1u));
  std::vector<Line> got = Lines(ctx_.events);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].text, want[i].text) << i;
    EXPECT_EQ(got[i].offset, want[i].offset) << i;
  }
}

// Random line lengths, terminators, append sizes, block sizes and batch sizes (fixed seeds): every
// line comes out once, in order, at its offset.
TEST_F(FileReaderTest, RandomAppendsBlocksAndBatchesLoseAndRepeatNothing) {
  for (uint32_t seed = 1; seed <= 25; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto uniform = [&rng](int lo, int hi) {
      return std::uniform_int_distribution<int>(lo, hi)(rng);
    };
    options_ = FileInputOptions();
    options_.max_line_bytes = 64;
    options_.read_buffer_bytes = static_cast<uint64_t>(uniform(1, 40));
    ctx_.max_events = static_cast<size_t>(uniform(1, 6));
    ctx_.events.clear();
    ctx_.batches.clear();

    std::string content;
    std::vector<Line> want;
    const int lines = uniform(1, 120);
    for (int i = 0; i < lines; ++i) {
      std::string text;
      for (int n = uniform(0, 50); n > 0; --n) text += static_cast<char>('a' + uniform(0, 25));
      want.push_back({text, content.size()});
      content += text;
      const bool last = i + 1 == lines;
      if (last && !text.empty() && uniform(0, 1) == 0) break;  // unterminated: shipped at the end
      content += uniform(0, 2) == 0 ? "\r\n" : "\n";
    }

    const std::string path = dir_.Sub("r" + std::to_string(seed) + ".log");
    WriteFile(path, "");
    std::unique_ptr<ReadableFile> f = Open(path);
    FileReader r(options_, seed, path);
    std::span<char> buf = Buffer();
    size_t written = 0;
    while (written < content.size()) {
      size_t n = std::min<size_t>(content.size() - written, static_cast<size_t>(uniform(1, 90)));
      AppendFile(path, std::string_view(content).substr(written, n));
      written += n;
      // Some reads, not always to the end.
      for (int reads = uniform(0, 4); reads > 0; --reads) {
        FileReader::ReadResult res = r.ReadSome(*f, filler_, buf);
        ASSERT_NE(res.status, FileReader::Status::kError);
        ASSERT_LE(r.held_bytes(), options_.max_line_bytes + 1);
        ASSERT_LE(r.read_offset(), written);
      }
    }
    EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
    ASSERT_TRUE(r.ShipUnterminated(f.get(), filler_));
    filler_.Emit();
    EXPECT_EQ(r.emitted_offset(), content.size());

    std::vector<Line> got = Lines(ctx_.events);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i].text, want[i].text) << i;
      EXPECT_EQ(got[i].offset, want[i].offset) << i;
    }
    for (const auto& b : ctx_.batches) EXPECT_LE(b.events, ctx_.max_events);
  }
}

TEST_F(FileReaderTest, NeverReadsPastTheLimit) {
  const std::string path = dir_.Sub("a.log");
  std::string content;
  for (int i = 0; i < 10; ++i) content += "0123456789\n";  // lines of 11 bytes
  WriteFile(path, content);
  options_.read_buffer_bytes = 8;  // several blocks up to the limit

  for (uint64_t limit : {uint64_t{0}, uint64_t{22}, uint64_t{27}, uint64_t{33}}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    ctx_.events.clear();
    auto rec = std::make_unique<RecordingFile>(Open(path));
    FileReader r(options_, 1, path);
    // The file key reads the head whatever the window: give it one, to see the window's reads.
    r.origin().file_key = 42;
    EXPECT_EQ(ReadToEnd(r, *rec, limit), FileReader::Status::kEnd);
    EXPECT_EQ(r.read_offset(), limit);
    for (const RecordingFile::Read& read : rec->reads) {
      EXPECT_LE(read.offset + read.n, limit) << "read at " << read.offset;
    }
    // At the limit, again: kEnd without a read.
    size_t reads = rec->reads.size();
    FileReader::ReadResult res = r.ReadSome(*rec, filler_, Buffer(), limit);
    EXPECT_EQ(res.status, FileReader::Status::kEnd);
    EXPECT_EQ(res.bytes, 0u);
    EXPECT_EQ(rec->reads.size(), reads);
    filler_.Emit();
    // Only the lines complete within the window; a line cut by it is held, not shipped.
    EXPECT_EQ(ctx_.events.size(), limit / 11);
    EXPECT_EQ(r.emitted_offset(), limit / 11 * 11);
    EXPECT_EQ(r.held_bytes(), limit % 11);
    for (const ShippedEvent& e : ctx_.events) EXPECT_EQ(e.text, "0123456789");
  }
}

TEST_F(FileReaderTest, StartAtMidFileReadsFromThere) {
  const std::string path = dir_.Sub("a.log");
  WriteFile(path, "aaa\nbbb\nccc\n");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  r.StartAt(4);
  EXPECT_EQ(r.read_offset(), 4u);
  EXPECT_EQ(r.split_offset(), 4u);
  EXPECT_EQ(r.emitted_offset(), 4u);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  filler_.Emit();
  EXPECT_THAT(Lines(ctx_.events), ElementsAre(IsLine("bbb", 4), IsLine("ccc", 8)));

  // StartAt forgets a held line: reading resumes at the offset given.
  AppendFile(path, "dd");
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  EXPECT_EQ(r.held_bytes(), 2u);
  r.StartAt(8);
  EXPECT_EQ(r.held_bytes(), 0u);
  AppendFile(path, "d\n");
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  filler_.Emit();
  EXPECT_THAT(Lines(ctx_.events),
              ElementsAre(IsLine("bbb", 4), IsLine("ccc", 8), IsLine("ccc", 8), IsLine("ddd", 12)));
}

TEST_F(FileReaderTest, RestartStartsANewStreamAtZero) {
  const std::string path = dir_.Sub("a.log");
  WriteFile(path, "first\nsecond\n");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  const uint64_t key = r.origin().file_key;
  EXPECT_NE(key, 0u);

  // Truncated and rewritten: the same batch gets the new stream's lines under the new id.
  WriteFile(path, "new\n");
  r.Restart(2);
  EXPECT_EQ(r.origin().id, 2u);
  EXPECT_EQ(r.origin().file_key, 0u);
  EXPECT_EQ(r.read_offset(), 0u);
  EXPECT_EQ(r.split_offset(), 0u);
  EXPECT_EQ(r.emitted_offset(), 0u);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  filler_.Emit();

  ASSERT_EQ(ctx_.batches.size(), 1u);
  const auto& sources = ctx_.batches[0].sources;
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].file_id, 1u);
  EXPECT_EQ(sources[0].source_end, 13u);
  EXPECT_EQ(sources[1].file_id, 2u);
  EXPECT_EQ(sources[1].source_end, 4u);
  ASSERT_EQ(ctx_.events.size(), 3u);
  EXPECT_THAT(ctx_.events[2], IsLine("new", 0));
  EXPECT_EQ(ctx_.events[2].file_id, 2u);
  // The new contents have another first line: another key, computed again.
  EXPECT_NE(ctx_.events[2].file_key, 0u);
  EXPECT_NE(ctx_.events[2].file_key, key);
  EXPECT_EQ(ctx_.events[0].file_key, key);
}

TEST_F(FileReaderTest, MultilineGroupStaysPendingUntilFlushed) {
  Result<MultilineOptions> ml = MultilineOptions::Make(MultilineOptions::Mode::kStart, "^\\d");
  ASSERT_TRUE(ml.ok()) << ml.status().ToString();
  options_.multiline = *ml;
  const std::string path = dir_.Sub("a.log");
  // 0: "1 start\n" (8), 8: "  at a\n" (7), 15: "  at b\n" (7), 22: "2 next\n" (7), 29: "  at c\n"
  WriteFile(path, "1 start\n  at a\n  at b\n2 next\n  at c\n");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  EXPECT_FALSE(r.group_pending());
  EXPECT_EQ(r.group_deadline(), MultilineJoiner::kNoDeadline);

  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  EXPECT_TRUE(r.group_pending());
  EXPECT_NE(r.group_deadline(), MultilineJoiner::kNoDeadline);
  EXPECT_EQ(r.split_offset(), 36u);
  // Acknowledgements may not pass the pending group's first line.
  EXPECT_EQ(r.emitted_offset(), 22u);
  filler_.Emit();
  EXPECT_THAT(Lines(ctx_.events), ElementsAre(IsLine("1 start\n  at a\n  at b", 0)));
  EXPECT_EQ(ctx_.batches.back().sources.at(0).source_end, 22u);

  // Not due yet: nothing ships.
  ASSERT_TRUE(r.FlushGroupIfDue(f.get(), filler_, r.group_deadline() - 1));
  EXPECT_TRUE(r.group_pending());
  ASSERT_TRUE(r.FlushGroup(f.get(), filler_));
  EXPECT_FALSE(r.group_pending());
  EXPECT_EQ(r.emitted_offset(), 36u);
  filler_.Emit();
  EXPECT_THAT(Lines(ctx_.events),
              ElementsAre(IsLine("1 start\n  at a\n  at b", 0), IsLine("2 next\n  at c", 22)));
  EXPECT_EQ(ctx_.batches.back().sources.at(0).source_end, 36u);
  // Flushing again ships nothing.
  ASSERT_TRUE(r.FlushGroup(f.get(), filler_));
  filler_.Emit();
  EXPECT_EQ(ctx_.events.size(), 2u);
}

TEST_F(FileReaderTest, MultilineGroupTimesOutWhenDue) {
  Result<MultilineOptions> ml = MultilineOptions::Make(MultilineOptions::Mode::kStart, "^\\d");
  ASSERT_TRUE(ml.ok());
  options_.multiline = *ml;
  const std::string path = dir_.Sub("a.log");
  WriteFile(path, "1 a\n  b\n");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  ASSERT_TRUE(r.group_pending());
  EXPECT_EQ(r.group_deadline(), clock_.MonotonicNanos() + options_.multiline->timeout_ns);
  ASSERT_TRUE(r.FlushGroupIfDue(f.get(), filler_, r.group_deadline()));
  EXPECT_FALSE(r.group_pending());
  filler_.Emit();
  EXPECT_THAT(Lines(ctx_.events), ElementsAre(IsLine("1 a\n  b", 0)));
}

TEST_F(FileReaderTest, ReadErrorChangesNothingAndReadingResumes) {
  const std::string path = dir_.Sub("a.log");
  WriteFile(path, "a\npart");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  EXPECT_EQ(r.held_bytes(), 4u);

  AppendFile(path, "ial\nb\n");
  fs_.FailReadsOf(path, true);
  for (int i = 0; i < 2; ++i) {
    FileReader::ReadResult res = r.ReadSome(*f, filler_, Buffer());
    EXPECT_EQ(res.status, FileReader::Status::kError);
    EXPECT_EQ(res.bytes, 0u);
    EXPECT_FALSE(res.error.ok());
    EXPECT_NE(res.error.message().find(path), std::string_view::npos) << res.error.ToString();
    EXPECT_EQ(r.read_offset(), 6u);
    EXPECT_EQ(r.split_offset(), 2u);
    EXPECT_EQ(r.emitted_offset(), 2u);
    EXPECT_EQ(r.held_bytes(), 4u);
  }
  fs_.FailReadsOf(path, false);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  filler_.Emit();
  EXPECT_THAT(Lines(ctx_.events),
              ElementsAre(IsLine("a", 0), IsLine("partial", 2), IsLine("b", 10)));
  EXPECT_EQ(r.emitted_offset(), 12u);
}

TEST_F(FileReaderTest, ReadErrorOnTheFirstReadThenResumesFromZero) {
  const std::string path = dir_.Sub("a.log");
  WriteFile(path, "x\ny\n");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  fs_.FailReadsOf(path, true);
  FileReader::ReadResult res = r.ReadSome(*f, filler_, Buffer());
  EXPECT_EQ(res.status, FileReader::Status::kError);
  EXPECT_EQ(r.read_offset(), 0u);
  EXPECT_EQ(r.origin().file_key, 0u);
  fs_.FailReadsOf(path, false);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  filler_.Emit();
  EXPECT_THAT(Lines(ctx_.events), ElementsAre(IsLine("x", 0), IsLine("y", 2)));
}

TEST_F(FileReaderTest, StoppingWithNoBatchReadsNothing) {
  const std::string path = dir_.Sub("a.log");
  WriteFile(path, "x\n");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  stop_ = true;
  FileReader::ReadResult res = r.ReadSome(*f, filler_, Buffer());
  EXPECT_EQ(res.status, FileReader::Status::kStopped);
  EXPECT_EQ(r.read_offset(), 0u);
  EXPECT_TRUE(ctx_.events.empty());
}

TEST_F(FileReaderTest, FileKeyNamesTheFileAlikeForEveryReader) {
  const std::string a = dir_.Sub("a.log");
  const std::string b = dir_.Sub("b.log");
  const std::string c = dir_.Sub("c.log");
  WriteFile(a, "same first line\nmore\n");
  WriteFile(b, "another first line\nmore\n");
  WriteFile(c, "same first line\nmore\n");  // same bytes, another inode

  // Two readers of the same file (the tailer and `logship replay`), each with its own descriptor
  // and its own id.
  std::unique_ptr<ReadableFile> fa1 = Open(a);
  std::unique_ptr<ReadableFile> fa2 = Open(a);
  std::unique_ptr<ReadableFile> fb = Open(b);
  std::unique_ptr<ReadableFile> fc = Open(c);
  FileReader ra1(options_, 1, a);
  FileReader ra2(options_, 2, a);
  FileReader rb(options_, 3, b);
  FileReader rc(options_, 4, c);
  EXPECT_EQ(ra1.origin().file_key, 0u);  // until the first event
  EXPECT_EQ(ReadToEnd(ra1, *fa1), FileReader::Status::kEnd);
  EXPECT_EQ(ReadToEnd(ra2, *fa2, /*limit=*/16), FileReader::Status::kEnd);  // a replay window
  EXPECT_EQ(ReadToEnd(rb, *fb), FileReader::Status::kEnd);
  EXPECT_EQ(ReadToEnd(rc, *fc), FileReader::Status::kEnd);
  filler_.Emit();

  const uint64_t ka = ra1.origin().file_key;
  EXPECT_NE(ka, 0u);
  EXPECT_EQ(ra2.origin().file_key, ka);
  EXPECT_NE(rb.origin().file_key, 0u);
  EXPECT_NE(rb.origin().file_key, ka);
  EXPECT_NE(rc.origin().file_key, 0u);
  EXPECT_NE(rc.origin().file_key, ka);
  Result<FileInfo> info = fa1->Stat();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(ka, ComputeFileKey(*fa1, info->device, info->inode));
  // The events carry it.
  ASSERT_EQ(ctx_.events.size(), 7u);
  for (const ShippedEvent& e : ctx_.events) {
    uint64_t want = e.file_id <= 2   ? ka
                    : e.file_id == 3 ? rb.origin().file_key
                                     : rc.origin().file_key;
    EXPECT_EQ(e.file_key, want) << e.file_id;
  }

  // A line shipped with no file at hand still gets a key of its own, never 0.
  FileReader rn(options_, 5, dir_.Sub("gone.log"));
  const std::string d = dir_.Sub("d.log");
  WriteFile(d, "unterminated");
  std::unique_ptr<ReadableFile> fd = Open(d);
  EXPECT_EQ(ReadToEnd(rn, *fd), FileReader::Status::kEnd);
  ASSERT_EQ(rn.held_bytes(), 12u);
  ASSERT_TRUE(rn.ShipUnterminated(nullptr, filler_));
  EXPECT_NE(rn.origin().file_key, 0u);
  filler_.Emit();
  EXPECT_EQ(ctx_.events.back().text, "unterminated");
  EXPECT_NE(ctx_.events.back().file_key, 0u);
}

// The unterminated end of a line cut into pieces is the line's last piece: tagged truncated too.
TEST_F(FileReaderTest, UnterminatedEndOfACutLineShipsTaggedTruncated) {
  options_.max_line_bytes = 8;
  const std::string path = dir_.Sub("a.log");
  WriteFile(path, "ok\n0123456789abcdefXYZ");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);
  EXPECT_EQ(ReadToEnd(r, *f), FileReader::Status::kEnd);
  EXPECT_EQ(r.held_bytes(), 3u);
  ASSERT_TRUE(r.ShipUnterminated(f.get(), filler_));
  filler_.Emit();
  EXPECT_THAT(Lines(ctx_.events), ElementsAre(IsLine("ok", 0), IsLine("01234567", 3),
                                              IsLine("89abcdef", 11), IsLine("XYZ", 19)));
  ASSERT_EQ(ctx_.events.size(), 4u);
  EXPECT_EQ(ctx_.events[0].tags, 0u);
  for (size_t i = 1; i < 4; ++i) EXPECT_EQ(ctx_.events[i].tags, uint32_t{kTagTruncated}) << i;
  EXPECT_EQ(r.emitted_offset(), 22u);
}

// A 10 MB line with max_line_bytes 1 MiB: shipped in pieces of 1 MiB, each tagged truncated,
// nothing dropped; the reader holds at most a line, and writes only inside the buffer it is given.
TEST_F(FileReaderTest, HugeLineIsShippedInTruncatedPiecesWithBoundedMemory) {
  options_.max_line_bytes = kMiB;
  ctx_.max_bytes = 4 * kMiB;
  const std::string path = dir_.Sub("big.log");
  std::mt19937 rng(1234);
  std::string huge(10 * kMiB + 123, 'x');
  for (char& ch : huge) ch = static_cast<char>('a' + rng() % 26);
  WriteFile(path, huge + "\nafter\n");
  std::unique_ptr<ReadableFile> f = Open(path);
  FileReader r(options_, 1, path);

  // The buffer, with a guard zone after it that must stay untouched.
  const size_t size = FileReader::BufferBytes(options_);
  EXPECT_EQ(size, kMiB + 1 + options_.read_buffer_bytes);
  std::vector<char> storage(size + 4096, '\x5a');
  std::span<char> buf(storage.data(), size);
  FileReader::Status st;
  do {
    FileReader::ReadResult res = r.ReadSome(*f, filler_, buf);
    st = res.status;
    ASSERT_NE(st, FileReader::Status::kError);
    ASSERT_LE(res.bytes, options_.read_buffer_bytes);
    ASSERT_LE(r.held_bytes(), kMiB + 1);
  } while (st == FileReader::Status::kData);
  filler_.Emit();
  for (size_t i = size; i < storage.size(); ++i) ASSERT_EQ(storage[i], '\x5a') << i;

  ASSERT_EQ(ctx_.events.size(), 12u);
  std::string joined;
  for (size_t i = 0; i < 11; ++i) {
    const ShippedEvent& e = ctx_.events[i];
    EXPECT_EQ(e.offset, i * kMiB) << i;
    EXPECT_EQ(e.text.size(), i < 10 ? kMiB : 123u) << i;
    EXPECT_EQ(e.tags & kTagTruncated, uint32_t{kTagTruncated}) << i;
    joined += e.text;
  }
  EXPECT_TRUE(joined == huge) << "the pieces do not make up the line";
  EXPECT_EQ(ctx_.events[11].text, "after");
  EXPECT_EQ(ctx_.events[11].offset, huge.size() + 1);
  EXPECT_EQ(ctx_.events[11].tags, 0u);
  EXPECT_EQ(r.emitted_offset(), huge.size() + 7);
}

}  // namespace
}  // namespace logship
