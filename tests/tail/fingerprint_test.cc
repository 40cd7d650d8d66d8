// SPDX-License-Identifier: Apache-2.0
// Tests for src/tail/fingerprint.h on real files.
#include "src/tail/fingerprint.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "src/base/hash.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using testing::AppendFile;
using testing::TempDir;
using testing::WriteFile;

class FingerprintTest : public ::testing::Test {
 protected:
  // Opens `path` for reading; closed with the test.
  ReadableFile* Open(const std::string& path) {
    Result<std::unique_ptr<ReadableFile>> f = PosixFileSystem().OpenReadable(path);
    EXPECT_TRUE(f.ok()) << path;
    if (!f.ok()) return nullptr;
    files_.push_back(std::move(*f));
    return files_.back().get();
  }

  Fingerprint Compute(ReadableFile* f, uint32_t max_len = kFingerprintBytes) {
    Result<Fingerprint> fp = ComputeFingerprint(*f, max_len);
    EXPECT_TRUE(fp.ok()) << fp.status().ToString();
    return fp.ok() ? *fp : Fingerprint{};
  }

  bool Matches(ReadableFile* f, const Fingerprint& fp) {
    Result<bool> same = FingerprintMatches(*f, fp);
    EXPECT_TRUE(same.ok()) << same.status().ToString();
    return same.ok() && *same;
  }

  TempDir dir_;
  std::string path_ = dir_.Sub("app.log");
  std::vector<std::unique_ptr<ReadableFile>> files_;
};

TEST_F(FingerprintTest, EmptyFile) {
  WriteFile(path_, "");
  ReadableFile* fd = Open(path_);
  Fingerprint fp = Compute(fd);
  EXPECT_EQ(fp.len, 0u);
  EXPECT_EQ(fp.hash, Hash64(""));
  EXPECT_TRUE(Matches(fd, fp));
}

TEST_F(FingerprintTest, ShortFileIsFingerprintedAsItIs) {
  WriteFile(path_, "hello\n");
  ReadableFile* fd = Open(path_);
  Fingerprint fp = Compute(fd);
  EXPECT_EQ(fp.len, 6u);
  EXPECT_EQ(fp.hash, Hash64("hello\n"));
  EXPECT_TRUE(Matches(fd, fp));
}

TEST_F(FingerprintTest, CoversAtMostTheFirstKibibyte) {
  std::string head(kFingerprintBytes, 'h');
  WriteFile(path_, head + "tail that is not covered\n");
  ReadableFile* fd = Open(path_);
  Fingerprint fp = Compute(fd);
  EXPECT_EQ(fp.len, kFingerprintBytes);
  EXPECT_EQ(fp.hash, Hash64(head));
  // Changes past the head do not matter.
  WriteFile(path_, head + "other tail\n");
  EXPECT_TRUE(Matches(fd, fp));
  // A larger max_len is capped; a smaller one is honoured.
  EXPECT_EQ(Compute(fd, 4 * kFingerprintBytes).len, kFingerprintBytes);
  Fingerprint small = Compute(fd, 10);
  EXPECT_EQ(small.len, 10u);
  EXPECT_EQ(small.hash, Hash64(head.substr(0, 10)));
}

TEST_F(FingerprintTest, GrowingFileStillMatchesAndTheFingerprintExtends) {
  WriteFile(path_, "line-1\n");
  ReadableFile* fd = Open(path_);
  Fingerprint first = Compute(fd);
  ASSERT_EQ(first.len, 7u);
  for (int i = 2; i < 400; ++i) {
    AppendFile(path_, "line-" + std::to_string(i) + "\n");
    EXPECT_TRUE(Matches(fd, first)) << i;
  }
  Fingerprint grown = Compute(fd);
  EXPECT_EQ(grown.len, kFingerprintBytes);
  EXPECT_NE(grown.hash, first.hash);
  EXPECT_TRUE(Matches(fd, grown));
  EXPECT_TRUE(Matches(fd, first));  // the longer file still starts with the short one
}

TEST_F(FingerprintTest, ChangedHeadDoesNotMatch) {
  WriteFile(path_, std::string(2000, 'a'));
  ReadableFile* fd = Open(path_);
  Fingerprint fp = Compute(fd);
  // Rewritten in place (same inode, same size): one byte of the head differs.
  std::string changed(2000, 'a');
  changed[kFingerprintBytes - 1] = 'b';
  WriteFile(path_, changed);
  EXPECT_FALSE(Matches(fd, fp));
  // A change just past the head is not seen (by design).
  changed[kFingerprintBytes - 1] = 'a';
  changed[kFingerprintBytes] = 'b';
  WriteFile(path_, changed);
  EXPECT_TRUE(Matches(fd, fp));
}

