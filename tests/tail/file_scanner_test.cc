// SPDX-License-Identifier: Apache-2.0
// Tests for src/tail/file_scanner.h over real directory trees in a temp dir.
#include "src/tail/file_scanner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using testing::TempDir;
using ::testing::UnorderedElementsAreArray;
using testing::WriteFile;

class FileScannerTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = dir_.path(); }

  void MkDir(const std::string& rel) {
    ASSERT_EQ(::mkdir((root_ + "/" + rel).c_str(), 0755), 0) << rel;
  }
  void Touch(const std::string& rel) { WriteFile(root_ + "/" + rel, "x\n"); }
  void Link(const std::string& target, const std::string& rel) {
    ASSERT_EQ(::symlink(target.c_str(), (root_ + "/" + rel).c_str()), 0) << rel;
  }

  static std::vector<Glob> Globs(const std::vector<std::string>& patterns) {
    std::vector<Glob> out;
    for (const std::string& p : patterns) {
      Result<Glob> g = Glob::Compile(p);
      EXPECT_TRUE(g.ok()) << p << ": " << g.status().ToString();
      if (g.ok()) out.push_back(std::move(*g));
    }
    return out;
  }

  ScanResult Scan(const std::vector<std::string>& include,
                  const std::vector<std::string>& exclude = {}) {
    return FileScanner(Globs(include), Globs(exclude)).Scan();
  }

  // The paths found, relative to root_.
  std::vector<std::string> Rel(const ScanResult& r) {
    std::vector<std::string> out;
    for (const FoundFile& f : r.files) {
      EXPECT_EQ(f.path.rfind(root_ + "/", 0), 0u) << f.path;
      out.push_back(f.path.substr(root_.size() + 1));
    }
    return out;
  }

  // A tree with logs at several depths, names for classes, and files to exclude.
  void MakeTree() {
    MkDir("logs");
    MkDir("logs/web");
    MkDir("logs/web/old");
    MkDir("logs/db");
    MkDir("other");
    for (const char* f : {"logs/a.log", "logs/b.log", "logs/readme.txt", "logs/a.log.1",
                          "logs/a.log.2.gz", "logs/app1.log", "logs/app2.log", "logs/appx.log",
                          "logs/web/access.log", "logs/web/error.log", "logs/web/old/access.log",
                          "logs/web/old/access.log.gz", "logs/db/slow.log", "other/c.log"}) {
      Touch(f);
    }
  }

  TempDir dir_;
  std::string root_;
};

TEST_F(FileScannerTest, StarMatchesWithinOneDirectory) {
  MakeTree();
  ScanResult r = Scan({root_ + "/logs/*.log"});
  EXPECT_THAT(Rel(r), ElementsAreArray({"logs/a.log", "logs/app1.log", "logs/app2.log",
                                        "logs/appx.log", "logs/b.log"}));
  // Only the directory the pattern can match in is walked.
  EXPECT_THAT(r.dirs, ElementsAre(root_ + "/logs"));
}

TEST_F(FileScannerTest, DoubleStarMatchesAtAnyDepth) {
  MakeTree();
  ScanResult r = Scan({root_ + "/logs/**/*.log"});
  EXPECT_THAT(Rel(r), UnorderedElementsAreArray({"logs/a.log", "logs/app1.log", "logs/app2.log",
                                                 "logs/appx.log", "logs/b.log",
                                                 "logs/web/access.log", "logs/web/error.log",
                                                 "logs/web/old/access.log", "logs/db/slow.log"}));
  EXPECT_THAT(r.dirs, ElementsAre(root_ + "/logs", root_ + "/logs/db", root_ + "/logs/web",
                                  root_ + "/logs/web/old"));
  // A trailing '**' takes every file below.
  r = Scan({root_ + "/logs/web/**"});
  EXPECT_THAT(Rel(r),
              UnorderedElementsAreArray({"logs/web/access.log", "logs/web/error.log",
                                         "logs/web/old/access.log", "logs/web/old/access.log.gz"}));
  // '**' in the middle, then a literal directory name.
  r = Scan({root_ + "/**/old/*.log"});
  EXPECT_THAT(Rel(r), ElementsAre("logs/web/old/access.log"));
}

TEST_F(FileScannerTest, ClassesAndQuestionMarks) {
  MakeTree();
  EXPECT_THAT(Rel(Scan({root_ + "/logs/app[0-9].log"})),
              ElementsAre("logs/app1.log", "logs/app2.log"));
  EXPECT_THAT(Rel(Scan({root_ + "/logs/app[!0-9].log"})), ElementsAre("logs/appx.log"));
  EXPECT_THAT(Rel(Scan({root_ + "/logs/app?.log"})),
              ElementsAre("logs/app1.log", "logs/app2.log", "logs/appx.log"));
  EXPECT_THAT(Rel(Scan({root_ + "/logs/[wd]*/*.log"})),
              ElementsAre("logs/db/slow.log", "logs/web/access.log", "logs/web/error.log"));
  EXPECT_THAT(Rel(Scan({root_ + "/logs/a.log*"})),
              ElementsAre("logs/a.log", "logs/a.log.1", "logs/a.log.2.gz"));
}

