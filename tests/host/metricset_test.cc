// SPDX-License-Identifier: Apache-2.0
// The metricset readers against synthetic /proc trees (tests/data/proc/t0, t1, t2: see its
// README), where every delta and fraction is known exactly, and against this machine's /proc,
// where values must stay within physical bounds.

#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "src/host/counter_table.h"
#include "src/host/metricset.h"
#include "src/host/proc_file.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using testing::TempDir;
using testing::WriteFile;

// One event as a reader wrote it.
struct MetricEvent {
  std::string metricset;
  std::map<std::string, int64_t> ints;
  std::map<std::string, double> doubles;
  std::map<std::string, std::string> strings;

  bool Has(const std::string& key) const {
    return ints.count(key) + doubles.count(key) + strings.count(key) > 0;
  }
};

class CollectingSink final : public MetricEventSink {
 public:
  void Begin(const MetricsetId& metricset) override {
    events.push_back(MetricEvent{std::string(metricset.name), {}, {}, {}});
  }
  void AddInt(std::string_view key, int64_t value) override {
    Current().ints[std::string(key)] = value;
  }
  void AddDouble(std::string_view key, double value) override {
    Current().doubles[std::string(key)] = value;
  }
  void AddString(std::string_view key, std::string_view value) override {
    Current().strings[std::string(key)] = std::string(value);
  }
  // The events of `metricset` whose string field `key` is `value` (or all of that metricset).
  std::vector<MetricEvent> Of(const std::string& metricset) const {
    std::vector<MetricEvent> out;
    for (const MetricEvent& e : events) {
      if (e.metricset == metricset) out.push_back(e);
    }
    return out;
  }
  const MetricEvent* Named(const std::string& metricset, const std::string& key,
                           const std::string& value) const {
    for (const MetricEvent& e : events) {
      auto it = e.strings.find(key);
      if (e.metricset == metricset && it != e.strings.end() && it->second == value) return &e;
    }
    return nullptr;
  }
  std::vector<MetricEvent> events;

 private:
  MetricEvent& Current() {
    EXPECT_FALSE(events.empty()) << "a field before Begin()";
    if (events.empty()) events.emplace_back();
    return events.back();
  }
};

