// SPDX-License-Identifier: Apache-2.0
#include "src/tail/checkpoint_store.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "src/base/hash.h"
#include "tests/testing/fault_injecting_file_system.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using testing::FaultInjectingFileSystem;
using testing::ReadFileOrEmpty;
using testing::TempDir;
using testing::WriteFile;

bool Same(const Checkpoints& a, const Checkpoints& b) {
  return a.files == b.files && a.saved_unix_nanos == b.saved_unix_nanos;
}

std::string Describe(const Checkpoints& c) {
  std::string out = "saved=" + std::to_string(c.saved_unix_nanos) + " files=[";
  for (const FileCheckpoint& f : c.files) {
    out += "{" + std::to_string(f.inode) + "@" + std::to_string(f.offset) + " " + f.path + "}";
  }
  return out + "]";
}

// A small distinct state per `n`.
Checkpoints State(int n) {
  Checkpoints c;
  c.saved_unix_nanos = 1700000000000000000 + n;
  for (int i = 0; i <= n % 3; ++i) {
    FileCheckpoint f;
    f.device = 2049;
    f.inode = 1000 + i;
    f.fingerprint_len = 1024;
    f.fingerprint = 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(n + i + 1);
    f.offset = static_cast<uint64_t>(n) * 100 + i;
    f.path = "/var/log/app-" + std::to_string(i) + ".log";
    c.files.push_back(f);
  }
  return c;
}

std::string Hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// `body` with a correct checksum line: a parse failure is then about the field, not the sum.
std::string WithChecksum(const std::string& body) {
  return body + "checksum " + Hex16(Hash64(body)) + "\n";
}

Result<Checkpoints> ParseText(const std::string& text, uint64_t* gen = nullptr) {
  uint64_t ignored = 0;
  return CheckpointStore::Parse(text, "/d/checkpoints", gen ? gen : &ignored);
}

uint64_t GenerationOf(const std::string& path) {
  uint64_t gen = 0;
  Result<Checkpoints> c = CheckpointStore::Parse(ReadFileOrEmpty(path), path, &gen);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return gen;
}

