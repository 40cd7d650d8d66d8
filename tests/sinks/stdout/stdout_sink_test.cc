// SPDX-License-Identifier: Apache-2.0
#include "sinks/stdout/stdout_sink.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "sinks/builtin_sinks.h"
#include "src/config/config_node.h"
#include "src/event/batch_pool.h"
#include "src/pipeline/ack_tracker.h"

namespace logship {
namespace {

class StdoutSinkTest : public ::testing::Test {
 protected:
  StdoutSinkTest() {
    ctx_.pipeline = "app";
    ctx_.component = "pipelines.app.sinks[0]";
    ctx_.base_dir = "/";
    ctx_.errors = &errors_;
    ctx_.claims = &claims_;
    EXPECT_EQ(::pipe(fds_), 0);
  }
  ~StdoutSinkTest() override {
    if (fds_[0] >= 0) ::close(fds_[0]);
    ::close(fds_[1]);
  }

  // Submits a batch of `n` events numbered from `first`; those with dropped(i) are dropped.
  void Submit(Sink& sink, int first, int n, bool (*dropped)(int) = nullptr) {
    MutableBatch b = pool_.Acquire(60'000);
    ASSERT_NE(b, nullptr);
    for (int i = first; i < first + n; ++i) {
      Event& e = b->AddEvent();
      e.message = b->arena().Copy("event " + std::to_string(i));
      e.dropped = dropped != nullptr && dropped(i);
      b->AddField(e, "n", Value::Int(i));
    }
    uint64_t seq = tracker_.Register(b->sources());
    sink.Submit(BatchPool::Freeze(std::move(b)), AckHandle(&tracker_, seq));
  }

  // Reads `lines` lines from the pipe and returns the field `n` of each, checking it is JSON.
  std::vector<int64_t> ReadNumbers(size_t lines) {
    std::string text;
    while (static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) < lines) {
      char buf[4096];
      ssize_t n = ::read(fds_[0], buf, sizeof(buf));
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    std::vector<int64_t> numbers;
    simdjson::dom::parser parser;
    size_t start = 0;
    for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
      simdjson::dom::element doc;
      std::string line = text.substr(start, nl - start);
      start = nl + 1;
      int64_t value = -1;
      EXPECT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
      EXPECT_EQ(doc["n"].get(value), simdjson::SUCCESS) << line;
      numbers.push_back(value);
    }
    EXPECT_EQ(start, text.size()) << "no partial line";
    return numbers;
  }

  ConfigErrors errors_;
  ResourceClaims claims_;
  PluginContext ctx_;
  int fds_[2] = {-1, -1};
  BatchPool pool_{8};
  AckTracker tracker_{1};
};

TEST_F(StdoutSinkTest, WritesEachNonDroppedEventAsOneJsonLineThenAcknowledges) {
  std::unique_ptr<Sink> sink = MakeStdoutSinkForFd(fds_[1], ctx_);
  ASSERT_TRUE(sink->Start().ok());
  Submit(*sink, 0, 5, [](int i) { return i == 2; });
  Submit(*sink, 5, 2);
  EXPECT_EQ(tracker_.in_flight(), 0u);
  EXPECT_EQ(tracker_.rejected_batches(), 0u);
  EXPECT_EQ(pool_.in_use(), 0u);
  EXPECT_EQ(ReadNumbers(6), (std::vector<int64_t>{0, 1, 3, 4, 5, 6}));
  EXPECT_TRUE(sink->Stop(0).ok());
}

TEST_F(StdoutSinkTest, ABrokenPipeRejectsTheBatch) {
  std::signal(SIGPIPE, SIG_IGN);
  ::close(fds_[0]);
  fds_[0] = -1;
  std::unique_ptr<Sink> sink = MakeStdoutSinkForFd(fds_[1], ctx_);
  ASSERT_TRUE(sink->Start().ok());
  Submit(*sink, 0, 3);
  EXPECT_EQ(tracker_.in_flight(), 0u);
  EXPECT_EQ(tracker_.rejected_batches(), 1u);
  EXPECT_TRUE(sink->Stop(0).ok());
}

TEST_F(StdoutSinkTest, FactoryAcceptsTypeAndWhenAndRejectsUnknownKeys) {
  Result<ConfigNode> good = ConfigNode::Parse("type: stdout\nwhen: later\n", "pipeline.yaml");
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(MakeStdoutSink(*good, ctx_).ok()) << errors_.ToString();
  Result<ConfigNode> bad = ConfigNode::Parse("type: stdout\ncolour: blue\n", "pipeline.yaml");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(MakeStdoutSink(*bad, ctx_).ok());
  EXPECT_NE(errors_.ToString().find("pipeline.yaml:2:"), std::string::npos) << errors_.ToString();
}

TEST(BuiltinSinksTest, RegistersSpoolAndStdout) {
  Registry registry;
  RegisterBuiltinSinks(registry);
  EXPECT_NE(registry.FindSink("spool"), nullptr);
  EXPECT_NE(registry.FindSink("stdout"), nullptr);
}

}  // namespace
}  // namespace logship