// A proc root in a temp dir, filled from a snapshot of tests/data/proc.
class ProcTree {
 public:
  ProcTree() { ctx.proc_root = dir_.Sub("proc"); }
  void Load(const std::string& snapshot) {
    std::filesystem::copy(std::string(LOGSHIP_SOURCE_DIR) + "/tests/data/proc/" + snapshot,
                          ctx.proc_root,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
  }
  void Write(const std::string& name, const std::string& content) {
    std::filesystem::create_directories(
        std::filesystem::path(ctx.proc_root + "/" + name).parent_path());
    WriteFile(ctx.proc_root + "/" + name, content);
  }
  // Samples `reader` on snapshot `snapshot`; returns what it emitted.
  CollectingSink Sample(MetricsetReader& reader, const std::string& snapshot) {
    Load(snapshot);
    return SampleNow(reader);
  }
  CollectingSink SampleNow(MetricsetReader& reader) {
    CollectingSink sink;
    Status st = reader.Sample(ctx, sink);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return sink;
  }
  std::string dir(const std::string& name) const { return dir_.Sub(name); }

  SampleContext ctx;

 private:
  TempDir dir_;
};

TEST(CpuReaderTest, FirstSampleEmitsNothing) {
  ProcTree proc;
  auto reader = NewCpuReader({.per_core = true});
  EXPECT_TRUE(proc.Sample(*reader, "t0").events.empty());
}

TEST(CpuReaderTest, FractionsAreTheTickDeltasExactly) {
  ProcTree proc;
  auto reader = NewCpuReader({});
  proc.Sample(*reader, "t0");
  CollectingSink s = proc.Sample(*reader, "t1");
  ASSERT_EQ(s.events.size(), 1u);
  const MetricEvent& e = s.events[0];
  EXPECT_EQ(e.metricset, "cpu");
  EXPECT_EQ(e.ints.at("system.cpu.cores"), 2);
  // 1000 ticks passed: 400 user, 100 system, 400 idle, 50 iowait, 25 softirq, 25 steal.
  std::map<std::string, double> norm = {{"user", 0.4},    {"system", 0.1},    {"idle", 0.4},
                                        {"iowait", 0.05}, {"softirq", 0.025}, {"steal", 0.025},
                                        {"nice", 0.0},    {"irq", 0.0},       {"total", 0.55}};
  for (const auto& [state, fraction] : norm) {
    EXPECT_DOUBLE_EQ(e.doubles.at("system.cpu." + state + ".norm.pct"), fraction) << state;
    // Metricbeat's .pct counts every CPU: 0..cores.
    EXPECT_DOUBLE_EQ(e.doubles.at("system.cpu." + state + ".pct"), fraction * 2) << state;
  }
  EXPECT_DOUBLE_EQ(e.doubles.at("host.cpu.usage"), 0.55);
}

TEST(CpuReaderTest, PerCoreEventsHoldEachCoresFractions) {
  ProcTree proc;
  auto reader = NewCpuReader({.per_core = true});
  proc.Sample(*reader, "t0");
  CollectingSink s = proc.Sample(*reader, "t1");
  std::vector<MetricEvent> cores = s.Of("core");
  ASSERT_EQ(cores.size(), 2u);
  EXPECT_EQ(s.Of("cpu").size(), 1u);
  EXPECT_EQ(cores[0].ints.at("system.core.id"), 0);
  EXPECT_DOUBLE_EQ(cores[0].doubles.at("system.core.user.pct"), 0.6);
  EXPECT_DOUBLE_EQ(cores[0].doubles.at("system.core.system.pct"), 0.2);
  EXPECT_DOUBLE_EQ(cores[0].doubles.at("system.core.idle.pct"), 0.2);
  EXPECT_DOUBLE_EQ(cores[0].doubles.at("system.core.total.pct"), 0.8);
  EXPECT_EQ(cores[1].ints.at("system.core.id"), 1);
  EXPECT_DOUBLE_EQ(cores[1].doubles.at("system.core.user.pct"), 0.2);
  EXPECT_DOUBLE_EQ(cores[1].doubles.at("system.core.idle.pct"), 0.6);
  EXPECT_DOUBLE_EQ(cores[1].doubles.at("system.core.iowait.pct"), 0.1);
  EXPECT_DOUBLE_EQ(cores[1].doubles.at("system.core.steal.pct"), 0.05);
  EXPECT_DOUBLE_EQ(cores[1].doubles.at("system.core.total.pct"), 0.3);
}

TEST(CpuReaderTest, CountersThatWentBackwardsGiveNoEventThenStartAgain) {
  ProcTree proc;
  auto reader = NewCpuReader({.per_core = true});
  proc.Sample(*reader, "t1");
  EXPECT_TRUE(proc.Sample(*reader, "t2").events.empty()) << "t2's counters are below t1's";
  // t2 is the new baseline: from it to t0 every state grew tenfold minus its t2 value.
  CollectingSink s = proc.Sample(*reader, "t0");
  ASSERT_EQ(s.Of("cpu").size(), 1u);
  EXPECT_EQ(s.Of("core").size(), 2u);
  for (const MetricEvent& e : s.events) {
    for (const auto& [key, v] : e.doubles) EXPECT_GE(v, 0.0) << key;
  }
  // t2 -> t0: user 900 of 9000 ticks.
  EXPECT_DOUBLE_EQ(s.Of("cpu")[0].doubles.at("system.cpu.user.norm.pct"), 0.1);
}

TEST(CpuReaderTest, IowaitGoingBackwardsCountsAsZeroNotNegative) {
  // proc(5): "the iowait value ... may decrease". The sample stays; that state counts 0.
  ProcTree proc;
  auto reader = NewCpuReader({});
  proc.Write("stat", "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 100 0 100 700 100 0 0 0 0 0\n");
  proc.SampleNow(*reader);
  proc.Write("stat", "cpu  200 0 200 1200 90 0 0 0 0 0\ncpu0 200 0 200 1200 90 0 0 0 0 0\n");
  CollectingSink s = proc.SampleNow(*reader);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_DOUBLE_EQ(s.events[0].doubles.at("system.cpu.iowait.norm.pct"), 0.0);
  // 100 user, 100 system and 500 idle ticks: iowait's -10 does not shrink the interval.
  EXPECT_DOUBLE_EQ(s.events[0].doubles.at("system.cpu.user.norm.pct"), 0.1429);
  EXPECT_DOUBLE_EQ(s.events[0].doubles.at("system.cpu.idle.norm.pct"), 0.7143);
}

TEST(CpuReaderTest, MalformedStatIsAnErrorNamingTheFile) {
  ProcTree proc;
  auto reader = NewCpuReader({});
  proc.Write("stat", "cpu  1 2 x\n");
  CollectingSink sink;
  Status st = reader->Sample(proc.ctx, sink);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(proc.ctx.proc_root + "/stat"), std::string_view::npos)
      << st.message();
  proc.Write("stat", "intr 1 2 3\n");
  st = reader->Sample(proc.ctx, sink);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(sink.events.empty());
}