void FlipByte(const std::string& path, size_t index) {
  std::string text = ReadFileOrEmpty(path);
  ASSERT_LT(index, text.size());
  text[index] ^= 0x01;
  WriteFile(path, text);
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

CheckpointStore MustOpen(FileSystem& fs, const std::string& dir) {
  Result<CheckpointStore> s = CheckpointStore::Open(fs, dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

// ---- Format --------------------------------------------------------------------------------

TEST(CheckpointStoreFormatTest, RoundTripsAwkwardPathsAndExtremeValues) {
  Checkpoints c;
  c.saved_unix_nanos = std::numeric_limits<int64_t>::min();
  const std::vector<std::string> paths = {
      "/var/log/plain.log",
      "/var/log/with space.log",
      "/var/log/new\nline.log",
      "/var/log/carriage\rreturn",
      "/var/log/100%.log",
      "/var/log/%41%20literal",
      "/var/log/tab\there",
      std::string("/var/log/nul\0byte", 17),
      "/var/log/del\x7f",
      "/var/log/ünïcödé/日本語.log",
      "/var/log/invalid\xff\xfe utf8",
      "",
      " ",
      "%",
  };
  uint64_t i = 0;
  for (const std::string& p : paths) {
    FileCheckpoint f;
    f.device = i == 0 ? std::numeric_limits<uint64_t>::max() : i;
    f.inode = std::numeric_limits<uint64_t>::max() - i;
    f.fingerprint_len = i == 1 ? std::numeric_limits<uint32_t>::max() : static_cast<uint32_t>(i);
    f.fingerprint = i * 0x0123456789ABCDEFull;
    f.offset = i == 2 ? std::numeric_limits<uint64_t>::max() : i * 4096;
    f.path = p;
    c.files.push_back(f);
    ++i;
  }
  const std::string text = CheckpointStore::Serialize(c, 42);
  // Every record stays on its own line, however odd the path.
  size_t lines = 0;
  for (char ch : text) lines += ch == '\n';
  EXPECT_EQ(lines, 3 + paths.size() + 1);

  uint64_t gen = 0;
  Result<Checkpoints> back = ParseText(text, &gen);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(gen, 42u);
  EXPECT_TRUE(Same(*back, c));
  for (size_t k = 0; k < paths.size(); ++k) EXPECT_EQ(back->files[k].path, paths[k]) << k;
}

TEST(CheckpointStoreFormatTest, EmptyStateRoundTrips) {
  Checkpoints c;
  uint64_t gen = 99;
  Result<Checkpoints> back = ParseText(CheckpointStore::Serialize(c, 0), &gen);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(gen, 0u);
  EXPECT_TRUE(back->files.empty());
  EXPECT_EQ(back->saved_unix_nanos, 0);
}

TEST(CheckpointStoreFormatTest, TextIsAsDocumented) {
  Checkpoints c;
  c.saved_unix_nanos = 123;
  c.files.push_back(FileCheckpoint{1, 2, 3, 0xff, 5, "/a b/%c", 4, 0xee, 9});
  const std::string text = CheckpointStore::Serialize(c, 7);
  const std::string body =
      "logship-checkpoints 2\n"
      "generation 7\n"
      "saved 123\n"
      "file 1 2 3 00000000000000ff 5 4 00000000000000ee 9 /a%20b/%25c\n";
  EXPECT_EQ(text, body + "checksum " + Hex16(Hash64(body)) + "\n");
}

// Checkpoints written before the offset marker existed are still read: no marker (not checked)
// and no size.
TEST(CheckpointStoreFormatTest, ReadsVersion1WithoutMarkerOrSize) {
  const std::string body =
      "logship-checkpoints 1\n"
      "generation 7\n"
      "saved 123\n"
      "file 1 2 3 00000000000000ff 5 /a%20b/%25c\n";
  Result<Checkpoints> back = ParseText(body + "checksum " + Hex16(Hash64(body)) + "\n");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->files.size(), 1u);
  EXPECT_EQ(back->files[0], (FileCheckpoint{1, 2, 3, 0xff, 5, "/a b/%c", 0, 0, 0}));
}

TEST(CheckpointStoreFormatTest, ParseRejectsDamageWithAReason) {
  const std::string good = CheckpointStore::Serialize(State(2), 3);
  const std::string header = "logship-checkpoints 1\ngeneration 3\nsaved 5\n";
  const std::string header2 = "logship-checkpoints 2\ngeneration 3\nsaved 5\n";
  struct Case {
    std::string name;
    std::string text;
    std::string reason;
  };
  std::string flipped = good;
  flipped[30] ^= 0x04;
  std::string bad_sum = good;
  bad_sum[bad_sum.size() - 2] = bad_sum[bad_sum.size() - 2] == '0' ? '1' : '0';
  std::string upper_sum = good;
  for (size_t k = good.rfind("checksum ") + 9; k + 1 < upper_sum.size(); ++k) {
    upper_sum[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper_sum[k])));
  }
  const std::vector<Case> cases = {
      {"empty", "", "empty file"},
      {"no final newline", good.substr(0, good.size() - 1), "truncated"},
      {"cut in the middle", good.substr(0, good.size() / 2), "truncated"},
      {"cut at a line end", good.substr(0, good.find("file ")), "truncated (no checksum line)"},
      {"garbage", "hello world\n",
       "not a logship checkpoint file (it starts with \"hello world?\""},
      {"binary garbage", std::string("\0\1\2\3\n", 5), "not a logship checkpoint file"},
      {"garbage without newline", "GIF89a", "not a logship checkpoint file"},
      {"lone newline", "\n", "not a logship checkpoint file"},
      {"flipped byte", flipped, "checksum mismatch"},
      {"wrong checksum", bad_sum, "checksum mismatch"},
      {"short checksum", header + "checksum 1234\n", "malformed checksum line"},
      {"upper-case checksum", upper_sum, "malformed checksum line"},
      {"checksum only", WithChecksum(""), "not a logship checkpoint file"},
      {"magic only", WithChecksum("logship-checkpoints 2\n"), "missing header"},
      {"other magic", WithChecksum("some-other-file 1\n"), "not a logship checkpoint file"},
      {"newer version", WithChecksum("logship-checkpoints 3\ngeneration 1\nsaved 0\n"),
       "unsupported format version '3'"},
      {"no generation", WithChecksum("logship-checkpoints 1\nsaved 0\n"), "line 2"},
      {"negative generation", WithChecksum("logship-checkpoints 1\ngeneration -1\nsaved 0\n"),
       "line 2"},
      {"huge generation",
       WithChecksum("logship-checkpoints 1\ngeneration 99999999999999999999\nsaved 0\n"), "line 2"},
      {"bad saved", WithChecksum("logship-checkpoints 1\ngeneration 1\nsaved x\n"), "line 3"},
      {"missing saved", WithChecksum("logship-checkpoints 1\ngeneration 1\n"), "missing header"},
      {"few fields", WithChecksum(header + "file 1 2 3 00000000000000ff 5\n"), "line 4"},
      {"many fields", WithChecksum(header + "file 1 2 3 00000000000000ff 5 /a /b\n"), "line 4"},
      {"bad device", WithChecksum(header + "file x 2 3 00000000000000ff 5 /a\n"), "bad device"},
      {"plus sign", WithChecksum(header + "file +1 2 3 00000000000000ff 5 /a\n"), "bad device"},
      {"bad inode", WithChecksum(header + "file 1 -2 3 00000000000000ff 5 /a\n"), "bad inode"},
      {"big fp len", WithChecksum(header + "file 1 2 4294967296 00000000000000ff 5 /a\n"),
       "bad fingerprint length"},
      {"short fp", WithChecksum(header + "file 1 2 3 ff 5 /a\n"), "bad fingerprint"},
      {"upper fp", WithChecksum(header + "file 1 2 3 00000000000000FF 5 /a\n"), "bad fingerprint"},
      {"bad offset", WithChecksum(header + "file 1 2 3 00000000000000ff 5.5 /a\n"), "bad offset"},
      {"bad escape", WithChecksum(header + "file 1 2 3 00000000000000ff 5 /a%zz\n"), "bad percent"},
      {"cut escape", WithChecksum(header + "file 1 2 3 00000000000000ff 5 /a%4\n"), "bad percent"},
      {"raw control", WithChecksum(header + "file 1 2 3 00000000000000ff 5 /a\tb\n"),
       "bad percent"},
      {"unknown record", WithChecksum(header + "dir 1 2\n"), "line 4: unknown record"},
      {"empty line", WithChecksum(header + "\n"), "line 4: unknown record"},
      {"v2 few fields", WithChecksum(header2 + "file 1 2 3 00000000000000ff 5 /a\n"),
       "needs 9 fields, found 6"},
      {"v2 bad marker length",
       WithChecksum(header2 + "file 1 2 3 00000000000000ff 5 65 00000000000000ee 9 /a\n"),
       "bad marker length"},
      {"v2 bad marker", WithChecksum(header2 + "file 1 2 3 00000000000000ff 5 4 ee 9 /a\n"),
       "bad marker"},
      {"v2 bad size",
       WithChecksum(header2 + "file 1 2 3 00000000000000ff 5 4 00000000000000ee -9 /a\n"),
       "bad size"},
  };
  for (const Case& c : cases) {
    Result<Checkpoints> r = ParseText(c.text);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_TRUE(r.status().IsCorruption()) << c.name;
    EXPECT_TRUE(Contains(r.status().message(), "checkpoint store '/d/checkpoints'"))
        << c.name << ": " << r.status().message();
    EXPECT_TRUE(Contains(r.status().message(), c.reason)) << c.name << ": " << r.status().message();
  }
  EXPECT_TRUE(ParseText(good).ok());
}

