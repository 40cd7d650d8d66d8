// SPDX-License-Identifier: Apache-2.0
#include "src/status/status_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/metrics/sink_stats.h"
#include "tests/status/http_get.h"

namespace logship {
namespace {

using ::testing::HasSubstr;
using testing::HttpGet;

class StatusServerTest : public ::testing::Test {
 protected:
  StatusServerTest()
      : stats_(MakeSinkStats(metrics_, "app", "kafka", &health_)), server_(metrics_, [this] {
          AgentStatus s;
          s.state = "running";
          PipelineStatus p;
          p.name = "app";
          p.sinks.push_back({"kafka", "kafka", health_.snapshot(), stats_.events_out->value()});
          s.pipelines.push_back(p);
          return s;
        }) {}
  void SetUp() override {
    Status st = server_.Start("127.0.0.1", 0);
    ASSERT_TRUE(st.ok()) << st.ToString();
    url_ = "http://127.0.0.1:" + std::to_string(server_.port());
  }

  MetricsRegistry metrics_;
  SinkHealth health_;
  SinkStats stats_;
  StatusServer server_;
  std::string url_;
};

TEST_F(StatusServerTest, ServesMetricsInTheExpositionFormat) {
  stats_.events_out->Add(12);
  testing::HttpReply r = HttpGet(url_, "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(r.body, HasSubstr("logship_events_out_total{pipeline=\"app\",sink=\"kafka\"} 12\n"));
}

TEST_F(StatusServerTest, HealthFlipsTo503WhileASinkFailsAndBack) {
  EXPECT_EQ(HttpGet(url_, "/health").status, 200);
  health_.Failing("kafka: all brokers are down", 1);
  testing::HttpReply r = HttpGet(url_, "/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("all brokers are down"));
  EXPECT_THAT(r.body, HasSubstr("\"id\":\"kafka\""));
  health_.Delivered(2);
  r = HttpGet(url_, "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n");
}

TEST_F(StatusServerTest, ServesStatusAndNothingElse) {
  testing::HttpReply r = HttpGet(url_, "/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, HasSubstr("application/json"));
  EXPECT_THAT(r.body, HasSubstr("\"state\":\"running\""));
  EXPECT_EQ(HttpGet(url_, "/nope").status, 404);
}

TEST_F(StatusServerTest, AnAddressInUseIsAnErrorNamingIt) {
  MetricsRegistry other;
  StatusServer second(other, [] { return AgentStatus{}; });
  Status st = second.Start("127.0.0.1", server_.port());
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.ToString(), HasSubstr("127.0.0.1:" + std::to_string(server_.port())));
  EXPECT_THAT(st.ToString(), HasSubstr("http.listen"));
}

}  // namespace
}  // namespace logship
