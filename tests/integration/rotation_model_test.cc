// SPDX-License-Identifier: Apache-2.0
// A model-based rotation test (Vector's file_watcher/tests idea) against the real logship binary:
// a seeded random sequence of writes, renames, copytruncates, deletions and pauses is played on
// logs/app.log while `logship run` tails it, and what the spool holds is compared with a model of
// what was written.
//
// What makes the outcome decidable: a line is only ever truncated or deleted after it was shipped
// (truncate and delete actions first wait until the spool holds every line written so far), with
// only app.log included a file is only renamed out of sight once logship has opened it (one of its
// lines shipped), and logship is never killed. So every line written must be shipped exactly
// once, with no other line (no fragments of a stale read, no copies of the excluded *.copy files),
// each under the path of the file it was written to (or, when that file was renamed to a name the
// include matches, the new name). Writes right after a rotation or truncation are not waited for:
// logship must notice the change however fast the next lines come.
//
// Regression history: this test found that a file truncated and refilled past logship's offset
// between two reads was read from the stale offset (fragments, lost and duplicated lines).

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "tests/integration/integration_fixture.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {
namespace {

struct ModelParam {
  uint64_t seed;
  bool wildcard;  // include logs/app.log* (renamed files still match) or only logs/app.log
};

void PrintTo(const ModelParam& p, std::ostream* os) {
  *os << (p.wildcard ? "include logs/app.log*" : "include logs/app.log") << ", seed " << p.seed;
}

std::string ParamName(const ::testing::TestParamInfo<ModelParam>& info) {
  return std::string(info.param.wildcard ? "Wildcard" : "Literal") + "Seed" +
         std::to_string(info.param.seed);
}

// splitmix64: the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // In [0, n) (the modulo bias does not matter here).
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

class RotationModelTest : public IntegrationTest, public ::testing::WithParamInterface<ModelParam> {
 protected:
  static constexpr int kActions = 60;

  void SetUp() override {
    IntegrationTest::SetUp();
    app_ = logs_ + "/app.log";
  }

  // --- The model -------------------------------------------------------------------------------

  struct Written {
    int file = 0;  // generation of app.log it was written to
    int shipped = 0;
  };

  // Appends n new lines (unique ids, varied lengths) to app.log in one write.
  void Write(int n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
      std::string line = "s" + std::to_string(GetParam().seed) + "-" + std::to_string(next_id_++);
      line += ' ';
      line.append(rng_.Below(120), static_cast<char>('a' + rng_.Below(26)));
      written_.emplace(line, Written{file_, 0});
      text += line + "\n";
    }
    if (!exists_) lines_before_file_ = written_.size() - static_cast<size_t>(n);
    AppendFile(app_, text);
    exists_ = true;
    Log("write " + std::to_string(n));
  }

  // app.log -> app.log.<k>; the next write creates a new app.log.
  void Rotate() {
    if (!GetParam().wildcard) {
      // With only app.log included, a file renamed before logship saw it at that path is never
      // seen at all. Once one of its lines is shipped it is open, and the rest must be read from
      // the open file: wait for that much only.
      bool ok = WaitUntil([&] { return CountSpooledLines(out_) > lines_before_file_; },
                          std::chrono::seconds(20));
      ASSERT_TRUE(ok) << "before rotate: app.log was never opened\nactions:\n"
                      << log_.str() << "stderr:\n"
                      << process_->Stderr();
    }
    std::string to = app_ + "." + std::to_string(next_rotation_++);
    ASSERT_EQ(std::rename(app_.c_str(), to.c_str()), 0);
    renamed_to_[file_] = to;
    ++file_;
    exists_ = false;
    Log("rotate to " + to.substr(logs_.size() + 1));
  }

  // Copy to app.log.<k>.copy (excluded), then truncate app.log in place.
  void CopyTruncate() {
    WaitShipped("before copytruncate");
    if (HasFatalFailure()) return;
    std::string copy = app_ + "." + std::to_string(next_copy_++) + ".copy";
    WriteFile(copy, ReadFileOrEmpty(app_));
    ASSERT_EQ(::truncate(app_.c_str(), 0), 0);
    Log("copytruncate via " + copy.substr(logs_.size() + 1));
  }