// ---- Store on the real file system -----------------------------------------------------------

class CheckpointStoreTest : public ::testing::Test {
 protected:
  std::string Dir() const { return dir_.Sub("data/checkpoints-dir"); }
  std::string Cur() const { return Dir() + "/checkpoints"; }
  std::string Prev() const { return Cur() + ".prev"; }
  std::string Tmp() const { return Cur() + ".tmp"; }

  TempDir dir_;
  FileSystem& fs_ = PosixFileSystem();
};

TEST_F(CheckpointStoreTest, OpenCreatesTheDirectory) {
  CheckpointStore store = MustOpen(fs_, Dir());
  EXPECT_TRUE(fs_.Exists(Dir()));
  EXPECT_EQ(store.path(), Cur());
}

TEST_F(CheckpointStoreTest, OpenRejectsBadNames) {
  EXPECT_FALSE(CheckpointStore::Open(fs_, Dir(), "").ok());
  EXPECT_FALSE(CheckpointStore::Open(fs_, Dir(), "a/b").ok());
}

TEST_F(CheckpointStoreTest, OpenReportsADirectoryItCannotCreate) {
  WriteFile(dir_.Sub("file"), "x");
  Result<CheckpointStore> s = CheckpointStore::Open(fs_, dir_.Sub("file/sub"));
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s.status().message(), "checkpoint store")) << s.status().message();
}

TEST_F(CheckpointStoreTest, LoadOfAnEmptyDirectoryIsAFreshStart) {
  CheckpointStore store = MustOpen(fs_, Dir());
  Result<LoadedCheckpoints> l = store.Load();
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(l->checkpoints.files.empty());
  EXPECT_EQ(l->checkpoints.saved_unix_nanos, 0);
  EXPECT_EQ(l->loaded_from, "");
  EXPECT_TRUE(l->problems.empty());
}

