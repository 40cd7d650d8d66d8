// SPDX-License-Identifier: Apache-2.0
#include "src/metrics/metrics_registry.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "src/base/check.h"

namespace logship {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0) sum_nano_.fetch_add(static_cast<uint64_t>(v * 1e9), std::memory_order_relaxed);
}

struct MetricsRegistry::Series {
  Labels labels;
  std::unique_ptr<logship::Counter> counter;
  std::unique_ptr<logship::Gauge> gauge;
  std::unique_ptr<logship::Histogram> histogram;
};

struct MetricsRegistry::Family {
  std::string help;
  char kind;  // 'c'ounter, 'g'auge, 'h'istogram
  std::vector<std::unique_ptr<Series>> series;
};

namespace {

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

std::string LabelText(const Labels& labels, const std::pair<std::string, std::string>* extra) {
  if (labels.empty() && extra == nullptr) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    out += MetricsRegistry::EscapeLabelValue(v);
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (extra != nullptr) add(extra->first, extra->second);
  out += '}';
  return out;
}

const char* KindName(char kind) {
  return kind == 'c' ? "counter" : kind == 'g' ? "gauge" : "histogram";
}

// Collected during a scrape: families in name order, each with its lines.
class Collected final : public ScrapeWriter {
 public:
  struct Fam {
    std::string help;
    char kind;
    std::string lines;
  };
  void Gauge(std::string_view name, std::string_view help, const Labels& labels,
             double value) override {
    Add(name, help, 'g', labels, value);
  }
  void Counter(std::string_view name, std::string_view help, const Labels& labels,
               double value) override {
    Add(name, help, 'c', labels, value);
  }
  std::map<std::string, Fam, std::less<>> families;

 private:
  void Add(std::string_view name, std::string_view help, char kind, const Labels& labels,
           double value) {
    auto [it, inserted] = families.try_emplace(std::string(name), Fam{std::string(help), kind, ""});
    it->second.lines +=
        std::string(name) + LabelText(labels, nullptr) + " " + FormatValue(value) + "\n";
  }
};

}  // namespace

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

std::string MetricsRegistry::EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(std::string_view name, std::string_view help,
                                                    char kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->help = std::string(help);
    f->kind = kind;
    it = families_.emplace(std::string(name), std::move(f)).first;
  }
  LOGSHIP_CHECK(it->second->kind == kind) << "metric '" << name << "' used with two kinds";
  return *it->second;
}

MetricsRegistry::Series& MetricsRegistry::SeriesFor(std::string_view name, std::string_view help,
                                                    char kind, const Labels& labels) {
  Family& f = FamilyFor(name, help, kind);
  for (auto& s : f.series) {
    if (s->labels == labels) return *s;
  }
  f.series.push_back(std::make_unique<Series>());
  f.series.back()->labels = labels;
  return *f.series.back();
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = SeriesFor(name, help, 'c', labels);
  if (!s.counter) s.counter = std::make_unique<logship::Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = SeriesFor(name, help, 'g', labels);
  if (!s.gauge) s.gauge = std::make_unique<logship::Gauge>();
  return *s.gauge;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const std::vector<double>& upper_bounds,
                                         const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = SeriesFor(name, help, 'h', labels);
  if (!s.histogram) s.histogram = std::make_unique<logship::Histogram>(upper_bounds);
  return *s.histogram;
}

int MetricsRegistry::AddCollector(Collector collector) {
  std::lock_guard<std::mutex> lock(mu_);
  int id = next_collector_++;
  collectors_.emplace(id, std::move(collector));
  return id;
}

void MetricsRegistry::RemoveCollector(int id) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.erase(id);
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  Collected collected;
  for (const auto& [id, c] : collectors_) c(collected);
  // Instruments join the collected families so that each name is written once, in name order.
  for (const auto& [name, f] : families_) {
    auto [it, inserted] =
        collected.families.try_emplace(name, Collected::Fam{f->help, f->kind, ""});
    std::string& lines = it->second.lines;
    for (const auto& s : f->series) {
      if (f->kind == 'c') {
        lines +=
            name + LabelText(s->labels, nullptr) + " " + std::to_string(s->counter->value()) + "\n";
      } else if (f->kind == 'g') {
        lines +=
            name + LabelText(s->labels, nullptr) + " " + std::to_string(s->gauge->value()) + "\n";
      } else {
        const Histogram& h = *s->histogram;
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= h.upper_bounds().size(); ++i) {
          cumulative += h.bucket(i);
          std::pair<std::string, std::string> le{
              "le", i < h.upper_bounds().size() ? FormatValue(h.upper_bounds()[i]) : "+Inf"};
          lines += name + "_bucket" + LabelText(s->labels, &le) + " " + std::to_string(cumulative) +
                   "\n";
        }
        lines += name + "_sum" + LabelText(s->labels, nullptr) + " " + FormatValue(h.sum()) + "\n";
        // The +Inf bucket's value, not h.count(): an Observe racing this scrape must not make
        // the two disagree.
        lines += name + "_count" + LabelText(s->labels, nullptr) + " " +
                 std::to_string(cumulative) + "\n";
      }
    }
  }
  std::string out;
  for (const auto& [name, f] : collected.families) {
    if (f.lines.empty()) continue;
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + KindName(f.kind) + "\n";
    out += f.lines;
  }
  return out;
}

}  // namespace logship