TEST_F(FileScannerTest, ExcludesByNameAndByPath) {
  MakeTree();
  std::string all = root_ + "/logs/**";
  // Name-only: any directory.
  ScanResult r = Scan({all}, {"*.gz", "*.txt"});
  for (const std::string& p : Rel(r)) {
    EXPECT_EQ(p.find(".gz"), std::string::npos) << p;
    EXPECT_EQ(p.find(".txt"), std::string::npos) << p;
  }
  EXPECT_EQ(r.files.size(), 10u);
  // Path patterns: one directory, and a subtree.
  r = Scan({all}, {root_ + "/logs/web/*", "*.gz"});
  EXPECT_THAT(Rel(r), UnorderedElementsAreArray({"logs/a.log", "logs/a.log.1", "logs/app1.log",
                                                 "logs/app2.log", "logs/appx.log", "logs/b.log",
                                                 "logs/readme.txt", "logs/web/old/access.log",
                                                 "logs/db/slow.log"}));
  r = Scan({all}, {root_ + "/logs/web/**"});
  for (const std::string& p : Rel(r)) EXPECT_EQ(p.find("web/"), std::string::npos) << p;
  // Excluded directories are still walked and watched: a file they hold may be included by
  // another pattern, and they report new files.
  EXPECT_THAT(r.dirs, ::testing::Contains(root_ + "/logs/web"));
  // A literal include that is excluded finds nothing.
  EXPECT_THAT(Scan({root_ + "/logs/a.log.2.gz"}, {"*.gz"}).files, IsEmpty());
  FileScanner scanner(Globs({all}), Globs({"*.gz", root_ + "/logs/db/*"}));
  EXPECT_TRUE(scanner.Excluded(root_ + "/x/y.gz"));
  EXPECT_TRUE(scanner.Excluded(root_ + "/logs/db/slow.log"));
  EXPECT_FALSE(scanner.Excluded(root_ + "/logs/db/sub/slow.log"));
  EXPECT_FALSE(scanner.Excluded(root_ + "/logs/a.log"));
}

TEST_F(FileScannerTest, ReportsSizeDeviceInodeAndPatternIndex) {
  MkDir("logs");
  WriteFile(root_ + "/logs/a.log", "12345");
  WriteFile(root_ + "/logs/b.txt", "1");
  ScanResult r = Scan({root_ + "/logs/*.log", root_ + "/logs/*.txt"});
  ASSERT_EQ(r.files.size(), 2u);
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/logs/a.log").c_str(), &st), 0);
  EXPECT_EQ(r.files[0].inode, static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(r.files[0].device, static_cast<uint64_t>(st.st_dev));
  EXPECT_EQ(r.files[0].size, 5u);
  EXPECT_EQ(r.files[0].include_index, 0);
  EXPECT_EQ(r.files[1].include_index, 1);
}

TEST_F(FileScannerTest, LiteralPattern) {
  MakeTree();
  ScanResult r = Scan({root_ + "/logs/web/error.log"});
  EXPECT_THAT(Rel(r), ElementsAre("logs/web/error.log"));
  EXPECT_THAT(r.dirs, ElementsAre(root_ + "/logs/web"));
  // Not there yet: nothing found, but the directory is watched for it.
  r = Scan({root_ + "/logs/web/later.log"});
  EXPECT_THAT(r.files, IsEmpty());
  EXPECT_THAT(r.dirs, ElementsAre(root_ + "/logs/web"));
  // A directory at the literal path is not a file.
  EXPECT_THAT(Scan({root_ + "/logs/web"}).files, IsEmpty());
}

TEST_F(FileScannerTest, SymlinkToAFileIsOneFileAndTheFirstPathWins) {
  MkDir("logs");
  Touch("logs/b.log");
  Link(root_ + "/logs/b.log", "logs/a.log");  // sorts first
  Link("b.log", "logs/c.log");                // relative target
  ScanResult r = Scan({root_ + "/logs/*.log"});
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].path, root_ + "/logs/a.log");
  // Pattern order comes before walk order.
  r = Scan({root_ + "/logs/c.log", root_ + "/logs/*.log"});
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].path, root_ + "/logs/c.log");
  EXPECT_EQ(r.files[0].include_index, 0);
  // A hard link is the same file too.
  ASSERT_EQ(::link((root_ + "/logs/b.log").c_str(), (root_ + "/logs/0.log").c_str()), 0);
  r = Scan({root_ + "/logs/*.log"});
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].path, root_ + "/logs/0.log");
}

TEST_F(FileScannerTest, DanglingSymlinkAndSymlinkToADirectoryAreNotFiles) {
  MkDir("logs");
  MkDir("logs/real");
  Touch("logs/real/x.log");
  Link(root_ + "/nowhere.log", "logs/dangling.log");
  Link(root_ + "/logs/real", "logs/dir.log");
  ScanResult r = Scan({root_ + "/logs/*.log"});
  EXPECT_THAT(r.files, IsEmpty());
  // But a directory symlink is walked when the pattern goes below it.
  r = Scan({root_ + "/logs/*/x.log"});
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].path, root_ + "/logs/dir.log/x.log");  // "dir.log" sorts before "real"
}