TEST_F(CheckpointStoreTest, SaveThenLoadRoundTrips) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Load().ok());
  Checkpoints c = State(5);
  c.files[0].path = "/var/log/odd name\n%.log";
  ASSERT_TRUE(store.Save(c).ok());
  EXPECT_TRUE(fs_.Exists(Cur()));
  EXPECT_FALSE(fs_.Exists(Tmp()));
  EXPECT_FALSE(fs_.Exists(Prev()));  // nothing to keep yet

  CheckpointStore reopened = MustOpen(fs_, Dir());
  Result<LoadedCheckpoints> l = reopened.Load();
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(Same(l->checkpoints, c)) << Describe(l->checkpoints);
  EXPECT_EQ(l->loaded_from, Cur());
  EXPECT_TRUE(l->problems.empty());
}

TEST_F(CheckpointStoreTest, SecondSaveKeepsTheFirstAsPrev) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  ASSERT_TRUE(store.Save(State(2)).ok());
  Result<Checkpoints> prev = ParseText(ReadFileOrEmpty(Prev()));
  ASSERT_TRUE(prev.ok());
  EXPECT_TRUE(Same(*prev, State(1)));
  Result<Checkpoints> cur = ParseText(ReadFileOrEmpty(Cur()));
  ASSERT_TRUE(cur.ok());
  EXPECT_TRUE(Same(*cur, State(2)));
}

TEST_F(CheckpointStoreTest, GenerationIncreasesAcrossSavesAndRestarts) {
  {
    CheckpointStore store = MustOpen(fs_, Dir());
    ASSERT_TRUE(store.Load().ok());
    for (int i = 1; i <= 3; ++i) {
      ASSERT_TRUE(store.Save(State(i)).ok());
      EXPECT_EQ(GenerationOf(Cur()), static_cast<uint64_t>(i));
    }
    EXPECT_EQ(GenerationOf(Prev()), 2u);
  }
  {
    CheckpointStore store = MustOpen(fs_, Dir());
    ASSERT_TRUE(store.Load().ok());
    ASSERT_TRUE(store.Save(State(4)).ok());
    EXPECT_EQ(GenerationOf(Cur()), 4u);
  }
  {
    // Save without Load first must still outrank what is on disk.
    CheckpointStore store = MustOpen(fs_, Dir());
    ASSERT_TRUE(store.Save(State(5)).ok());
    EXPECT_EQ(GenerationOf(Cur()), 5u);
    EXPECT_EQ(GenerationOf(Prev()), 4u);
  }
}

TEST_F(CheckpointStoreTest, FallsBackToPreviousCopyOnChecksumMismatch) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  ASSERT_TRUE(store.Save(State(2)).ok());
  FlipByte(Cur(), 40);

  CheckpointStore reopened = MustOpen(fs_, Dir());
  Result<LoadedCheckpoints> l = reopened.Load();
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(Same(l->checkpoints, State(1))) << Describe(l->checkpoints);
  EXPECT_EQ(l->loaded_from, Prev());
  ASSERT_EQ(l->problems.size(), 1u);
  EXPECT_EQ(l->problems[0],
            "checkpoint store '" + Cur() + "': checksum mismatch, using '" + Prev() + "'");
}

TEST_F(CheckpointStoreTest, FallsBackToPreviousCopyWhenCurrentIsTruncated) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  ASSERT_TRUE(store.Save(State(2)).ok());
  std::string text = ReadFileOrEmpty(Cur());
  WriteFile(Cur(), text.substr(0, text.size() / 2));

  Result<LoadedCheckpoints> l = MustOpen(fs_, Dir()).Load();
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(Same(l->checkpoints, State(1)));
  ASSERT_EQ(l->problems.size(), 1u);
  EXPECT_TRUE(Contains(l->problems[0], Cur())) << l->problems[0];
  EXPECT_TRUE(Contains(l->problems[0], "truncated")) << l->problems[0];
}

TEST_F(CheckpointStoreTest, FallsBackToPreviousCopyWhenCurrentIsGarbageOrEmpty) {
  for (std::string garbage : {std::string("garbage\n"), std::string(), std::string(4096, '\0')}) {
    TempDir d;
    const std::string dir = d.Sub("c");
    CheckpointStore store = MustOpen(fs_, dir);
    ASSERT_TRUE(store.Save(State(1)).ok());
    ASSERT_TRUE(store.Save(State(2)).ok());
    WriteFile(dir + "/checkpoints", garbage);
    Result<LoadedCheckpoints> l = MustOpen(fs_, dir).Load();
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    EXPECT_TRUE(Same(l->checkpoints, State(1)));
    EXPECT_EQ(l->problems.size(), 1u);
  }
}