TEST(LoadReaderTest, LoadAveragesAndTheirNormalisationByCores) {
  ProcTree proc;
  auto reader = NewLoadReader();
  CollectingSink s = proc.Sample(*reader, "t0");
  ASSERT_EQ(s.events.size(), 1u);
  const MetricEvent& e = s.events[0];
  EXPECT_EQ(e.metricset, "load");
  EXPECT_DOUBLE_EQ(e.doubles.at("system.load.1"), 1.5);
  EXPECT_DOUBLE_EQ(e.doubles.at("system.load.5"), 1.0);
  EXPECT_DOUBLE_EQ(e.doubles.at("system.load.15"), 0.5);
  EXPECT_DOUBLE_EQ(e.doubles.at("system.load.norm.1"), 0.75);
  EXPECT_DOUBLE_EQ(e.doubles.at("system.load.norm.5"), 0.5);
  EXPECT_DOUBLE_EQ(e.doubles.at("system.load.norm.15"), 0.25);
  EXPECT_EQ(e.ints.at("system.load.cores"), 2);
}

TEST(MemoryReaderTest, MetricbeatsMemoryAndSwapFigures) {
  ProcTree proc;
  auto reader = NewMemoryReader();
  CollectingSink s = proc.Sample(*reader, "t0");
  ASSERT_EQ(s.events.size(), 1u);
  const MetricEvent& e = s.events[0];
  const int64_t kKiB = 1024;
  EXPECT_EQ(e.ints.at("system.memory.total"), 8'000'000 * kKiB);
  EXPECT_EQ(e.ints.at("system.memory.free"), 2'000'000 * kKiB);
  EXPECT_EQ(e.ints.at("system.memory.used.bytes"), 6'000'000 * kKiB);
  EXPECT_DOUBLE_EQ(e.doubles.at("system.memory.used.pct"), 0.75);
  EXPECT_EQ(e.ints.at("system.memory.actual.free"), 6'000'000 * kKiB);  // MemAvailable
  EXPECT_EQ(e.ints.at("system.memory.actual.used.bytes"), 2'000'000 * kKiB);
  EXPECT_DOUBLE_EQ(e.doubles.at("system.memory.actual.used.pct"), 0.25);
  EXPECT_EQ(e.ints.at("system.memory.swap.total"), 1'000'000 * kKiB);
  EXPECT_EQ(e.ints.at("system.memory.swap.free"), 750'000 * kKiB);
  EXPECT_EQ(e.ints.at("system.memory.swap.used.bytes"), 250'000 * kKiB);
  EXPECT_DOUBLE_EQ(e.doubles.at("system.memory.swap.used.pct"), 0.25);
}

TEST(MemoryReaderTest, KernelsWithoutMemAvailableCountBuffersAndCacheAsFree) {
  ProcTree proc;
  auto reader = NewMemoryReader();
  proc.Write("meminfo",
             "MemTotal: 1000 kB\nMemFree: 200 kB\nBuffers: 100 kB\nCached: 300 kB\n"
             "SwapTotal: 0 kB\nSwapFree: 0 kB\n");
  CollectingSink s = proc.SampleNow(*reader);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].ints.at("system.memory.actual.free"), 600 * 1024);
  EXPECT_DOUBLE_EQ(s.events[0].doubles.at("system.memory.actual.used.pct"), 0.4);
  // No swap at all: nothing of it is used (not a division by zero).
  EXPECT_DOUBLE_EQ(s.events[0].doubles.at("system.memory.swap.used.pct"), 0.0);
}