TEST_F(FileScannerTest, DirectorySymlinkLoopsTerminate) {
  MkDir("logs");
  MkDir("logs/a");
  MkDir("logs/b");
  Touch("logs/top.log");
  Touch("logs/a/in-a.log");
  Touch("logs/b/in-b.log");
  Link("..", "logs/a/up");                 // back to logs
  Link(root_ + "/logs/a", "logs/b/to-a");  // sideways, then up again
  Link(".", "logs/self");                  // itself
  ScanResult r = Scan({root_ + "/logs/**/*.log"});
  EXPECT_THAT(Rel(r),
              UnorderedElementsAreArray({"logs/top.log", "logs/a/in-a.log", "logs/b/in-b.log"}));
  // A pattern that is not recursive but goes through the links also ends, finds each file at
  // most once, and only paths the pattern matches. (Which of them it finds is not promised: a
  // directory already walked is not walked again under another path.)
  Glob through = Globs({root_ + "/logs/*/*/*.log"})[0];
  r = FileScanner({through}, {}).Scan();
  std::vector<std::string> rel = Rel(r);
  EXPECT_EQ(std::set<std::string>(rel.begin(), rel.end()).size(), rel.size());
  for (const FoundFile& f : r.files) EXPECT_TRUE(through.Matches(f.path)) << f.path;
}

TEST_F(FileScannerTest, MissingBaseDirectoriesAreTolerated) {
  MakeTree();
  ScanResult r = Scan({root_ + "/nope/*.log", root_ + "/nope/**/x.log", root_ + "/nope/a.log",
                       root_ + "/logs/b.log"});
  EXPECT_THAT(Rel(r), ElementsAre("logs/b.log"));
  // Only existing directories are reported for watching.
  EXPECT_THAT(r.dirs, ElementsAre(root_ + "/logs"));
}

TEST_F(FileScannerTest, BaseThatIsAFileIsTolerated) {
  Touch("plain");
  ScanResult r = Scan({root_ + "/plain/*.log", root_ + "/plain/**"});
  EXPECT_THAT(r.files, IsEmpty());
  EXPECT_THAT(r.dirs, IsEmpty());
}

TEST_F(FileScannerTest, UnreadableDirectoryIsSkipped) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every directory";
  MakeTree();
  ASSERT_EQ(::chmod((root_ + "/logs/web").c_str(), 0), 0);
  ScanResult r = Scan({root_ + "/logs/**/*.log"});
  ASSERT_EQ(::chmod((root_ + "/logs/web").c_str(), 0755), 0);
  for (const std::string& p : Rel(r)) EXPECT_EQ(p.find("web/"), std::string::npos) << p;
  EXPECT_THAT(Rel(r), ::testing::Contains("logs/db/slow.log"));
}

TEST_F(FileScannerTest, FindsFilesCreatedBetweenScans) {
  MkDir("logs");
  FileScanner scanner(Globs({root_ + "/logs/**/*.log"}), {});
  EXPECT_THAT(scanner.Scan().files, IsEmpty());
  Touch("logs/new.log");
  MkDir("logs/sub");
  Touch("logs/sub/deeper.log");
  ScanResult r = scanner.Scan();
  EXPECT_THAT(Rel(r), UnorderedElementsAreArray({"logs/new.log", "logs/sub/deeper.log"}));
  EXPECT_THAT(r.dirs, ElementsAre(root_ + "/logs", root_ + "/logs/sub"));
  // Renamed: found under the new name, same inode.
  uint64_t inode = r.files[0].path == root_ + "/logs/new.log" ? r.files[0].inode : r.files[1].inode;
  ASSERT_EQ(::rename((root_ + "/logs/new.log").c_str(), (root_ + "/logs/renamed.log").c_str()), 0);
  r = scanner.Scan();
  EXPECT_THAT(Rel(r), UnorderedElementsAreArray({"logs/renamed.log", "logs/sub/deeper.log"}));
  for (const FoundFile& f : r.files) {
    if (f.path == root_ + "/logs/renamed.log") {
      EXPECT_EQ(f.inode, inode);
    }
  }
}

TEST_F(FileScannerTest, OverlappingPatternsReportEachFileOnce) {
  MakeTree();
  ScanResult r = Scan({root_ + "/logs/*.log", root_ + "/logs/**/*.log", root_ + "/logs/a.log"});
  std::vector<std::string> rel = Rel(r);
  std::set<std::string> unique(rel.begin(), rel.end());
  EXPECT_EQ(unique.size(), rel.size());
  EXPECT_EQ(rel.size(), 9u);
  for (const FoundFile& f : r.files) {
    bool top = f.path.find("/logs/web/") == std::string::npos &&
               f.path.find("/logs/db/") == std::string::npos;
    EXPECT_EQ(f.include_index, top ? 0 : 1) << f.path;
  }
}

}  // namespace
}  // namespace logship