  void Delete() {
    WaitShipped("before delete");
    if (HasFatalFailure()) return;
    ASSERT_EQ(::unlink(app_.c_str()), 0);
    ++file_;
    exists_ = false;
    Log("delete");
  }

  // Waits until the spool holds at least every line written so far (all of them must ship).
  void WaitShipped(const char* why) {
    bool ok = WaitUntil([&] { return CountSpooledLines(out_) >= written_.size(); },
                        std::chrono::seconds(20));
    ASSERT_TRUE(ok) << why << ": " << CountSpooledLines(out_) << " of " << written_.size()
                    << " lines shipped\nactions:\n"
                    << log_.str() << "stderr:\n"
                    << process_->Stderr();
  }

  void Log(const std::string& what) { log_ << "  " << what << "\n"; }

  void PlayRandomActions() {
    for (int i = 0; i < kActions; ++i) {
      uint64_t roll = rng_.Below(100);
      // Rotating, truncating or deleting what does not exist is a write instead.
      if (!exists_ && roll >= 50 && roll < 84) roll = 0;
      if (roll < 50) {
        Write(1 + static_cast<int>(rng_.Below(rng_.Below(4) == 0 ? 200 : 20)));
      } else if (roll < 62) {
        Rotate();
      } else if (roll < 74) {
        CopyTruncate();
      } else if (roll < 84) {
        Delete();
      } else {
        WaitShipped("pause");
        Log("pause");
      }
      if (HasFatalFailure()) return;
    }
  }

  // The paths a line written to file generation `file` may be shipped under.
  bool PathAllowed(const std::string& path, int file) const {
    if (path == app_) return true;
    auto it = renamed_to_.find(file);
    // Only a renamed file the include still matches is followed to its new name.
    return GetParam().wildcard && it != renamed_to_.end() && it->second == path;
  }

  Rng rng_{GetParam().seed};
  std::string app_;
  std::map<std::string, Written> written_;  // by line text
  std::map<int, std::string> renamed_to_;   // file generation -> its rotated path
  int file_ = 0;
  bool exists_ = false;
  size_t lines_before_file_ = 0;  // lines written before the current app.log's first one
  uint64_t next_id_ = 0;
  int next_rotation_ = 1;
  int next_copy_ = 1;
  std::ostringstream log_;
  std::unique_ptr<LogshipProcess> process_;
};

