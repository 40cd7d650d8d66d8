// SPDX-License-Identifier: Apache-2.0
// The add_host_metadata stage: on this machine its fields are there and not empty; with a fake
// description and clock, the description is read once per refresh (never per event), a refresh
// never changes a batch already processed, `overwrite`, `netinfo` and `when:` behave, and a batch
// costs allocations per batch, not per event. Also os-release parsing and OS families.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parsers/add_host_metadata/add_host_metadata_stage.h"
#include "src/event/field_ref.h"
#include "src/event/json_writer.h"
#include "src/host/host_info.h"
#include "tests/testing/alloc/allocation_counter.h"
#include "tests/testing/canonical_json.h"
#include "tests/testing/stage_harness.h"

namespace logship {
namespace {

using testing::StageHarness;

class FakeClock final : public Clock {
 public:
  int64_t NowUnixNanos() override { return 1'795'515'330'000'000'000 + now_; }
  int64_t MonotonicNanos() override { return now_; }
  void Advance(Duration d) { now_ += d.nanos; }

 private:
  int64_t now_ = 1'000'000'000;
};

HostInfo SampleInfo(const std::string& version) {
  HostInfo h;
  h.name = "web-1";
  h.hostname = "web-1";
  h.architecture = "aarch64";
  h.os_type = "linux";
  h.os_family = "redhat";
  h.os_name = "Rocky Linux";
  h.os_version = version;
  h.os_platform = "rocky";
  h.os_kernel = "5.14.0-362.el9.aarch64";
  h.id = "0123456789abcdef0123456789abcdef";
  h.ips = {"10.1.2.3", "fe80::1"};
  h.macs = {"02-42-AC-11-00-02"};
  return h;
}

std::string Text(Batch& b, size_t i, const std::string& path) {
  std::string scratch;
  std::optional<std::string_view> v = GetFieldText(b, b.events()[i], FieldRef(path), scratch);
  return v ? std::string(*v) : std::string("<unset>");
}

std::string Json(const Batch& b, size_t i) {
  JsonWriter w;
  OutputBuffer out;
  w.WriteEvent(b, b.events()[i], out);
  return std::string(out.view());
}

TEST(AddHostMetadataTest, FieldsOfThisMachineArePresentAndNotEmpty) {
  StageHarness h;
  std::unique_ptr<Stage> stage = h.Build(&MakeAddHostMetadataStage, "type: add_host_metadata\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"one", "two"});
  stage->Process(b, EventSelection::All());
  for (size_t i = 0; i < 2; ++i) {
    for (const char* f :
         {"host.name", "host.hostname", "host.architecture", "host.os.type", "host.os.kernel",
          "host.os.name", "host.os.platform", "host.os.family", "host.os.version"}) {
      std::optional<std::string> v = h.Text(i, f);
      ASSERT_TRUE(v.has_value()) << f;
      EXPECT_FALSE(v->empty()) << f;
    }
  }
  EXPECT_EQ(h.Text(0, "host.os.type"), "linux");
  // Debian 12 here: ID=debian.
  EXPECT_EQ(h.Text(0, "host.os.family"), "debian");
  std::string json = h.Json(0);
  EXPECT_EQ(testing::CanonicalJson(json).rfind("INVALID", 0), std::string::npos) << json;
  EXPECT_EQ(json.find("\"host\":{", json.find("\"host\":{") + 1), std::string::npos)
      << "one host object: " << json;
  // Addresses, when the machine has any besides loopback, are an array of strings.
  if (json.find("\"ip\":") != std::string::npos) {
    EXPECT_NE(json.find("\"ip\":[\""), std::string::npos) << json;
    EXPECT_EQ(json.find("\"127.0.0.1\""), std::string::npos) << json;
  }
}

TEST(AddHostMetadataTest, ReadOncePerRefreshAndAProcessedBatchNeverChanges) {
  FakeClock clock;
  int reads = 0;
  std::string version = "9.2 (Blue Onyx)";
  auto stage = NewAddHostMetadataStage(
      AddHostMetadataOptions{Duration::Seconds(60), true, true},
      [&]() -> Result<HostInfo> {
        ++reads;
        return SampleInfo(version);
      },
      clock);
  StageHarness h1, h2;
  Batch& first = h1.Lines({"a", "b", "c"});
  stage->Process(first, EventSelection::All());
  EXPECT_EQ(reads, 1);
  for (int i = 0; i < 5; ++i) {
    clock.Advance(Duration::Seconds(10));
    stage->Process(h2.Lines({"x"}), EventSelection::All());
  }
  EXPECT_EQ(reads, 1) << "50 s < refresh";
  version = "9.3 (Blue Onyx)";
  clock.Advance(Duration::Seconds(11));
  Batch& later = h2.Lines({"y"});
  stage->Process(later, EventSelection::All());
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(Text(later, 0, "host.os.version"), "9.3 (Blue Onyx)");
  // The first batch (think: still queued at a sink) kept its own copy.
  EXPECT_EQ(Text(first, 2, "host.os.version"), "9.2 (Blue Onyx)");
  EXPECT_EQ(testing::CanonicalJson(Json(first, 0)),
            testing::CanonicalJson(
                R"({"@timestamp":"2026-11-24T10:15:30.000Z","message":"a",)"
                R"("log":{"file":{"path":"/var/log/test.log"},"offset":0},)"
                R"("host":{"name":"web-1","hostname":"web-1","architecture":"aarch64",)"
                R"("os":{"type":"linux","family":"redhat","name":"Rocky Linux",)"
                R"j("version":"9.2 (Blue Onyx)","platform":"rocky",)j"
                R"("kernel":"5.14.0-362.el9.aarch64"},)"
                R"("id":"0123456789abcdef0123456789abcdef","ip":["10.1.2.3","fe80::1"],)"
                R"("mac":["02-42-AC-11-00-02"]}})"));
}

TEST(AddHostMetadataTest, AFailedReadKeepsThePreviousDescription) {
  FakeClock clock;
  bool fail = false;
  auto stage = NewAddHostMetadataStage(
      AddHostMetadataOptions{Duration::Seconds(60), true, true},
      [&]() -> Result<HostInfo> {
        if (fail) return Status::IoError("uname", "test failure");
        return SampleInfo("9.2");
      },
      clock);
  StageHarness h;
  fail = true;
  Batch& none = h.Lines({"a"});
  stage->Process(none, EventSelection::All());
  EXPECT_EQ(Text(none, 0, "host.os.name"), "<unset>") << "nothing read yet, nothing added";
  fail = false;
  clock.Advance(Duration::Seconds(10));  // a first read that failed is retried soon
  Batch& got = h.Lines({"b"});
  stage->Process(got, EventSelection::All());
  EXPECT_EQ(Text(got, 0, "host.os.name"), "Rocky Linux");
  fail = true;
  clock.Advance(Duration::Seconds(61));
  Batch& kept = h.Lines({"c"});
  stage->Process(kept, EventSelection::All());
  EXPECT_EQ(Text(kept, 0, "host.os.name"), "Rocky Linux");
}

TEST(AddHostMetadataTest, OverwriteNetinfoAndWhen) {
  FakeClock clock;
  auto read = []() -> Result<HostInfo> { return SampleInfo("9.2"); };
  StageHarness h;
  Batch& b = h.Lines({"a", "b", "c"});
  FieldRef os_name("host.os.name");
  SetField(b, b.events()[0], os_name, Value::String("Custom OS"));
  SetField(b, b.events()[1], os_name, Value::String("Custom OS"));

  auto keep = NewAddHostMetadataStage(AddHostMetadataOptions{Duration::Seconds(60), false, false},
                                      read, clock);
  std::vector<uint8_t> marks = {1, 0, 1};  // `when:` selected events 0 and 2
  keep->Process(b, EventSelection(&marks));
  EXPECT_EQ(Text(b, 0, "host.os.name"), "Custom OS") << "overwrite: false";
  EXPECT_EQ(Text(b, 0, "host.os.platform"), "rocky") << "missing fields are still added";
  EXPECT_EQ(Text(b, 0, "host.name"), "test-host") << "the agent's own host.name stays";
  EXPECT_EQ(Text(b, 1, "host.os.platform"), "<unset>") << "not selected";
  EXPECT_EQ(Text(b, 2, "host.os.name"), "Rocky Linux");
  EXPECT_EQ(Text(b, 2, "host.ip"), "<unset>") << "netinfo: false";
  EXPECT_EQ(Text(b, 2, "host.mac"), "<unset>");

  auto replace = NewAddHostMetadataStage(AddHostMetadataOptions{Duration::Seconds(60), true, true},
                                         read, clock);
  replace->Process(b, EventSelection::All());
  EXPECT_EQ(Text(b, 0, "host.os.name"), "Rocky Linux") << "overwrite: true";
  EXPECT_EQ(Text(b, 1, "host.name"), "web-1");
  EXPECT_EQ(Text(b, 1, "host.ip"), R"(["10.1.2.3","fe80::1"])");
  // Replaced, not repeated: the JSON has each key once.
  EXPECT_EQ(testing::CanonicalJson(Json(b, 0)).rfind("INVALID", 0), std::string::npos)
      << Json(b, 0);
}

TEST(AddHostMetadataTest, SteadyStateAllocatesPerBatchNotPerEvent) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "no allocation counting here";
  FakeClock clock;
  auto stage = NewAddHostMetadataStage(
      AddHostMetadataOptions{Duration::Seconds(60), true, true},
      []() -> Result<HostInfo> { return SampleInfo("9.2"); }, clock);
  Batch b;
  b.host_name = "test-host";
  auto fill = [&] {
    b.Clear();
    for (int i = 0; i < 1000; ++i) {
      Event& e = b.AddEvent();
      e.message = b.arena().Copy("a line");
    }
  };
  for (int round = 0; round < 2; ++round) {  // warm up: the batch's vectors reach their size
    fill();
    stage->Process(b, EventSelection::All());
  }
  fill();
  testing::StartCountingAllocations();
  stage->Process(b, EventSelection::All());
  uint64_t allocations = testing::StopCountingAllocations();
  EXPECT_LE(allocations, 2u) << "1000 events";
  EXPECT_EQ(Text(b, 999, "host.os.kernel"), "5.14.0-362.el9.aarch64");
}

TEST(AddHostMetadataTest, Options) {
  StageHarness h;
  EXPECT_NE(h.Build(&MakeAddHostMetadataStage,
                    "type: add_host_metadata\nrefresh: 1m\nnetinfo: false\noverwrite: false\n"),
            nullptr)
      << h.ErrorText();
  EXPECT_EQ(h.Build(&MakeAddHostMetadataStage, "type: add_host_metadata\nrefresh: 10ms\n"),
            nullptr);
  EXPECT_NE(h.ErrorText().find("stage.yaml:2:"), std::string::npos) << h.ErrorText();
  EXPECT_NE(h.ErrorText().find("at least 1s"), std::string::npos) << h.ErrorText();
  EXPECT_EQ(h.Build(&MakeAddHostMetadataStage, "type: add_host_metadata\nttl: 5m\n"), nullptr);
  EXPECT_NE(h.ErrorText().find("ttl"), std::string::npos) << h.ErrorText();
}

TEST(HostInfoTest, OsReleaseValuesAreUnquoted) {
  OsRelease r = ParseOsRelease(
      "# comment\nNAME=\"Ubuntu\"\nVERSION=\"22.04.3 LTS (Jammy \\\"Jellyfish\\\")\"\n"
      "ID=ubuntu\nID_LIKE=debian\nVERSION_ID='22.04'\nVERSION_CODENAME=jammy  \n");
  EXPECT_EQ(r.name, "Ubuntu");
  EXPECT_EQ(r.version, "22.04.3 LTS (Jammy \"Jellyfish\")");
  EXPECT_EQ(r.id, "ubuntu");
  EXPECT_EQ(r.id_like, "debian");
  EXPECT_EQ(r.version_id, "22.04");
  EXPECT_EQ(r.version_codename, "jammy");
}

TEST(HostInfoTest, OsFamilies) {
  EXPECT_EQ(OsFamily("debian", ""), "debian");
  EXPECT_EQ(OsFamily("ubuntu", "debian"), "debian");
  EXPECT_EQ(OsFamily("centos", "rhel fedora"), "redhat");
  EXPECT_EQ(OsFamily("amzn", "centos rhel fedora"), "redhat");
  EXPECT_EQ(OsFamily("opensuse-leap", "suse opensuse"), "suse");
  EXPECT_EQ(OsFamily("myos", "fedora"), "redhat") << "known through ID_LIKE";
  EXPECT_EQ(OsFamily("myos", "gentoo other"), "gentoo") << "the first ID_LIKE word";
  EXPECT_EQ(OsFamily("myos", ""), "myos");
}

TEST(HostInfoTest, MacsInEcsForm) {
  const unsigned char mac[] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x0f};
  EXPECT_EQ(FormatMac(mac, sizeof(mac)), "02-42-AC-11-00-0F");
}

TEST(HostInfoTest, ThisMachine) {
  Result<HostInfo> h = ReadHostInfo(HostInfoSources{});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_FALSE(h->hostname.empty());
  EXPECT_FALSE(h->architecture.empty());
  EXPECT_FALSE(h->os_kernel.empty());
  EXPECT_EQ(h->os_type, "linux");
  for (const std::string& ip : h->ips) {
    EXPECT_NE(ip, "127.0.0.1");
    EXPECT_NE(ip, "::1");
  }
  HostInfoSources missing;
  missing.os_release = {"/nonexistent/os-release"};
  missing.machine_id = "/nonexistent/machine-id";
  missing.netinfo = false;
  Result<HostInfo> bare = ReadHostInfo(missing);
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->os_name.empty());
  EXPECT_TRUE(bare->id.empty());
  EXPECT_TRUE(bare->ips.empty());
  EXPECT_FALSE(bare->hostname.empty());
}

}  // namespace
}  // namespace logship