TEST(UptimeReaderTest, MillisecondsSinceBoot) {
  ProcTree proc;
  auto reader = NewUptimeReader();
  CollectingSink s = proc.Sample(*reader, "t0");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].ints.at("system.uptime.duration.ms"), 12'345'670);
}

TEST(DiskioReaderTest, PerIntervalDeltasPerDevice) {
  ProcTree proc;
  auto reader = NewDiskioReader({});
  EXPECT_TRUE(proc.Sample(*reader, "t0").events.empty()) << "no previous sample";
  CollectingSink s = proc.Sample(*reader, "t1");
  const MetricEvent* sda = s.Named("diskio", "system.diskio.name", "sda");
  ASSERT_NE(sda, nullptr);
  EXPECT_EQ(sda->ints.at("system.diskio.read.count"), 100);
  EXPECT_EQ(sda->ints.at("system.diskio.read.bytes"), 2000 * 512);
  EXPECT_EQ(sda->ints.at("system.diskio.read.time"), 50);
  EXPECT_EQ(sda->ints.at("system.diskio.write.count"), 300);
  EXPECT_EQ(sda->ints.at("system.diskio.write.bytes"), 6000 * 512);
  EXPECT_EQ(sda->ints.at("system.diskio.write.time"), 100);
  EXPECT_EQ(sda->ints.at("system.diskio.io.time"), 200);
  EXPECT_EQ(sda->ints.at("system.diskio.io.ops"), 3);  // in flight at t1: a gauge
  // An idle device reports zeros: it did nothing during the interval.
  const MetricEvent* sda1 = s.Named("diskio", "system.diskio.name", "sda1");
  ASSERT_NE(sda1, nullptr);
  EXPECT_EQ(sda1->ints.at("system.diskio.read.count"), 0);
  EXPECT_EQ(s.Named("diskio", "system.diskio.name", "loop0"), nullptr) << "never used";
  EXPECT_EQ(s.Named("diskio", "system.diskio.name", "dm-0"), nullptr) << "went backwards";
  EXPECT_EQ(s.Named("diskio", "system.diskio.name", "nvme0n1"), nullptr) << "first seen";
  EXPECT_EQ(s.events.size(), 2u);

  // From t1 on, the re-created dm-0 and the new nvme0n1 have a baseline.
  s = proc.Sample(*reader, "t2");
  const MetricEvent* dm = s.Named("diskio", "system.diskio.name", "dm-0");
  ASSERT_NE(dm, nullptr);
  EXPECT_EQ(dm->ints.at("system.diskio.read.count"), 10);
  EXPECT_EQ(dm->ints.at("system.diskio.read.bytes"), 100 * 512);
  const MetricEvent* nvme = s.Named("diskio", "system.diskio.name", "nvme0n1");
  ASSERT_NE(nvme, nullptr);
  EXPECT_EQ(nvme->ints.at("system.diskio.write.count"), 10);
  for (const MetricEvent& e : s.events) {
    for (const auto& [key, v] : e.ints) EXPECT_GE(v, 0) << key;
  }
}

TEST(DiskioReaderTest, DevicePatternsChoose) {
  ProcTree proc;
  auto reader = NewDiskioReader({.devices = {"sd?"}});
  proc.Sample(*reader, "t0");
  CollectingSink s = proc.Sample(*reader, "t1");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].strings.at("system.diskio.name"), "sda");
}

