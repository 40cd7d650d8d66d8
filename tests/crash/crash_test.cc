// SPDX-License-Identifier: Apache-2.0
// The crash test: a writer appends numbered lines (rotating the file now and then) while a real
// `logship run` ships them into a spool; logship is killed with SIGKILL at random moments and
// restarted each time, then a final `run --once` catches up. Every line must be in the spool, and
// duplicates may be no more than the lines that were in flight (shipped but not yet covered by
// the saved checkpoint) at each kill.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "src/base/file_system.h"
#include "src/tail/checkpoint_store.h"
#include "tests/testing/logship_process.h"
#include "tests/testing/spool_reader.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {
namespace {

struct LinePlace {
  uint64_t inode = 0;
  uint64_t offset = 0;
};

// Appends "line <n> <padding>\n" to logs/app.log, renaming it to app.log.<k> every
// `rotate_every` lines, and remembers where each line went.
class Writer {
 public:
  Writer(std::string dir, int rotate_every) : dir_(std::move(dir)), rotate_every_(rotate_every) {}
  ~Writer() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int lines() const { return count_.load(); }
  std::vector<LinePlace> places() {
    std::lock_guard<std::mutex> lock(mu_);
    return places_;
  }

 private:
  void Run() {
    std::string path = dir_ + "/app.log";
    int fd = -1;
    uint64_t inode = 0, offset = 0;
    int rotations = 0;
    std::string padding(80, 'p');
    std::string chunk;
    int n = 0;
    while (!stop_) {
      if (fd < 0 || (n > 0 && n % rotate_every_ == 0 && offset > 0)) {
        if (fd >= 0) {
          ::close(fd);
          ++rotations;
          std::string rotated = path + "." + std::to_string(rotations);
          ASSERT_EQ(0, std::rename(path.c_str(), rotated.c_str()));
        }
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ASSERT_GE(fd, 0);
        struct stat st;
        ::fstat(fd, &st);
        inode = static_cast<uint64_t>(st.st_ino);
        offset = 0;
      }
      // A few lines per write, like a buffered logger.
      chunk.clear();
      std::vector<LinePlace> added;
      for (int k = 0; k < 20; ++k) {
        std::string line = "line " + std::to_string(n) + " " + padding + "\n";
        added.push_back({inode, offset + chunk.size()});
        chunk += line;
        ++n;
        if (n % rotate_every_ == 0) break;
      }
      ASSERT_EQ(::write(fd, chunk.data(), chunk.size()), static_cast<ssize_t>(chunk.size()));
      offset += chunk.size();
      {
        std::lock_guard<std::mutex> lock(mu_);
        places_.insert(places_.end(), added.begin(), added.end());
      }
      count_.store(n);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    if (fd >= 0) ::close(fd);
  }

  std::string dir_;
  int rotate_every_;
  std::atomic<bool> stop_{false};
  std::atomic<int> count_{0};
  std::thread thread_;
  std::mutex mu_;
  std::vector<LinePlace> places_;
};

// Line numbers of every complete line in the spool (a torn last line is ignored: the spool cuts
// it at the next start).
std::vector<int> SpooledLineNumbers(const std::string& dir) {
  std::vector<int> out;
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    files.push_back(e.path().string());
  }
  for (const std::string& f : files) {
    std::string content = ReadFileOrEmpty(f);
    size_t pos = 0;
    while (true) {
      size_t nl = content.find('\n', pos);
      if (nl == std::string::npos) break;
      size_t at = content.find("\"message\":\"line ", pos);
      if (at != std::string::npos && at < nl) {
        out.push_back(std::atoi(content.c_str() + at + 16));
      }
      pos = nl + 1;
    }
  }
  return out;
}

// Runs the crash test on a pipeline `app` of batches of `max_events`, with `extra` (YAML lines
// indented by 4) besides its file input and spool sink.
void SigkillAtRandomMoments(int max_events, const std::string& extra) {
  TempDir dir;
  std::string logs = dir.Sub("logs");
  std::filesystem::create_directories(logs);
  std::string pipeline = dir.Sub("pipeline.yaml");
  WriteFile(pipeline,
            "data_dir: ./data\n"
            "pipelines:\n"
            "  app:\n"
            "    batch: {max_events: " +
                std::to_string(max_events) + "}\n" + extra +
                "    inputs:\n"
                "      - type: file\n"
                "        include: [\"logs/app.log*\"]\n"
                "        rescan_interval: 100ms\n"
                "        rotate_wait: 200ms\n"
                "    sinks:\n"
                "      - {type: spool, path: ./out, max_file_bytes: 1MiB}\n");
  std::string out = dir.Sub("out");
  std::string data = dir.Sub("data/app");

  std::random_device rd;
  uint32_t seed = rd();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));

  Writer writer(logs, 3000);
  writer.Start();
  const int kKills = 6;
  size_t in_flight_total = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    LogshipProcess p({"run", pipeline}, dir.path());
    // Let it work a while: sometimes just after start, sometimes deep into shipping.
    int wait_ms = std::uniform_int_distribution<int>(50, 1500)(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    ASSERT_TRUE(p.Running()) << p.Stderr();
    p.Signal(SIGKILL);
    ASSERT_TRUE(p.Wait().has_value());

    // What was shipped past the checkpoint that the next start will load is in flight: it will
    // be shipped again. Load the checkpoint exactly as logship will.
    Result<CheckpointStore> store =
        CheckpointStore::Open(PosixFileSystem(), data, "input-0.checkpoints");
    ASSERT_TRUE(store.ok());
    std::map<uint64_t, uint64_t> acked;  // inode -> offset
    Result<LoadedCheckpoints> loaded = store->Load();
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    for (const FileCheckpoint& c : loaded->checkpoints.files) acked[c.inode] = c.offset;
    std::vector<LinePlace> places = writer.places();
    size_t in_flight = 0;
    for (int n : SpooledLineNumbers(out)) {
      ASSERT_LT(static_cast<size_t>(n), places.size());
      const LinePlace& at = places[static_cast<size_t>(n)];
      auto it = acked.find(at.inode);
      if (it == acked.end() || at.offset >= it->second) ++in_flight;
    }
    in_flight_total += in_flight;
  }
  writer.Stop();
  RunResult final_run = RunLogship({"run", "--once", pipeline}, dir.path());
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;

  int total = writer.lines();
  std::vector<SpooledEvent> events = ReadSpool(out);  // strict: every line valid JSON
  std::vector<int> seen(static_cast<size_t>(total), 0);
  for (const SpooledEvent& e : events) {
    ASSERT_EQ(e.message.rfind("line ", 0), 0u) << e.message;
    int n = std::atoi(e.message.c_str() + 5);
    ASSERT_GE(n, 0);
    ASSERT_LT(n, total);
    ++seen[static_cast<size_t>(n)];
  }
  int missing = 0;
  size_t duplicates = 0;
  for (int n = 0; n < total; ++n) {
    if (seen[static_cast<size_t>(n)] == 0) {
      if (++missing <= 10) ADD_FAILURE() << "line " << n << " is missing";
    } else {
      duplicates += static_cast<size_t>(seen[static_cast<size_t>(n)] - 1);
    }
  }
  EXPECT_EQ(missing, 0) << "of " << total << " lines";
  EXPECT_LE(duplicates, in_flight_total);
  std::printf("crash test: %d lines, %d kills, %zu duplicates, %zu in flight at the kills\n", total,
              kKills, duplicates, in_flight_total);
}

TEST(CrashTest, SigkillAtRandomMomentsLosesNothing) { SigkillAtRandomMoments(512, ""); }

// Stages on four workers: batches finish out of order and wait for their turn, so at each kill
// some are processed and not yet handed to the spool. They are unacknowledged, so read again.
TEST(CrashTest, SigkillWithFourStageWorkersLosesNothing) {
  SigkillAtRandomMoments(
      64,
      "    workers: 4\n"
      "    stages:\n"
      "      - {type: add_fields, fields: {service.name: crash}}\n"
      "      - {type: regex, field: message, pattern: '^(?P<message>line (?P<line>\\d+) .*)$'}\n");
}

}  // namespace
}  // namespace logship::testing
