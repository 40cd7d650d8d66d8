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
  ~FingerprintTest() override {
    for (int fd : fds_) ::close(fd);
  }

  // Opens `path` read-only; closed with the test.
  int Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0) << path;
    fds_.push_back(fd);
    return fd;
  }

  Fingerprint Compute(int fd, uint32_t max_len = kFingerprintBytes) {
    Result<Fingerprint> fp = ComputeFingerprint(fd, path_, max_len);
    EXPECT_TRUE(fp.ok()) << fp.status().ToString();
    return fp.ok() ? *fp : Fingerprint{};
  }

  bool Matches(int fd, const Fingerprint& fp) {
    Result<bool> same = FingerprintMatches(fd, path_, fp);
    EXPECT_TRUE(same.ok()) << same.status().ToString();
    return same.ok() && *same;
  }

  TempDir dir_;
  std::string path_ = dir_.Sub("app.log");
  std::vector<int> fds_;
};

TEST_F(FingerprintTest, EmptyFile) {
  WriteFile(path_, "");
  int fd = Open(path_);
  Fingerprint fp = Compute(fd);
  EXPECT_EQ(fp.len, 0u);
  EXPECT_EQ(fp.hash, Hash64(""));
  EXPECT_TRUE(Matches(fd, fp));
}

TEST_F(FingerprintTest, ShortFileIsFingerprintedAsItIs) {
  WriteFile(path_, "hello\n");
  int fd = Open(path_);
  Fingerprint fp = Compute(fd);
  EXPECT_EQ(fp.len, 6u);
  EXPECT_EQ(fp.hash, Hash64("hello\n"));
  EXPECT_TRUE(Matches(fd, fp));
}

TEST_F(FingerprintTest, CoversAtMostTheFirstKibibyte) {
  std::string head(kFingerprintBytes, 'h');
  WriteFile(path_, head + "tail that is not covered\n");
  int fd = Open(path_);
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

TEST_F(FingerprintTest, LeavesTheFilePositionAlone) {
  WriteFile(path_, "0123456789\n");
  int fd = Open(path_);
  ASSERT_EQ(::lseek(fd, 4, SEEK_SET), 4);
  Fingerprint fp = Compute(fd);
  EXPECT_TRUE(Matches(fd, fp));
  EXPECT_EQ(::lseek(fd, 0, SEEK_CUR), 4);
}

TEST_F(FingerprintTest, GrowingFileStillMatchesAndTheFingerprintExtends) {
  WriteFile(path_, "line-1\n");
  int fd = Open(path_);
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
  int fd = Open(path_);
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
  int fd = Open(path_);
  Fingerprint fp = Compute(fd);
  ASSERT_EQ(::truncate(path_.c_str(), 0), 0);
  AppendFile(path_, "new-0\nnew-1\nnew-2\n");
  EXPECT_FALSE(Matches(fd, fp));
}

TEST_F(FingerprintTest, FileShorterThanTheFingerprintDoesNotMatch) {
  WriteFile(path_, "0123456789");
  int fd = Open(path_);
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
  int fd = Open(dir_.path());
  Result<Fingerprint> fp = ComputeFingerprint(fd, "/some/dir");
  ASSERT_FALSE(fp.ok());
  EXPECT_NE(fp.status().message().find("/some/dir"), std::string_view::npos)
      << fp.status().ToString();
  Result<bool> same = FingerprintMatches(fd, "/some/dir", Fingerprint{4, 0});
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.status().message().find("/some/dir"), std::string_view::npos);
}

}  // namespace
}  // namespace logship