TEST(NetworkReaderTest, PerIntervalDeltasPerInterface) {
  ProcTree proc;
  auto reader = NewNetworkReader({});
  EXPECT_TRUE(proc.Sample(*reader, "t0").events.empty()) << "no previous sample";
  CollectingSink s = proc.Sample(*reader, "t1");
  const MetricEvent* eth0 = s.Named("network", "system.network.name", "eth0");
  ASSERT_NE(eth0, nullptr);
  EXPECT_EQ(eth0->ints.at("system.network.in.bytes"), 60000);
  EXPECT_EQ(eth0->ints.at("system.network.in.packets"), 600);
  EXPECT_EQ(eth0->ints.at("system.network.in.errors"), 1);
  EXPECT_EQ(eth0->ints.at("system.network.in.dropped"), 2);
  EXPECT_EQ(eth0->ints.at("system.network.out.bytes"), 30000);
  EXPECT_EQ(eth0->ints.at("system.network.out.packets"), 300);
  EXPECT_EQ(eth0->ints.at("system.network.out.errors"), 2);
  EXPECT_EQ(eth0->ints.at("system.network.out.dropped"), 4);
  const MetricEvent* lo = s.Named("network", "system.network.name", "lo");
  ASSERT_NE(lo, nullptr);
  EXPECT_EQ(lo->ints.at("system.network.in.bytes"), 500);
  EXPECT_EQ(s.Named("network", "system.network.name", "eth1"), nullptr) << "re-created";
  EXPECT_EQ(s.Named("network", "system.network.name", "veth9"), nullptr) << "first seen";
  EXPECT_EQ(s.events.size(), 2u);

  s = proc.Sample(*reader, "t2");
  const MetricEvent* eth1 = s.Named("network", "system.network.name", "eth1");
  ASSERT_NE(eth1, nullptr);
  EXPECT_EQ(eth1->ints.at("system.network.in.bytes"), 500);
  EXPECT_EQ(eth1->ints.at("system.network.out.packets"), 5);
  const MetricEvent* veth = s.Named("network", "system.network.name", "veth9");
  ASSERT_NE(veth, nullptr);
  EXPECT_EQ(veth->ints.at("system.network.in.bytes"), 200);
  EXPECT_EQ(s.Named("network", "system.network.name", "eth0")->ints.at("system.network.in.bytes"),
            0);
}

TEST(NetworkReaderTest, InterfacePatternsChoose) {
  ProcTree proc;
  auto reader = NewNetworkReader({.interfaces = {"eth*"}});
  proc.Sample(*reader, "t0");
  CollectingSink s = proc.Sample(*reader, "t1");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].strings.at("system.network.name"), "eth0");
}

TEST(NetworkReaderTest, AnInterfaceThatVanishesStartsAfreshWhenItReturns) {
  ProcTree proc;
  auto reader = NewNetworkReader({});
  const std::string header = "Inter-| Receive | Transmit\n face |bytes packets|bytes packets\n";
  auto line = [](const std::string& name, int bytes) {
    std::string b = std::to_string(bytes);
    return name + ": " + b + " 1 0 0 0 0 0 0 " + b + " 1 0 0 0 0 0 0\n";
  };
  proc.Write("net/dev", header + line("eth0", 100) + line("tun0", 1000));
  proc.SampleNow(*reader);
  proc.Write("net/dev", header + line("eth0", 200));
  EXPECT_EQ(proc.SampleNow(*reader).events.size(), 1u);
  // tun0 comes back with higher counters than before it vanished: still a new interface.
  proc.Write("net/dev", header + line("eth0", 300) + line("tun0", 5000));
  CollectingSink s = proc.SampleNow(*reader);
  EXPECT_EQ(s.Named("network", "system.network.name", "tun0"), nullptr);
  EXPECT_EQ(s.events.size(), 1u);
}

TEST(FilesystemReaderTest, RealMountsOnlyEachOnceSizedByStatvfs) {
  ProcTree proc;
  auto reader = NewFilesystemReader({});
  CollectingSink s = proc.Sample(*reader, "t0");
  // proc, sysfs, tmpfs and overlay are nodev; /does/not/exist cannot be examined; "/" is listed
  // twice (mounted over) and reported once.
  ASSERT_EQ(s.events.size(), 1u);
  const MetricEvent& e = s.events[0];
  EXPECT_EQ(e.strings.at("system.filesystem.mount_point"), "/");
  EXPECT_EQ(e.strings.at("system.filesystem.device_name"), "/dev/root");
  EXPECT_EQ(e.strings.at("system.filesystem.type"), "ext4");
  struct statvfs st;
  ASSERT_EQ(::statvfs("/", &st), 0);
  EXPECT_EQ(e.ints.at("system.filesystem.total"),
            static_cast<int64_t>(st.f_blocks) * static_cast<int64_t>(st.f_frsize));
  EXPECT_EQ(e.ints.at("system.filesystem.files"), static_cast<int64_t>(st.f_files));
  int64_t total = e.ints.at("system.filesystem.total");
  int64_t free = e.ints.at("system.filesystem.free");
  int64_t available = e.ints.at("system.filesystem.available");
  int64_t used = e.ints.at("system.filesystem.used.bytes");
  EXPECT_EQ(used, total - free);
  EXPECT_LE(available, free);
  EXPECT_LE(e.ints.at("system.filesystem.free_files"), e.ints.at("system.filesystem.files"));
  // df's Use%: used of what non-root users can have.
  EXPECT_NEAR(e.doubles.at("system.filesystem.used.pct"),
              static_cast<double>(used) / static_cast<double>(used + available), 0.0001);
}

