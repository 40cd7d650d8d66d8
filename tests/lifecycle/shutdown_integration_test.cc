// SPDX-License-Identifier: Apache-2.0
// Graceful shutdown with a sink that cannot deliver: a stdout sink writing into a FIFO nobody
// reads blocks in write(2). SIGTERM must still end the process after shutdown_timeout (exit 3),
// a second SIGTERM at once, and nothing is lost: the next run delivers the rest.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "tests/lifecycle/lifecycle_fixture.h"

namespace logship {
namespace {

using ::testing::HasSubstr;

class ShutdownTest : public testing::LifecycleTest {
 protected:
  void SetUp() override {
    LifecycleTest::SetUp();
    ASSERT_EQ(::mkfifo(dir_.Sub("out.fifo").c_str(), 0600), 0);
    // Held open for reading (and not read) so that logship's open for writing succeeds and its
    // writes fill the pipe and then block.
    fifo_ = ::open(dir_.Sub("out.fifo").c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(fifo_, 0);
    std::string lines;
    for (int i = 0; i < kLines; ++i) lines += "line-" + std::to_string(i) + "\n";
    testing::WriteFile(dir_.Sub("logs/app.log"), lines);
  }
  void TearDown() override {
    if (fifo_ >= 0) ::close(fifo_);
  }
  void WritePipeline(const std::string& timeout) {
    testing::WriteFile(dir_.Sub("pipeline.yaml"), "data_dir: data\nshutdown_timeout: " + timeout +
                                                      R"(
pipelines:
  app:
    inputs: [{type: file, include: ["logs/app.log"], checkpoint_interval: 100ms}]
    sinks: [{type: stdout}]
)");
  }
  // Reads everything the FIFO holds now (non-blocking).
  void Drain(std::string& into) {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fifo_, buf, sizeof(buf))) > 0) into.append(buf, static_cast<size_t>(n));
  }
  // Waits until the pipe is full: logship is blocked writing.
  void WaitStalled() {
    ASSERT_TRUE(testing::WaitUntil([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return process_->Running() && process_->Stderr().find("state: running") != std::string::npos;
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let it fill the pipe
  }
  // Runs logship to the end with a reader on the FIFO; returns what it read.
  std::string RunToCompletion(std::string already) {
    WritePipeline("30s");
    Start(dir_.Sub("out.fifo"));
    std::string got = std::move(already);
    EXPECT_TRUE(testing::WaitUntil([&] {
      Drain(got);
      return std::count(got.begin(), got.end(), '\n') >= kLines;  // the first run's duplicates
                                                                  // make it more, never less
    }));
    // All of the file was delivered: the checkpoint covers it, so the lines in `got` are all.
    process_->Signal(SIGTERM);
    std::atomic<bool> done{false};
    std::thread reader([&] {
      while (!done) {
        Drain(got);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
    EXPECT_EQ(process_->Wait(), 0) << process_->Stderr();
    done = true;
    reader.join();
    Drain(got);
    return got;
  }
  void ExpectEveryLine(const std::string& got) {
    std::set<std::string> seen;
    for (size_t at = 0, nl; (nl = got.find('\n', at)) != std::string::npos; at = nl + 1) {
      std::string line = got.substr(at, nl - at);
      size_t m = line.find("\"message\":\"");
      if (m == std::string::npos) continue;
      seen.insert(line.substr(m + 11, line.find('"', m + 11) - m - 11));
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(kLines)) << "no line lost across the two runs";
  }

  static constexpr int kLines = 20000;  // about 4 MB of events: far more than a pipe holds
  int fifo_ = -1;
};

TEST_F(ShutdownTest, ATimedOutDrainExitsThreeAndTheRestIsDeliveredNextRun) {
  WritePipeline("1s");
  Start(dir_.Sub("out.fifo"));
  WaitStalled();
  process_->Signal(SIGTERM);
  std::optional<int> code = process_->Wait();
  ASSERT_TRUE(code.has_value()) << "a stalled sink must not keep the process alive";
  EXPECT_EQ(*code, 3) << process_->Stderr();
  EXPECT_THAT(process_->Stderr(), HasSubstr("state: draining"));
  EXPECT_THAT(process_->Stderr(), HasSubstr("read again"));
  std::string got;
  Drain(got);
  ExpectEveryLine(RunToCompletion(got));
}

TEST_F(ShutdownTest, ASecondSignalExitsAtOnce) {
  WritePipeline("10m");  // the drain would wait ten minutes for the stalled sink
  Start(dir_.Sub("out.fifo"));
  WaitStalled();
  process_->Signal(SIGTERM);
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return process_->Stderr().find("state: draining") != std::string::npos; }));
  process_->Signal(SIGTERM);
  std::optional<int> code = process_->Wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 3) << process_->Stderr();
  EXPECT_THAT(process_->Stderr(), HasSubstr("again: saving acknowledged checkpoints"));
  std::string got;
  Drain(got);
  ExpectEveryLine(RunToCompletion(got));
}

}  // namespace
}  // namespace logship