TEST_F(CheckpointStoreTest, CorruptPrevIsReportedButCurrentIsUsed) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  ASSERT_TRUE(store.Save(State(2)).ok());
  FlipByte(Prev(), 3);
  Result<LoadedCheckpoints> l = MustOpen(fs_, Dir()).Load();
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(Same(l->checkpoints, State(2)));
  ASSERT_EQ(l->problems.size(), 1u);
  EXPECT_TRUE(Contains(l->problems[0], Prev()));
}

TEST_F(CheckpointStoreTest, AllCopiesCorruptIsCorruptionNamingThem) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  ASSERT_TRUE(store.Save(State(2)).ok());
  FlipByte(Cur(), 40);
  WriteFile(Prev(), "junk");
  WriteFile(Tmp(), "");
  Result<LoadedCheckpoints> l = MustOpen(fs_, Dir()).Load();
  ASSERT_FALSE(l.ok());
  EXPECT_TRUE(l.status().IsCorruption());
  const std::string msg(l.status().message());
  EXPECT_TRUE(Contains(msg, "no valid copy")) << msg;
  EXPECT_TRUE(Contains(msg, Cur() + "': checksum mismatch")) << msg;
  EXPECT_TRUE(Contains(msg, Prev() + "': not a logship checkpoint file (it starts with \"junk\""))
      << msg;
  EXPECT_TRUE(Contains(msg, Tmp() + "': empty file")) << msg;
  // Nothing is cleaned up: the evidence stays for the operator.
  EXPECT_TRUE(fs_.Exists(Tmp()));
}

TEST_F(CheckpointStoreTest, OnlyCopyCorruptIsCorruption) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  FlipByte(Cur(), 10);
  Result<LoadedCheckpoints> l = MustOpen(fs_, Dir()).Load();
  ASSERT_FALSE(l.ok());
  EXPECT_TRUE(l.status().IsCorruption());
  EXPECT_TRUE(Contains(l.status().message(), Cur()));
}

TEST_F(CheckpointStoreTest, SaveAfterFallbackKeepsTheGoodPrev) {
  // current corrupt, prev good: the next Save must not push the good copy out with the bad one.
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  ASSERT_TRUE(store.Save(State(2)).ok());
  FlipByte(Cur(), 40);
  CheckpointStore reopened = MustOpen(fs_, Dir());
  ASSERT_TRUE(reopened.Load().ok());
  ASSERT_TRUE(reopened.Save(State(3)).ok());
  EXPECT_GT(GenerationOf(Cur()), GenerationOf(Prev()));
  Result<Checkpoints> prev = ParseText(ReadFileOrEmpty(Prev()));
  ASSERT_TRUE(prev.ok());
  EXPECT_TRUE(Same(*prev, State(1)));
  FlipByte(Cur(), 40);
  Result<LoadedCheckpoints> l = MustOpen(fs_, Dir()).Load();
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(Same(l->checkpoints, State(1)));
}

TEST_F(CheckpointStoreTest, NewestValidTempCopyIsUsedAndPromoted) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  // A Save that died after syncing its temp file, before any rename.
  WriteFile(Tmp(), CheckpointStore::Serialize(State(2), 2));

  CheckpointStore reopened = MustOpen(fs_, Dir());
  Result<LoadedCheckpoints> l = reopened.Load();
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(Same(l->checkpoints, State(2)));
  EXPECT_EQ(l->loaded_from, Tmp());
  EXPECT_TRUE(l->problems.empty());
  // Promoted: as if that Save had finished.
  EXPECT_FALSE(fs_.Exists(Tmp()));
  EXPECT_EQ(GenerationOf(Cur()), 2u);
  EXPECT_EQ(GenerationOf(Prev()), 1u);
  ASSERT_TRUE(reopened.Save(State(3)).ok());
  EXPECT_EQ(GenerationOf(Cur()), 3u);
}

TEST_F(CheckpointStoreTest, NewestValidTempCopyIsUsedWhenCurrentIsMissing) {
  // A Save that died between its two renames.
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  ASSERT_EQ(std::rename(Cur().c_str(), Prev().c_str()), 0);
  WriteFile(Tmp(), CheckpointStore::Serialize(State(2), 2));
  Result<LoadedCheckpoints> l = MustOpen(fs_, Dir()).Load();
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(Same(l->checkpoints, State(2)));
  EXPECT_EQ(GenerationOf(Cur()), 2u);
  EXPECT_EQ(GenerationOf(Prev()), 1u);
}