TEST(FilesystemReaderTest, IgnoreTypesAndMountPatternsChoose) {
  ProcTree proc;
  proc.Load("t0");
  std::string spaced = proc.dir("with space");
  std::filesystem::create_directories(spaced);
  // The kernel escapes a space in a mount point as \040.
  std::string escaped = proc.dir("with\\040space");
  proc.Write("self/mounts",
             "tmpfs /dev/shm tmpfs rw 0 0\n/dev/root / ext4 rw 0 0\n"
             "/dev/sdb1 " +
                 escaped + " vfat rw 0 0\n");
  auto all = NewFilesystemReader({.mounts = {}, .ignore_types = std::vector<std::string>{}});
  CollectingSink s = proc.SampleNow(*all);
  ASSERT_EQ(s.events.size(), 3u) << "ignore_types: [] reports every type";
  EXPECT_NE(s.Named("filesystem", "system.filesystem.mount_point", spaced), nullptr);
  EXPECT_NE(s.Named("filesystem", "system.filesystem.type", "tmpfs"), nullptr);

  auto some = NewFilesystemReader({.mounts = {"/", "*space"}, .ignore_types = std::nullopt});
  s = proc.SampleNow(*some);
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].strings.at("system.filesystem.mount_point"), "/");
  EXPECT_EQ(s.events[1].strings.at("system.filesystem.mount_point"), spaced);

  auto not_vfat = NewFilesystemReader(
      {.mounts = {}, .ignore_types = std::vector<std::string>{"vfat", "tmpfs"}});
  s = proc.SampleNow(*not_vfat);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].strings.at("system.filesystem.mount_point"), "/");
}

TEST(CounterTableTest, DeltasBaselinesAndResets) {
  CounterTable<2> t;
  EXPECT_FALSE(t.Update("a", {10, 20}).has_value());
  t.Sweep();
  std::optional<CounterTable<2>::Counters> d = t.Update("a", {15, 20});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ((*d)[0], 5u);
  EXPECT_EQ((*d)[1], 0u);
  t.Sweep();
  EXPECT_FALSE(t.Update("a", {16, 19}).has_value()) << "one counter went backwards";
  t.Sweep();
  d = t.Update("a", {17, 21});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ((*d)[1], 2u) << "the reset values are the new baseline";
  t.Sweep();
  t.Sweep();  // "a" missed a sample: forgotten
  EXPECT_EQ(t.size(), 0u);
}

TEST(ProcFileTest, FieldsLinesAndEscapes) {
  FieldCursor f("  eth0 \t 12 x 1.5");
  EXPECT_EQ(f.Next(), "eth0");
  EXPECT_EQ(f.NextUint(), 12u);
  EXPECT_FALSE(f.NextUint().has_value());
  EXPECT_EQ(f.NextDouble(), 1.5);
  EXPECT_EQ(f.Next(), "");
  LineCursor l("a\nb\n\nc");
  EXPECT_EQ(l.Next(), "a");
  EXPECT_EQ(l.Next(), "b");
  EXPECT_EQ(l.Next(), "");
  EXPECT_EQ(l.Next(), "c");
  EXPECT_FALSE(l.Next().has_value());
  EXPECT_EQ(UnescapeMountField("/mnt/a\\040b\\011c\\134"), "/mnt/a b\tc\\");
  EXPECT_EQ(UnescapeMountField("/x\\04"), "/x\\04");
  EXPECT_EQ(CountCpus("cpu  1 2\ncpu0 1\ncpu1 2\ncpufreq\nintr 3\n"), 2);
  ProcFileReader r;
  Result<std::string_view> missing = r.Read("/nonexistent/stat");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("/nonexistent/stat"), std::string_view::npos);
}

