// SPDX-License-Identifier: Apache-2.0
// A real logship process samples this machine's host metrics into a spool: every metricset's
// events carry exactly the documented field names (the contract with Metricbeat's system module
// and Kibana), the pipeline's stages apply to them where their `when:` lets them, and
// add_host_metadata's fields are there. The shipped example pipelines/host_metrics.yaml runs as
// it is; its metric values change from run to run, so it is checked by field names and counts
// rather than against an expected file (tests/integration/example_pipelines_test.cc compares the
// examples whose output is deterministic).

#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/testing/logship_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {
namespace {

// The fields every metric event has, besides host.* (host.name and add_host_metadata's).
const std::set<std::string> kCommon = {"@timestamp",   "metricset.name", "metricset.period",
                                       "event.module", "event.dataset",  "service.type"};

// The documented fields of each metricset (README "type: host_metrics input").
std::set<std::string> Documented(const std::string& metricset) {
  std::set<std::string> keys;
  auto add = [&](const std::string& prefix, std::initializer_list<const char*> names) {
    for (const char* n : names) keys.insert(prefix + n);
  };
  const auto states = {"user", "nice",    "system", "idle", "iowait",
                       "irq",  "softirq", "steal",  "total"};
  if (metricset == "cpu") {
    keys.insert("system.cpu.cores");
    keys.insert("host.cpu.usage");
    for (const char* s : states) {
      keys.insert(std::string("system.cpu.") + s + ".pct");
      keys.insert(std::string("system.cpu.") + s + ".norm.pct");
    }
  } else if (metricset == "core") {
    keys.insert("system.core.id");
    for (const char* s : states) keys.insert(std::string("system.core.") + s + ".pct");
  } else if (metricset == "load") {
    add("system.load.", {"1", "5", "15", "norm.1", "norm.5", "norm.15", "cores"});
  } else if (metricset == "memory") {
    add("system.memory.",
        {"total", "free", "used.bytes", "used.pct", "actual.free", "actual.used.bytes",
         "actual.used.pct", "swap.total", "swap.free", "swap.used.bytes", "swap.used.pct"});
  } else if (metricset == "filesystem") {
    add("system.filesystem.", {"device_name", "mount_point", "type", "total", "free", "available",
                               "used.bytes", "used.pct", "files", "free_files"});
  } else if (metricset == "diskio") {
    add("system.diskio.", {"name", "read.count", "read.bytes", "read.time", "write.count",
                           "write.bytes", "write.time", "io.time", "io.ops"});
  } else if (metricset == "network") {
    add("system.network.", {"name", "in.bytes", "in.packets", "in.errors", "in.dropped",
                            "out.bytes", "out.packets", "out.errors", "out.dropped"});
  } else if (metricset == "uptime") {
    keys.insert("system.uptime.duration.ms");
  }
  keys.insert(kCommon.begin(), kCommon.end());
  return keys;
}

// One event, its leaves flattened to dotted keys with their JSON text.
using Flat = std::map<std::string, std::string>;

void FlattenInto(simdjson::dom::element e, const std::string& prefix, Flat& out) {
  if (e.type() == simdjson::dom::element_type::OBJECT) {
    for (simdjson::dom::key_value_pair kv : e.get_object()) {
      FlattenInto(kv.value,
                  prefix.empty() ? std::string(kv.key) : prefix + "." + std::string(kv.key), out);
    }
    return;
  }
  std::string text = simdjson::minify(e);
  if (e.type() == simdjson::dom::element_type::STRING) {
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS) text = std::string(s);
  }
  out[prefix] = text;
}

std::vector<Flat> ReadEvents(const std::string& dir) {
  std::vector<Flat> events;
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
    if (f.path().extension() == ".ndjson") files.push_back(f.path().string());
  }
  std::sort(files.begin(), files.end());
  simdjson::dom::parser parser;
  for (const std::string& f : files) {
    std::string text = ReadFileOrEmpty(f);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) break;  // a line still being written
      simdjson::padded_string line(std::string_view(text).substr(pos, nl - pos));
      pos = nl + 1;
      simdjson::dom::element root;
      if (parser.parse(line).get(root) != simdjson::SUCCESS) {
        ADD_FAILURE() << "not JSON: " << std::string_view(line);
        continue;
      }
      Flat flat;
      FlattenInto(root, "", flat);
      events.push_back(std::move(flat));
    }
  }
  return events;
}

std::set<std::string> MetricKeys(const Flat& e) {
  std::set<std::string> keys;
  for (const auto& [k, v] : e) {
    // host.* comes from the pipeline and add_host_metadata, labels.* from the test's stage.
    bool added = k.rfind("host.", 0) == 0 || k.rfind("labels.", 0) == 0;
    if (!added || k == "host.cpu.usage") keys.insert(k);
  }
  return keys;
}

size_t CountOf(const std::vector<Flat>& events, const std::string& metricset) {
  size_t n = 0;
  for (const Flat& e : events) {
    auto it = e.find("metricset.name");
    n += it != e.end() && it->second == metricset;
  }
  return n;
}