TEST_F(CheckpointStoreTest, TornTempCopyIsReportedAndRemoved) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  std::string text = CheckpointStore::Serialize(State(2), 2);
  WriteFile(Tmp(), text.substr(0, 50));
  Result<LoadedCheckpoints> l = MustOpen(fs_, Dir()).Load();
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(Same(l->checkpoints, State(1)));
  EXPECT_EQ(l->loaded_from, Cur());
  ASSERT_EQ(l->problems.size(), 1u);
  EXPECT_TRUE(Contains(l->problems[0], Tmp())) << l->problems[0];
  EXPECT_FALSE(fs_.Exists(Tmp()));
}

TEST_F(CheckpointStoreTest, OlderValidTempCopyIsIgnoredAndRemoved) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  ASSERT_TRUE(store.Save(State(2)).ok());
  WriteFile(Tmp(), CheckpointStore::Serialize(State(9), 1));
  Result<LoadedCheckpoints> l = MustOpen(fs_, Dir()).Load();
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(Same(l->checkpoints, State(2)));
  EXPECT_TRUE(l->problems.empty());
  EXPECT_FALSE(fs_.Exists(Tmp()));
}

TEST_F(CheckpointStoreTest, UnreadableCopyIsAnError) {
  CheckpointStore store = MustOpen(fs_, Dir());
  ASSERT_TRUE(store.Save(State(1)).ok());
  // A directory where the current copy should be: reading it fails with EISDIR, not NotFound.
  ASSERT_EQ(std::rename(Cur().c_str(), Prev().c_str()), 0);
  ASSERT_TRUE(fs_.CreateDirs(Cur()).ok());
  Result<LoadedCheckpoints> l = MustOpen(fs_, Dir()).Load();
  ASSERT_FALSE(l.ok());
  EXPECT_FALSE(l.status().IsCorruption());
  EXPECT_TRUE(Contains(l.status().message(), Cur())) << l.status().message();
}

// ---- Injected failures and simulated crashes ---------------------------------------------------

// One store directory on a fault-injecting file system, with State(1) then State(2) saved, so
// current and prev both exist before the Save under test.
struct CrashRig {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  std::string dir = tmp.Sub("ckpt");
  std::optional<CheckpointStore> store;

  CrashRig() {
    fs.SetRealSyncs(false);  // the crash model does not need the disk's help, and it is slow
    store.emplace(MustOpen(fs, dir));
    EXPECT_TRUE(store->Load().ok());
    EXPECT_TRUE(store->Save(State(1)).ok());
    EXPECT_TRUE(store->Save(State(2)).ok());
  }
  // A restart: a fresh store object over what is on disk.
  Result<LoadedCheckpoints> Restart() {
    store.emplace(MustOpen(fs, dir));
    return store->Load();
  }
};

uint64_t OpsPerSave() {
  CrashRig rig;
  const uint64_t before = rig.fs.op_count();
  EXPECT_TRUE(rig.store->Save(State(3)).ok());
  return rig.fs.op_count() - before;
}

// After a restart, the store must hold exactly `a` or `b`, and must work again.
void ExpectOneOfAndUsable(CrashRig& rig, const Checkpoints& a, const Checkpoints& b,
                          const std::string& where) {
  Result<LoadedCheckpoints> l = rig.Restart();
  ASSERT_TRUE(l.ok()) << where << ": " << l.status().ToString();
  EXPECT_TRUE(Same(l->checkpoints, a) || Same(l->checkpoints, b))
      << where << ": " << Describe(l->checkpoints);
  // Whatever came back must come back again after another crash (Load's own clean-up and
  // promotion must not lose it).
  const Checkpoints first = l->checkpoints;
  rig.fs.SimulateCrash();
  Result<LoadedCheckpoints> again = rig.Restart();
  ASSERT_TRUE(again.ok()) << where << ": " << again.status().ToString();
  EXPECT_TRUE(Same(again->checkpoints, first)) << where << ": " << Describe(again->checkpoints);
  // And the store works again.
  ASSERT_TRUE(rig.store->Save(State(7)).ok()) << where;
  rig.fs.SimulateCrash();
  Result<LoadedCheckpoints> after = rig.Restart();
  ASSERT_TRUE(after.ok()) << where;
  EXPECT_TRUE(Same(after->checkpoints, State(7))) << where;
}

TEST(CheckpointStoreCrashTest, ASuccessfulSaveSurvivesACrash) {
  CrashRig rig;
  ASSERT_TRUE(rig.store->Save(State(3)).ok());
  EXPECT_EQ(rig.fs.pending_dir_ops(), 0u);  // Save left nothing to chance
  rig.fs.SimulateCrash();
  Result<LoadedCheckpoints> l = rig.Restart();
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(Same(l->checkpoints, State(3)));
  EXPECT_TRUE(l->problems.empty());
}

