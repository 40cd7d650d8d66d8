// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/config_watcher.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>

#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

// Waits up to 5 s for the watcher to report something about its file.
bool Notices(ConfigWatcher& w) {
  for (int i = 0; i < 50; ++i) {
    struct pollfd p = {w.fd(), POLLIN, 0};
    if (::poll(&p, 1, 100) > 0 && w.Consume()) return true;
  }
  return false;
}

TEST(ConfigWatcherTest, SeesInPlaceWritesAndRenamesOverTheFile) {
  testing::TempDir dir;
  std::string path = dir.Sub("p.yaml");
  testing::WriteFile(path, "a: 1\n");
  ConfigWatcher w(path);
  ASSERT_TRUE(w.Start().ok());
  uint64_t h1 = ConfigWatcher::ContentHash(path);
  EXPECT_NE(h1, 0u);

  testing::WriteFile(path, "a: 2\n");
  EXPECT_TRUE(Notices(w));
  uint64_t h2 = ConfigWatcher::ContentHash(path);
  EXPECT_NE(h2, h1);

  // An editor's save: a new file renamed over the old one.
  testing::WriteFile(dir.Sub(".p.yaml.swp"), "a: 3\n");
  ASSERT_EQ(std::rename(dir.Sub(".p.yaml.swp").c_str(), path.c_str()), 0);
  EXPECT_TRUE(Notices(w));
  EXPECT_NE(ConfigWatcher::ContentHash(path), h2);

  // And the file's own watch was re-armed: an in-place write after the rename is seen too.
  testing::WriteFile(path, "a: 4\n");
  EXPECT_TRUE(Notices(w));
}

TEST(ConfigWatcherTest, IgnoresOtherFilesInTheDirectory) {
  testing::TempDir dir;
  std::string path = dir.Sub("p.yaml");
  testing::WriteFile(path, "a: 1\n");
  ConfigWatcher w(path);
  ASSERT_TRUE(w.Start().ok());
  testing::WriteFile(dir.Sub("other.log"), "x\n");
  struct pollfd p = {w.fd(), POLLIN, 0};
  ASSERT_GT(::poll(&p, 1, 5000), 0) << "the directory watch sees the other file";
  EXPECT_FALSE(w.Consume()) << "but it does not concern the pipeline file";
}

TEST(ConfigWatcherTest, AnUnreadableFileHashesToZero) {
  EXPECT_EQ(ConfigWatcher::ContentHash("/nonexistent/p.yaml"), 0u);
}

}  // namespace
}  // namespace logship
