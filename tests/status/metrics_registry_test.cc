// SPDX-License-Identifier: Apache-2.0
#include "src/metrics/metrics_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "src/metrics/process_collector.h"
#include "tests/status/http_get.h"
#include "tests/status/promtool.h"

namespace logship {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsRegistryTest, RendersCountersGaugesAndOneHeaderPerFamily) {
  MetricsRegistry r;
  r.GetCounter("logship_events_out_total", "Events out.", {{"pipeline", "a"}, {"sink", "kafka"}})
      .Add(5);
  r.GetCounter("logship_events_out_total", "Events out.", {{"pipeline", "b"}, {"sink", "spool"}})
      .Add(7);
  r.GetGauge("logship_sink_queue_batches", "Queue.", {{"pipeline", "a"}}).Set(3);
  std::string text = r.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# HELP logship_events_out_total Events out.\n"
                              "# TYPE logship_events_out_total counter\n"
                              "logship_events_out_total{pipeline=\"a\",sink=\"kafka\"} 5\n"
                              "logship_events_out_total{pipeline=\"b\",sink=\"spool\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE logship_sink_queue_batches gauge\n"
                              "logship_sink_queue_batches{pipeline=\"a\"} 3\n"));
}

TEST(MetricsRegistryTest, SameNameAndLabelsIsTheSameInstrument) {
  MetricsRegistry r;
  Counter& a = r.GetCounter("x_total", "X.", {{"k", "v"}});
  Counter& b = r.GetCounter("x_total", "X.", {{"k", "v"}});
  Counter& c = r.GetCounter("x_total", "X.", {{"k", "w"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(MetricsRegistryTest, EscapesLabelValues) {
  EXPECT_EQ(MetricsRegistry::EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  MetricsRegistry r;
  r.GetGauge("g", "G.", {{"file", "/var/log/we\"ird\\name\n.log"}}).Set(1);
  std::string text = r.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("g{file=\"/var/log/we\\\"ird\\\\name\\n.log\"} 1\n"));
  testing::PromtoolResult check = testing::PromtoolCheckMetrics(text);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulativeAndCountMatchesInf) {
  MetricsRegistry r;
  Histogram& h = r.GetHistogram("lat_seconds", "Latency.", {0.1, 1}, {{"pipeline", "p"}});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(0.5);
  h.Observe(30);
  std::string text = r.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("lat_seconds_bucket{pipeline=\"p\",le=\"0.1\"} 1\n"
                              "lat_seconds_bucket{pipeline=\"p\",le=\"1\"} 3\n"
                              "lat_seconds_bucket{pipeline=\"p\",le=\"+Inf\"} 4\n"
                              "lat_seconds_sum{pipeline=\"p\"} 31.05\n"
                              "lat_seconds_count{pipeline=\"p\"} 4\n"));
}

TEST(MetricsRegistryTest, CollectorsJoinFamiliesAndCanBeRemoved) {
  MetricsRegistry r;
  r.GetCounter("logship_bytes_read_total", "Bytes.", {{"input", "a"}}).Add(1);
  int id = r.AddCollector([](ScrapeWriter& w) {
    w.Counter("logship_bytes_read_total", "Bytes.", {{"input", "b"}}, 10);
    w.Gauge("logship_checkpoint_lag_bytes", "Lag.", {{"file", "/x"}}, 42);
  });
  std::string text = r.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("logship_bytes_read_total{input=\"b\"} 10\n"));
  EXPECT_THAT(text, HasSubstr("logship_bytes_read_total{input=\"a\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("logship_checkpoint_lag_bytes{file=\"/x\"} 42\n"));
  size_t first = text.find("# TYPE logship_bytes_read_total");
  EXPECT_EQ(text.find("# TYPE logship_bytes_read_total", first + 1), std::string::npos)
      << "one TYPE line per family";
  r.RemoveCollector(id);
  EXPECT_THAT(r.RenderPrometheus(), Not(HasSubstr("logship_checkpoint_lag_bytes")));
}

TEST(MetricsRegistryTest, ProcessCollectorReportsThisProcess) {
  MetricsRegistry r;
  AddProcessCollector(r);
  std::string text = r.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_THAT(text, HasSubstr("process_resident_memory_bytes "));
  EXPECT_THAT(text, HasSubstr("process_open_fds "));
  EXPECT_GT(testing::MetricValue(text, "process_resident_memory_bytes"), 1e6)
      << "a running test binary holds more than a megabyte";
  testing::PromtoolResult check = testing::PromtoolCheckMetrics(text);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(MetricsRegistryTest, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry r;
  Counter& c = r.GetCounter("c_total", "C.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) c.Add();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 400000u);
}

}  // namespace
}  // namespace logship