TEST(CheckpointStoreCrashTest, CrashAtEveryStepOfSave) {
  const uint64_t n = OpsPerSave();
  ASSERT_GE(n, 6u);  // create, append, sync, close, 2 renames, sync dir
  for (uint64_t k = 0; k <= n; ++k) {
    // Every number of the crashed Save's directory operations that a journal may have kept.
    for (size_t keep = 0;; ++keep) {
      CrashRig rig;
      rig.fs.DieAfterOps(k);
      Status st = rig.store->Save(State(3));
      EXPECT_EQ(st.ok(), k >= n) << "k=" << k << " " << st.ToString();
      const size_t pending = rig.fs.pending_dir_ops();
      if (keep > pending) break;
      rig.fs.SimulateCrashKeepingDirOps(keep);
      const std::string where = "died after " + std::to_string(k) + " ops, kept " +
                                std::to_string(keep) + "/" + std::to_string(pending) + " dir ops";
      if (st.ok()) {
        // Returned OK: the new state, and only it.
        ExpectOneOfAndUsable(rig, State(3), State(3), where);
      } else {
        ExpectOneOfAndUsable(rig, State(2), State(3), where);
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(CheckpointStoreCrashTest, FailureAtEveryStepOfSave) {
  const uint64_t n = OpsPerSave();
  for (uint64_t k = 0; k < n; ++k) {
    CrashRig rig;
    rig.fs.FailOp(k);
    Status st = rig.store->Save(State(3));
    EXPECT_FALSE(st.ok()) << "failing op " << k << " must fail the Save";
    EXPECT_TRUE(Contains(st.message(), "checkpoint store '")) << st.message();
    // Without a crash, and then after one.
    {
      Result<LoadedCheckpoints> l = rig.Restart();
      ASSERT_TRUE(l.ok()) << k << ": " << l.status().ToString();
      EXPECT_TRUE(Same(l->checkpoints, State(2)) || Same(l->checkpoints, State(3))) << k;
    }
    rig.fs.SimulateCrash();
    ExpectOneOfAndUsable(rig, State(2), State(3), "failed op " + std::to_string(k));
  }
}

TEST(CheckpointStoreCrashTest, FailedSaveThenSuccessfulSaveOnTheSameObject) {
  const uint64_t n = OpsPerSave();
  for (uint64_t k = 0; k < n; ++k) {
    CrashRig rig;
    rig.fs.FailOp(k);
    EXPECT_FALSE(rig.store->Save(State(3)).ok());
    ASSERT_TRUE(rig.store->Save(State(4)).ok()) << k;
    rig.fs.SimulateCrash();
    Result<LoadedCheckpoints> l = rig.Restart();
    ASSERT_TRUE(l.ok());
    EXPECT_TRUE(Same(l->checkpoints, State(4))) << k << ": " << Describe(l->checkpoints);
  }
}

TEST(CheckpointStoreCrashTest, SpecificFaults) {
  {
    CrashRig rig;
    rig.fs.FailNextSyncs(1);  // the temp file's sync
    Status st = rig.store->Save(State(3));
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE(Contains(st.message(), "injected sync failure")) << st.message();
    EXPECT_FALSE(rig.fs.Exists(rig.dir + "/checkpoints.tmp"));  // cleaned up
    ExpectOneOfAndUsable(rig, State(2), State(2), "sync failure");
  }
  {
    CrashRig rig;
    rig.fs.FailRenames(true);
    EXPECT_FALSE(rig.store->Save(State(3)).ok());
    EXPECT_FALSE(rig.fs.Exists(rig.dir + "/checkpoints.tmp"));
    rig.fs.FailRenames(false);
    ExpectOneOfAndUsable(rig, State(2), State(2), "rename failure");
  }
  for (uint64_t budget : {0, 1, 20, 60}) {
    CrashRig rig;
    rig.fs.FailWritesAfterBytes(budget);  // disk full while writing the temp copy
    Status st = rig.store->Save(State(3));
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE(Contains(st.message(), "checkpoints.tmp")) << st.message();
    rig.fs.ClearFaults();
    ExpectOneOfAndUsable(rig, State(2), State(2), "write failure");
  }
}

TEST(CheckpointStoreCrashTest, CrashDuringLoadPromotion) {
  // A Save that died right after writing and syncing its temp copy, whose directory entry
  // survived the crash: the next Load finds the newest state in the temp file and promotes it.
  // A crash at any point of that promotion must still give the temp copy's state.
  const auto prepare = [](CrashRig& rig) {
    rig.fs.DieAfterOps(4);  // create, append, sync, close; then the first rename dies
    EXPECT_FALSE(rig.store->Save(State(3)).ok());
    rig.fs.SimulateCrashKeepingDirOps(1);
    EXPECT_TRUE(rig.fs.Exists(rig.dir + "/checkpoints.tmp"));
    rig.store.emplace(MustOpen(rig.fs, rig.dir));
  };
  uint64_t full = 0;
  {
    CrashRig rig;
    prepare(rig);
    const uint64_t before = rig.fs.op_count();
    Result<LoadedCheckpoints> l = rig.store->Load();
    ASSERT_TRUE(l.ok());
    EXPECT_TRUE(Same(l->checkpoints, State(3)));
    EXPECT_TRUE(l->problems.empty());
    full = rig.fs.op_count() - before;
  }
  ASSERT_GE(full, 4u);
  for (uint64_t k = 0; k <= full; ++k) {
    for (size_t keep = 0;; ++keep) {
      CrashRig rig;
      prepare(rig);
      rig.fs.DieAfterOps(k);
      Result<LoadedCheckpoints> l = rig.store->Load();
      ASSERT_TRUE(l.ok()) << l.status().ToString();
      EXPECT_TRUE(Same(l->checkpoints, State(3))) << k;
      EXPECT_EQ(l->problems.empty(), k >= full) << k;  // a failed promotion is reported
      const size_t pending = rig.fs.pending_dir_ops();
      if (keep > pending) break;
      rig.fs.SimulateCrashKeepingDirOps(keep);
      ExpectOneOfAndUsable(rig, State(3), State(3),
                           "promotion died after " + std::to_string(k) + " ops, kept " +
                               std::to_string(keep) + " dir ops");
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// Random saves, failures and crashes (fixed seed): Load must always give the last state whose
// Save returned OK, or a state whose Save was tried after it (and failed or was cut short).
TEST(CheckpointStoreCrashTest, RandomSavesFailuresAndCrashes) {
  std::mt19937 rng(20240607);
  TempDir tmp;
  FaultInjectingFileSystem fs;
  fs.SetRealSyncs(false);
  const std::string dir = tmp.Sub("ckpt");
  std::optional<CheckpointStore> store(MustOpen(fs, dir));
  ASSERT_TRUE(store->Load().ok());

  Checkpoints last_ok;  // the fresh start: no files
  std::vector<Checkpoints> tried;
  int crashes = 0, failures = 0, loads = 0;
  for (int i = 0; i < 600; ++i) {
    Checkpoints next;
    next.saved_unix_nanos = i + 1;
    const int nfiles = static_cast<int>(rng() % 4);
    for (int f = 0; f < nfiles; ++f) {
      next.files.push_back(FileCheckpoint{rng() % 4, rng() % 50, 1024, rng(), rng() % 100000,
                                          "/logs/f " + std::to_string(rng() % 10)});
    }
    const int fault = static_cast<int>(rng() % 7);
    bool dead = false;
    switch (fault) {
      case 0:
        fs.DieAfterOps(rng() % 8);
        dead = true;
        break;
      case 1:
        fs.FailOp(rng() % 8);
        break;
      case 2:
        fs.FailNextSyncs(1 + static_cast<int>(rng() % 2));
        break;
      case 3:
        fs.FailWritesAfterBytes(rng() % 300);
        break;
      default:
        break;
    }
    Status st = store->Save(next);
    if (st.ok()) {
      last_ok = next;
      tried.clear();
    } else {
      tried.push_back(next);
      ++failures;
    }
    fs.ClearFaults();
    const bool crash = dead || rng() % 3 == 0;
    if (crash) {
      ++crashes;
      fs.SimulateCrashKeepingDirOps(rng() % (fs.pending_dir_ops() + 1));
      store.emplace(MustOpen(fs, dir));
    }
    if (crash || rng() % 4 == 0) {
      ++loads;
      Result<LoadedCheckpoints> l = store->Load();
      ASSERT_TRUE(l.ok()) << "step " << i << ": " << l.status().ToString();
      bool allowed = Same(l->checkpoints, last_ok);
      for (const Checkpoints& t : tried) allowed = allowed || Same(l->checkpoints, t);
      ASSERT_TRUE(allowed) << "step " << i << ": got " << Describe(l->checkpoints) << ", last ok "
                           << Describe(last_ok);
    }
  }
  // The mix actually exercised what it claims to.
  EXPECT_GT(crashes, 100);
  EXPECT_GT(failures, 100);
  EXPECT_GT(loads, 200);
}

}  // namespace
}  // namespace logship
