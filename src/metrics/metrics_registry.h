// SPDX-License-Identifier: Apache-2.0
#pragma once

// MetricsRegistry owns every instrument of the process and renders them in the Prometheus text
// exposition format (version 0.0.4) for /metrics. Instruments are grouped in families by name
// (one HELP and TYPE line each) and told apart by labels. Values that only exist at scrape time
// (a file's checkpoint lag, the process's RSS) come from collectors called during the scrape.
// Thread-safe: creating instruments and scraping take a mutex; updating an instrument does not.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/thread_annotations.h"
#include "src/metrics/metrics.h"

namespace logship {

using Labels = std::vector<std::pair<std::string, std::string>>;

// What a collector writes into during a scrape.
class ScrapeWriter {
 public:
  virtual ~ScrapeWriter() = default;
  virtual void Gauge(std::string_view name, std::string_view help, const Labels& labels,
                     double value) = 0;
  virtual void Counter(std::string_view name, std::string_view help, const Labels& labels,
                       double value) = 0;
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The instrument `name` with `labels`, created on first use. REQUIRES: a name is used with one
  // kind only; names follow Prometheus conventions (base units, counters end in _total).
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& upper_bounds, const Labels& labels = {});

  using Collector = std::function<void(ScrapeWriter&)>;
  // Returns an id for RemoveCollector. The collector runs on the scraping thread.
  int AddCollector(Collector collector);
  void RemoveCollector(int id);

  std::string RenderPrometheus() const;

  // The Prometheus form of a label value: backslash, double quote and newline escaped.
  static std::string EscapeLabelValue(std::string_view v);

 private:
  struct Series;
  struct Family;
  Family& FamilyFor(std::string_view name, std::string_view help, char kind) LOGSHIP_REQUIRES(mu_);
  // The series of `name` with `labels`, created empty on first use.
  Series& SeriesFor(std::string_view name, std::string_view help, char kind, const Labels& labels)
      LOGSHIP_REQUIRES(mu_);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_ LOGSHIP_GUARDED_BY(mu_);
  std::map<int, Collector> collectors_ LOGSHIP_GUARDED_BY(mu_);
  int next_collector_ LOGSHIP_GUARDED_BY(mu_) = 1;
};

}  // namespace logship