TEST_F(FingerprintTest, CopyTruncatedAndRefilledFileDoesNotMatch) {
  WriteFile(path_, "old-0\nold-1\n");
  ReadableFile* fd = Open(path_);
  Fingerprint fp = Compute(fd);
  ASSERT_EQ(::truncate(path_.c_str(), 0), 0);
  AppendFile(path_, "new-0\nnew-1\nnew-2\n");
  EXPECT_FALSE(Matches(fd, fp));
}

TEST_F(FingerprintTest, FileShorterThanTheFingerprintDoesNotMatch) {
  WriteFile(path_, "0123456789");
  ReadableFile* fd = Open(path_);
  Fingerprint fp = Compute(fd);
  // Truncated to a prefix of itself: the bytes it has are the same, but fewer than fp.len.
  ASSERT_EQ(::truncate(path_.c_str(), 5), 0);
  EXPECT_FALSE(Matches(fd, fp));
  ASSERT_EQ(::truncate(path_.c_str(), 0), 0);
  EXPECT_FALSE(Matches(fd, fp));
  // Growing back to the same content matches again.
  WriteFile(path_, "0123456789");
  EXPECT_TRUE(Matches(fd, fp));
}

TEST_F(FingerprintTest, SameContentInAnotherFileMatches) {
  // The fingerprint is of content only; telling files apart is the (device, inode) pair's job.
  WriteFile(path_, "same\n");
  WriteFile(dir_.Sub("other.log"), "same\n");
  Fingerprint fp = Compute(Open(path_));
  EXPECT_TRUE(Matches(Open(dir_.Sub("other.log")), fp));
}

TEST_F(FingerprintTest, ReadErrorsNameTheFile) {
  // A directory opens but cannot be read.
  ReadableFile* fd = Open(dir_.path());
  Result<Fingerprint> fp = ComputeFingerprint(*fd);
  ASSERT_FALSE(fp.ok());
  EXPECT_NE(fp.status().message().find(dir_.path()), std::string_view::npos)
      << fp.status().ToString();
  Result<bool> same = FingerprintMatches(*fd, Fingerprint{4, 0});
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.status().message().find(dir_.path()), std::string_view::npos);
  EXPECT_FALSE(ComputeOffsetMarker(*fd, 10).ok());
}

// The offset marker: the bytes just before a checkpoint's offset.
TEST_F(FingerprintTest, OffsetMarkerCoversTheBytesBeforeTheOffset) {
  std::string head(2000, 'h');
  WriteFile(path_, head + "line one\nline two\n");
  ReadableFile* f = Open(path_);
  const uint64_t offset = head.size() + 9;  // just past "line one\n"
  Result<Fingerprint> m = ComputeOffsetMarker(*f, offset);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->len, kMarkerBytes);
  EXPECT_EQ(m->hash, Hash64((head + "line one\n").substr(offset - kMarkerBytes, kMarkerBytes)));
  EXPECT_TRUE(*OffsetMarkerMatches(*f, offset, *m));
  EXPECT_FALSE(*OffsetMarkerMatches(*f, offset + 1, *m));
  // Rewritten with the same head but other bytes before the offset: no match.
  WriteFile(path_, head + "LINE ONE\nline two\n");
  EXPECT_FALSE(*OffsetMarkerMatches(*f, offset, *m));
  // Shorter than the offset now: no match, and no marker to take there.
  WriteFile(path_, head.substr(0, 10));
  EXPECT_FALSE(*OffsetMarkerMatches(*f, offset, *m));
  EXPECT_EQ(ComputeOffsetMarker(*f, offset)->len, 0u);
}

TEST_F(FingerprintTest, OffsetMarkerNearTheStartIsShort) {
  WriteFile(path_, "ab\ncd\n");
  ReadableFile* f = Open(path_);
  Result<Fingerprint> m = ComputeOffsetMarker(*f, 3);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->len, 3u);
  EXPECT_EQ(m->hash, Hash64("ab\n"));
  EXPECT_EQ(ComputeOffsetMarker(*f, 0)->len, 0u);
  // No marker (a checkpoint from before markers, or one set by hand) is not checked.
  EXPECT_TRUE(*OffsetMarkerMatches(*f, 5, Fingerprint{}));
}

}  // namespace
}  // namespace logship