TEST_P(RotationModelTest, EveryLineShipsExactlyOnce) {
  std::string include = GetParam().wildcard ? "logs/app.log*" : "logs/app.log";
  std::string pipeline = WritePipeline(include, "        exclude: [\"*.copy\"]\n");
  process_ =
      std::make_unique<LogshipProcess>(std::vector<std::string>{"run", pipeline}, dir_.path());
  PlayRandomActions();
  if (HasFatalFailure()) return;
  WaitShipped("at the end");
  if (HasFatalFailure()) return;
  process_->Signal(SIGTERM);
  std::optional<int> code = process_->Wait();
  ASSERT_TRUE(code.has_value()) << "logship did not stop";
  EXPECT_EQ(*code, 0) << process_->Stderr();

  std::vector<SpooledEvent> events = Shipped();  // fails the test on a line that is not JSON
  size_t unknown = 0;
  for (const SpooledEvent& e : events) {
    auto it = written_.find(e.message);
    if (it == written_.end()) {
      if (++unknown <= 5) ADD_FAILURE() << "shipped but never written: '" << e.raw << "'";
      continue;
    }
    ++it->second.shipped;
    EXPECT_TRUE(PathAllowed(e.path, it->second.file))
        << "'" << e.message << "' written to file #" << it->second.file << " shipped as from '"
        << e.path << "'";
  }
  EXPECT_EQ(unknown, 0u);
  size_t missing = 0, duplicated = 0;
  for (const auto& [text, w] : written_) {
    if (w.shipped == 0 && ++missing <= 5) ADD_FAILURE() << "never shipped: '" << text << "'";
    if (w.shipped > 1 && ++duplicated <= 5) {
      ADD_FAILURE() << "shipped " << w.shipped << " times: '" << text << "'";
    }
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(duplicated, 0u);
  EXPECT_EQ(events.size(), written_.size());
  if (HasFailure()) {
    ADD_FAILURE() << "actions:\n" << log_.str() << "stderr:\n" << process_->Stderr();
  }
}

std::vector<ModelParam> Params() {
  std::vector<ModelParam> out;
  for (bool wildcard : {false, true}) {
    for (uint64_t seed = 1; seed <= 8; ++seed) out.push_back(ModelParam{seed, wildcard});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Seeds, RotationModelTest, ::testing::ValuesIn(Params()), ParamName);

// Regression: when one scan found app.log to be a new file and the old one renamed (or gone), the
// old file's path was dropped from the path index after the new file had been entered under that
// same path, so the new app.log's writes were ignored until the next periodic rescan. With a long
// rescan_interval that is a long stall; here the rescan never comes within the test.
class RotationPathIndexTest : public IntegrationTest, public ::testing::WithParamInterface<bool> {};

TEST_P(RotationPathIndexTest, NewFileAtTheRotatedPathIsFollowedByItsWrites) {
  bool wildcard = GetParam();
  std::string pipeline = dir_.Sub("pipeline.yaml");
  WriteFile(pipeline, std::string("data_dir: ./data\n"
                                  "pipelines:\n"
                                  "  app:\n"
                                  "    inputs:\n"
                                  "      - type: file\n"
                                  "        include: [\"") +
                          (wildcard ? "logs/app.log*" : "logs/app.log") +
                          "\"]\n"
                          "        rescan_interval: 1h\n"
                          "        rotate_wait: 300ms\n"
                          "    sinks:\n"
                          "      - type: spool\n"
                          "        path: ./out\n");
  std::string app = logs_ + "/app.log", rotated = logs_ + "/app.log.1";
  WriteFile(app, Lines("old", 0, 10));
  LogshipProcess p({"run", pipeline}, dir_.path());
  auto shipped = [&](size_t n) {
    return WaitUntil([&] { return CountSpooledLines(out_) >= n; }, std::chrono::seconds(10));
  };
  ASSERT_TRUE(shipped(10)) << p.Stderr();
  // The new file is prepared beside it, then swapped in atomically, so that the next scan sees
  // both changes at once: app.log a new file, the old one renamed to app.log.1.
  WriteFile(rotated, Lines("new", 0, 5));
  if (::renameat2(AT_FDCWD, app.c_str(), AT_FDCWD, rotated.c_str(), RENAME_EXCHANGE) != 0) {
    GTEST_SKIP() << "renameat2(RENAME_EXCHANGE) unsupported here";
  }
  ASSERT_TRUE(shipped(15)) << p.Stderr();
  // Written after the new app.log was read to its end: only its inotify event says so.
  AppendFile(app, Lines("new", 5, 3));
  EXPECT_TRUE(shipped(18)) << "writes to the new app.log were not noticed\n" << p.Stderr();
  p.Signal(SIGTERM);
  std::optional<int> code = p.Wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << p.Stderr();
  std::vector<std::string> m = Messages(Shipped());
  std::sort(m.begin(), m.end());
  std::vector<std::string> want;
  for (int i = 0; i < 8; ++i) want.push_back("new-" + std::to_string(i));
  for (int i = 0; i < 10; ++i) want.push_back("old-" + std::to_string(i));
  std::sort(want.begin(), want.end());
  EXPECT_EQ(m, want);
}

INSTANTIATE_TEST_SUITE_P(Include, RotationPathIndexTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("Wildcard") : std::string("Literal");
                         });

}  // namespace
}  // namespace logship::testing