// This machine's /proc: whatever the values, they must be physically possible.
TEST(RealProcTest, ValuesStayWithinPhysicalBounds) {
  SampleContext ctx;
  std::vector<std::unique_ptr<MetricsetReader>> readers;
  readers.push_back(NewCpuReader({.per_core = true}));
  readers.push_back(NewLoadReader());
  readers.push_back(NewMemoryReader());
  readers.push_back(NewFilesystemReader({}));
  readers.push_back(NewDiskioReader({}));
  readers.push_back(NewNetworkReader({}));
  readers.push_back(NewUptimeReader());
  CollectingSink first;
  for (auto& r : readers) ASSERT_TRUE(r->Sample(ctx, first).ok());
  // Sample until every CPU's counters moved (a tick is 10 ms), so the counter-based sets report.
  CollectingSink s;
  ASSERT_TRUE(testing::WaitUntil([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    s = CollectingSink();
    for (auto& r : readers) EXPECT_TRUE(r->Sample(ctx, s).ok());
    return !s.Of("cpu").empty() &&
           static_cast<int64_t>(s.Of("core").size()) == s.Of("cpu")[0].ints.at("system.cpu.cores");
  }));
  EXPECT_TRUE(first.Of("cpu").empty()) << "the first sample has no delta";
  for (const char* m : {"cpu", "core", "load", "memory", "filesystem", "network", "uptime"}) {
    EXPECT_FALSE(s.Of(m).empty()) << m;
  }
  const MetricEvent cpu = s.Of("cpu")[0];
  int64_t cores = cpu.ints.at("system.cpu.cores");
  EXPECT_GE(cores, 1);
  EXPECT_EQ(static_cast<int64_t>(s.Of("core").size()), cores);
  for (const MetricEvent& e : s.events) {
    for (const auto& [key, v] : e.doubles) {
      if (key.find(".norm.pct") != std::string::npos || key.rfind("system.core.", 0) == 0 ||
          key.rfind("system.memory.", 0) == 0 || key.rfind("system.filesystem.", 0) == 0 ||
          key == "host.cpu.usage") {
        EXPECT_GE(v, 0.0) << key;
        EXPECT_LE(v, 1.0) << key;
      } else if (key.rfind("system.cpu.", 0) == 0) {
        EXPECT_GE(v, 0.0) << key;
        EXPECT_LE(v, static_cast<double>(cores)) << key;
      } else {
        EXPECT_GE(v, 0.0) << key;  // load
      }
    }
    for (const auto& [key, v] : e.ints) EXPECT_GE(v, 0) << key << " (rates are never negative)";
  }
  const MetricEvent mem = s.Of("memory")[0];
  EXPECT_GT(mem.ints.at("system.memory.total"), 0);
  EXPECT_LE(mem.ints.at("system.memory.used.bytes"), mem.ints.at("system.memory.total"));
  EXPECT_LE(mem.ints.at("system.memory.actual.used.bytes"), mem.ints.at("system.memory.total"));
  EXPECT_LE(mem.ints.at("system.memory.swap.used.bytes"), mem.ints.at("system.memory.swap.total"));
  for (const MetricEvent& fs : s.Of("filesystem")) {
    EXPECT_LE(fs.ints.at("system.filesystem.used.bytes"), fs.ints.at("system.filesystem.total"));
    EXPECT_LE(fs.ints.at("system.filesystem.available"), fs.ints.at("system.filesystem.total"));
    EXPECT_FALSE(fs.strings.at("system.filesystem.mount_point").empty());
    EXPECT_NE(fs.strings.at("system.filesystem.type"), "proc");
    EXPECT_NE(fs.strings.at("system.filesystem.type"), "sysfs");
  }
  EXPECT_GT(s.Of("uptime")[0].ints.at("system.uptime.duration.ms"), 0);
}

}  // namespace
}  // namespace logship