// Every event of a metricset has exactly the documented fields, and add_host_metadata's.
void CheckFields(const std::vector<Flat>& events) {
  for (const Flat& e : events) {
    auto m = e.find("metricset.name");
    if (m == e.end()) continue;  // a log line
    EXPECT_EQ(MetricKeys(e), Documented(m->second)) << m->second;
    EXPECT_EQ(e.at("event.module"), "system");
    EXPECT_EQ(e.at("event.dataset"), "system." + m->second);
    for (const char* f : {"host.name", "host.hostname", "host.architecture", "host.os.type",
                          "host.os.kernel", "host.os.name", "host.os.family"}) {
      ASSERT_TRUE(e.count(f)) << f << " in " << m->second;
      EXPECT_FALSE(e.at(f).empty()) << f;
    }
  }
}

TEST(HostMetricsIntegrationTest, EveryMetricsetReachesTheSpoolWithTheDocumentedFields) {
  TempDir dir;
  std::string pipeline = dir.Sub("p.yaml");
  WriteFile(pipeline,
            "data_dir: ./data\n"
            "pipelines:\n"
            "  host:\n"
            "    inputs:\n"
            "      - type: host_metrics\n"
            "        interval: 100ms\n"
            "        cpu: {per_core: true}\n"
            "    stages:\n"
            "      - type: add_host_metadata\n"
            "      - type: add_fields\n"
            "        fields: {labels.busy: \"{{system.cpu.total.norm.pct}}\"}\n"
            "        when: {field: metricset.name, equals: cpu}\n"
            "    sinks:\n"
            "      - type: spool\n"
            "        path: ./out\n");
  LogshipProcess logship({"run", pipeline}, dir.path());
  std::vector<Flat> events;
  ASSERT_TRUE(WaitUntil(
      [&] {
        events = ReadEvents(dir.Sub("out"));
        for (const char* m : {"cpu", "core", "load", "memory", "filesystem", "network", "uptime"}) {
          if (CountOf(events, m) < 2) return false;
        }
        return true;
      },
      std::chrono::seconds(60)))
      << logship.Stderr();
  logship.Signal(SIGTERM);
  std::optional<int> code = logship.Wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << logship.Stderr();
  events = ReadEvents(dir.Sub("out"));
  CheckFields(events);
  // The stage's `when:` let only the cpu events through, and it saw their fields.
  for (const Flat& e : events) {
    bool cpu = e.at("metricset.name") == "cpu";
    EXPECT_EQ(e.count("labels.busy"), cpu ? 1u : 0u) << e.at("metricset.name");
    if (cpu) {
      EXPECT_EQ(e.at("labels.busy"), e.at("system.cpu.total.norm.pct"));
    }
  }
  // Samples come one interval apart; the counter-based ones start with the second.
  EXPECT_GE(CountOf(events, "load"), CountOf(events, "cpu"));
}

TEST(HostMetricsIntegrationTest, TheShippedExampleRunsAsItIs) {
  TempDir dir;
  // The example writes under build/ by default; these move its state into the test's directory.
  ::setenv("LOGSHIP_DATA_DIR", dir.Sub("data").c_str(), 1);
  ::setenv("LOGSHIP_SPOOL_DIR", dir.Sub("out").c_str(), 1);
  std::string pipeline = std::string(LOGSHIP_SOURCE_DIR) + "/pipelines/host_metrics.yaml";
  RunResult validate = RunLogship({"validate", pipeline}, dir.path());
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  RunResult run = RunLogship({"run", "--once", "--no-progress", pipeline}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::vector<Flat> metrics = ReadEvents(dir.Sub("out/metrics"));
  std::vector<Flat> all = ReadEvents(dir.Sub("out/all"));
  // --once: one snapshot of the gauges; cpu, diskio and network need a second sample.
  EXPECT_EQ(CountOf(metrics, "load"), 1u);
  EXPECT_EQ(CountOf(metrics, "memory"), 1u);
  EXPECT_EQ(CountOf(metrics, "uptime"), 1u);
  EXPECT_GE(CountOf(metrics, "filesystem"), 1u);
  EXPECT_EQ(CountOf(metrics, "cpu") + CountOf(metrics, "diskio") + CountOf(metrics, "network"), 0u);
  CheckFields(metrics);
  // Everything: the samples plus every line of the sample log, parsed by the json stage, all with
  // the host's description.
  std::string log = ReadFileOrEmpty(std::string(LOGSHIP_SOURCE_DIR) + "/pipelines/sample/app.log");
  size_t lines = static_cast<size_t>(std::count(log.begin(), log.end(), '\n'));
  ASSERT_EQ(all.size(), metrics.size() + lines);
  size_t parsed = 0;
  for (const Flat& e : all) {
    EXPECT_TRUE(e.count("host.os.type")) << "add_host_metadata applies to every event";
    if (e.count("metricset.name") == 0) parsed += e.count("ts") + e.count("error.type") > 0;
  }
  EXPECT_EQ(parsed, lines);

  // Again: the log's checkpoint covers every line, so only a new snapshot is added.
  RunResult again = RunLogship({"run", "--once", "--no-progress", pipeline}, dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(ReadEvents(dir.Sub("out/all")).size(), all.size() + metrics.size());
  ::unsetenv("LOGSHIP_DATA_DIR");
  ::unsetenv("LOGSHIP_SPOOL_DIR");
}

}  // namespace
}  // namespace logship::testing
