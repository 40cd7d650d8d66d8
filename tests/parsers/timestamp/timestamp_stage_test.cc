// SPDX-License-Identifier: Apache-2.0
// The `timestamp` stage through its factory, as a pipeline file builds it: options and their
// errors with positions, @timestamp and precision as the spool writes them, other targets,
// failures tagged and never dropped, and no allocation per event.

#include "parsers/timestamp/timestamp_stage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parsers/builtin_parsers.h"
#include "src/event/field_ref.h"
#include "tests/testing/alloc/allocation_counter.h"
#include "tests/testing/stage_harness.h"

namespace logship {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::StageHarness;

constexpr int64_t kReadTime = 1795515330LL * 1'000'000'000;  // 2026-11-24T10:15:30Z

// Runs the stage built from `yaml` over `lines` (the message field) and returns the harness.
struct StageRun {
  StageHarness h;
  std::unique_ptr<Stage> stage;
  StageRun(const std::string& yaml, const std::vector<std::string>& lines) {
    stage = h.Build(&MakeTimestampStage, yaml);
    EXPECT_NE(stage, nullptr) << h.ErrorText();
    h.Lines(lines);
    if (stage) stage->Process(h.batch(), EventSelection::All());
  }
  const Event& event(size_t i) { return h.batch().events()[i]; }
};

TEST(TimestampStageTest, SetsTimestampFromIso8601) {
  StageRun r("type: timestamp\nfield: message\nformats: [iso8601]\n",
             {"2026-11-24T09:00:01.123456Z", "2026-11-24T10:00:00+02:00"});
  EXPECT_THAT(r.h.Json(0), HasSubstr(R"("@timestamp":"2026-11-24T09:00:01.123Z")"));
  EXPECT_THAT(r.h.Json(1), HasSubstr(R"("@timestamp":"2026-11-24T08:00:00.000Z")"));
  EXPECT_EQ(r.h.Text(0, "@timestamp"), "1795510801123456000");
  EXPECT_TRUE(r.event(0).error_type.empty());
  EXPECT_THAT(r.h.Json(0), Not(HasSubstr("error")));
}

TEST(TimestampStageTest, PrecisionIsWrittenToTheEvent) {
  const std::string line = "2026-11-24T09:00:01.123456789Z";
  StageRun us("field: message\nformats: iso8601\nprecision: us\n", {line});
  EXPECT_THAT(us.h.Json(0), HasSubstr(R"("@timestamp":"2026-11-24T09:00:01.123456Z")"));
  EXPECT_EQ(us.event(0).precision, TimePrecision::kMicros);
  StageRun ns("field: message\nformats: iso8601\nprecision: ns\n", {line});
  EXPECT_THAT(ns.h.Json(0), HasSubstr(R"("@timestamp":"2026-11-24T09:00:01.123456789Z")"));
  StageRun ms("field: message\nformats: iso8601\n", {line});
  EXPECT_THAT(ms.h.Json(0), HasSubstr(R"("@timestamp":"2026-11-24T09:00:01.123Z")"));
}

TEST(TimestampStageTest, FormatsAreTriedInOrder) {
  StageRun r("field: message\nformats:\n  - iso8601\n  - nginx\n  - \"%d.%m.%Y %H:%M\"\n  - unix\n",
             {"2026-11-24T10:00:00Z", "24/Nov/2026:10:15:30 +0100", "24.11.2026 10:15",
              "1795515330.5", "not a time"});
  EXPECT_THAT(r.h.Json(0), HasSubstr(R"("@timestamp":"2026-11-24T10:00:00.000Z")"));
  EXPECT_THAT(r.h.Json(1), HasSubstr(R"("@timestamp":"2026-11-24T09:15:30.000Z")"));
  EXPECT_THAT(r.h.Json(2), HasSubstr(R"("@timestamp":"2026-11-24T10:15:00.000Z")"));
  EXPECT_THAT(r.h.Json(3), HasSubstr(R"("@timestamp":"2026-11-24T10:15:30.500Z")"));
  EXPECT_EQ(r.event(4).error_type, "timestamp");
}

TEST(TimestampStageTest, TimezoneForTimesWithoutOffset) {
  StageRun r("field: message\nformats: ['%Y-%m-%d %H:%M:%S']\ntimezone: Europe/Berlin\n",
             {"2026-11-24 10:15:30", "2026-07-01 10:15:30", "2026-10-25 02:30:00"});
  EXPECT_THAT(r.h.Json(0), HasSubstr(R"("@timestamp":"2026-11-24T09:15:30.000Z")"));
  EXPECT_THAT(r.h.Json(1), HasSubstr(R"("@timestamp":"2026-07-01T08:15:30.000Z")"));
  EXPECT_THAT(r.h.Json(2), HasSubstr(R"("@timestamp":"2026-10-25T00:30:00.000Z")"));
}

TEST(TimestampStageTest, NamedFieldAndNumbersFromJson) {
  StageHarness h;
  auto stage = h.Build(&MakeTimestampStage, "field: ts\nformats: [unix_ms, unix]\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"a", "b", "c", "d"});
  b.AddField(b.events()[0], "ts", Value::Json("1795515330123"));  // a number's exact text
  b.AddField(b.events()[1], "ts", Value::Int(1795515330456));
  b.AddField(b.events()[2], "ts", Value::String("1795515330789"));
  // d has no ts.
  stage->Process(b, EventSelection::All());
  EXPECT_THAT(h.Json(0), HasSubstr(R"("@timestamp":"2026-11-24T10:15:30.123Z")"));
  EXPECT_THAT(h.Json(1), HasSubstr(R"("@timestamp":"2026-11-24T10:15:30.456Z")"));
  EXPECT_THAT(h.Json(2), HasSubstr(R"("@timestamp":"2026-11-24T10:15:30.789Z")"));
  EXPECT_THAT(h.Json(0), HasSubstr(R"("ts":1795515330123)"));  // kept
  EXPECT_EQ(b.events()[3].timestamp_ns, kReadTime);
  EXPECT_EQ(b.events()[3].error_type, "timestamp");
  EXPECT_EQ(b.events()[3].error_message, "field 'ts' is not set");
}

TEST(TimestampStageTest, RemoveFieldAfterSuccessOnly) {
  StageHarness h;
  auto stage =
      h.Build(&MakeTimestampStage, "field: log.time\nformats: [iso8601]\nremove_field: true\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"a", "b"});
  b.AddField(b.events()[0], "log.time", Value::String("2026-11-24T10:00:00Z"));
  b.AddField(b.events()[1], "log.time", Value::String("yesterday"));
  stage->Process(b, EventSelection::All());
  EXPECT_EQ(h.Text(0, "log.time"), std::nullopt);
  EXPECT_THAT(h.Json(0), HasSubstr(R"("@timestamp":"2026-11-24T10:00:00.000Z")"));
  EXPECT_EQ(h.Text(1, "log.time"), "yesterday");  // a failure keeps the evidence
}

TEST(TimestampStageTest, OtherTargetGetsAnIsoString) {
  StageRun r("field: message\nformats: [nginx]\ntarget: event.created\nprecision: us\n",
             {"24/Nov/2026:10:15:30 +0100"});
  EXPECT_EQ(r.h.Text(0, "event.created"), "2026-11-24T09:15:30.000000Z");
  EXPECT_EQ(r.event(0).timestamp_ns, kReadTime);  // @timestamp untouched
  EXPECT_THAT(r.h.Json(0), HasSubstr(R"("event":{"created":"2026-11-24T09:15:30.000000Z"})"));
}

TEST(TimestampStageTest, FailureKeepsReadTimeAndTags) {
  StageRun r("field: message\nformats: [iso8601, nginx]\n",
             {"2026-13-45", "", "9999-12-31T23:59:59Z", std::string(200, 'x') + "\xc3\xa9"});
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r.event(i).timestamp_ns, kReadTime);
    EXPECT_EQ(r.event(i).error_type, "timestamp");
    EXPECT_FALSE(r.event(i).dropped);
  }
  EXPECT_EQ(r.event(0).error_message, "field 'message': '2026-13-45' matches none of the formats");
  EXPECT_EQ(r.event(1).error_message, "field 'message': '' matches none of the formats");
  EXPECT_EQ(r.event(2).error_message,
            "field 'message': timestamp out of range: '9999-12-31T23:59:59Z' (@timestamp holds "
            "1677-09-21 to 2262-04-11)");
  EXPECT_EQ(r.event(3).error_message,
            "field 'message': '" + std::string(64, 'x') + "...' matches none of the formats");
  EXPECT_THAT(r.h.Json(0), HasSubstr(R"("type":"timestamp")"));
  EXPECT_THAT(
      r.h.Json(0),
      HasSubstr(R"("message":"field 'message': '2026-13-45' matches none of the formats")"));
}

TEST(TimestampStageTest, QuotedTextIsCutAtACharacterBoundary) {
  // 63 ASCII bytes then a 2-byte character across the 64-byte limit.
  StageRun r("field: message\nformats: [iso8601]\n", {std::string(63, 'a') + "\xc3\xa9" + "zz"});
  EXPECT_EQ(r.event(0).error_message,
            "field 'message': '" + std::string(63, 'a') + "...' matches none of the formats");
}

TEST(TimestampStageTest, SyslogYearFromTheReadTime) {
  StageHarness h;
  auto stage = h.Build(&MakeTimestampStage, "field: message\nformats: rfc3164\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"Dec 31 23:59:59", "Jan  1 00:00:01", "Nov 24 10:15:30"});
  b.events()[0].timestamp_ns = 1798761605LL * 1'000'000'000;  // read 2027-01-01T00:00:05Z
  b.events()[1].timestamp_ns = 1798761598LL * 1'000'000'000;  // read 2026-12-31T23:59:58Z
  stage->Process(b, EventSelection::All());
  EXPECT_THAT(h.Json(0), HasSubstr(R"("@timestamp":"2026-12-31T23:59:59.000Z")"));
  EXPECT_THAT(h.Json(1), HasSubstr(R"("@timestamp":"2027-01-01T00:00:01.000Z")"));
  EXPECT_THAT(h.Json(2), HasSubstr(R"("@timestamp":"2026-11-24T10:15:30.000Z")"));
}

TEST(TimestampStageTest, OnlySelectedEvents) {
  StageHarness h;
  auto stage = h.Build(&MakeTimestampStage, "field: message\nformats: [iso8601]\nwhen: {}\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"});
  b.events()[2].dropped = true;
  std::vector<uint8_t> marks = {0, 1, 1};
  stage->Process(b, EventSelection(&marks));
  EXPECT_EQ(b.events()[0].timestamp_ns, kReadTime);
  EXPECT_EQ(b.events()[1].timestamp_ns, 1767225600LL * 1'000'000'000);
  EXPECT_EQ(b.events()[2].timestamp_ns, kReadTime);
}

TEST(TimestampStageTest, NoAllocationPerEvent) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "sanitizer build";
  StageHarness h;
  auto stage = h.Build(&MakeTimestampStage,
                       "field: message\nformats: [iso8601, nginx, rfc3164, unix]\n"
                       "timezone: Europe/Berlin\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  std::vector<std::string> lines;
  for (int i = 0; i < 2000; ++i) {
    switch (i % 5) {
      case 0:
        lines.push_back("2026-11-24T10:15:" + std::to_string(10 + i % 50) + ".123Z");
        break;
      case 1:
        lines.push_back("2026-11-24 10:15:30");
        break;
      case 2:
        lines.push_back("24/Nov/2026:10:15:30 +0100");
        break;
      case 3:
        lines.push_back("Nov 24 10:15:30");
        break;
      default:
        lines.push_back("garbage that matches nothing");
        break;
    }
  }
  stage->Process(h.Lines(lines), EventSelection::All());  // warm up (zone cache, scratch)
  Batch& b = h.Lines(lines);
  testing::StartCountingAllocations();
  stage->Process(b, EventSelection::All());
  uint64_t allocations = testing::StopCountingAllocations();
  EXPECT_LE(allocations, 2u);  // an arena chunk at most; never one per event
  EXPECT_EQ(b.events()[4].error_type, "timestamp");
  EXPECT_EQ(b.events()[1].timestamp_ns, kReadTime - 3600LL * 1'000'000'000);
}

// --- Configuration errors, with positions in "stage.yaml" ---

std::string ConfigErrorsOf(const std::string& yaml) {
  StageHarness h;
  auto stage = h.Build(&MakeTimestampStage, yaml);
  EXPECT_EQ(stage, nullptr);
  return h.ErrorText();
}

TEST(TimestampStageTest, RequiresFieldAndFormats) {
  EXPECT_THAT(ConfigErrorsOf("type: timestamp\n"), HasSubstr("missing required option 'field'"));
  EXPECT_THAT(ConfigErrorsOf("type: timestamp\n"), HasSubstr("missing required option 'formats'"));
  EXPECT_THAT(ConfigErrorsOf("field: ts\nformats: []\n"),
              HasSubstr("stage.yaml:2:10: option 'formats': must list at least one format"));
  EXPECT_THAT(ConfigErrorsOf("field: ''\nformats: [iso8601]\n"),
              HasSubstr("option 'field': must not be empty"));
  EXPECT_THAT(ConfigErrorsOf("field: ts\nformats: {a: b}\n"),
              HasSubstr("option 'formats': expected a list of formats, got a map"));
}

TEST(TimestampStageTest, BadFormatIsReportedAtItsPosition) {
  EXPECT_EQ(ConfigErrorsOf("field: ts\nformats:\n  - iso8601\n  - \"%Y-%m-%d %H:%q\"\n"),
            "stage.yaml:4:5: option 'formats[1]': format '%Y-%m-%d %H:%q': unknown conversion "
            "'%q' at position 13 (known: %Y %y %m %d %e %j %b %B %h %a %A %H %I %p %M %S %E*S "
            "%f %z %Z %s %T %F %D %R %n %t %%)\n");
  EXPECT_THAT(ConfigErrorsOf("field: ts\nformats: isoo8601\n"),
              HasSubstr("stage.yaml:2:10: option 'formats': format 'isoo8601': unknown named "
                        "format"));
  EXPECT_THAT(ConfigErrorsOf("field: ts\nformats: ['%H:%M:%S']\n"),
              HasSubstr("stage.yaml:2:11: option 'formats[0]': format '%H:%M:%S': has no date"));
}

TEST(TimestampStageTest, UnknownZoneIsAConfigError) {
  EXPECT_EQ(ConfigErrorsOf("field: ts\nformats: [iso8601]\ntimezone: Europe/Berln\n"),
            "stage.yaml:3:11: option 'timezone': time zone 'Europe/Berln': unknown (not in the "
            "system tzdata, /usr/share/zoneinfo)\n");
  EXPECT_THAT(ConfigErrorsOf("field: ts\nformats: [iso8601]\ntimezone: ''\n"),
              HasSubstr("stage.yaml:3:11: option 'timezone': must not be empty"));
}

TEST(TimestampStageTest, BadPrecisionAndOtherOptions) {
  EXPECT_EQ(ConfigErrorsOf("field: ts\nformats: [iso8601]\nprecision: s\n"),
            "stage.yaml:3:12: option 'precision': expected one of ms, us, ns, got 's'\n");
  EXPECT_THAT(ConfigErrorsOf("field: ts\nformats: [iso8601]\nremove_field: maybe\n"),
              HasSubstr("stage.yaml:3:15: option 'remove_field': expected true or false"));
  EXPECT_THAT(ConfigErrorsOf("field: '@timestamp'\nformats: [unix_ns]\nremove_field: true\n"),
              HasSubstr("option 'remove_field': field '@timestamp' is built in and cannot be "
                        "removed"));
  EXPECT_THAT(ConfigErrorsOf("field: ts\nformats: [iso8601]\ntarget: ts\nremove_field: true\n"),
              HasSubstr("option 'remove_field': field and target are the same field"));
  EXPECT_THAT(ConfigErrorsOf("field: ts\nformats: [iso8601]\nformat: x\n"),
              HasSubstr("stage.yaml:3:1: unknown option 'format'"));
}

TEST(TimestampStageTest, EveryProblemAtOnce) {
  std::string errors =
      ConfigErrorsOf("formats: ['%Q', iso8601, '%Y %']\ntimezone: Mars/Olympus\nprecision: ps\n");
  EXPECT_THAT(errors, HasSubstr("missing required option 'field'"));
  EXPECT_THAT(errors, HasSubstr("option 'formats[0]'"));
  EXPECT_THAT(errors, HasSubstr("option 'formats[2]'"));
  EXPECT_THAT(errors, HasSubstr("option 'timezone'"));
  EXPECT_THAT(errors, HasSubstr("option 'precision'"));
}

TEST(TimestampStageTest, RegisteredAsTimestamp) {
  Registry registry;
  RegisterBuiltinParsers(registry);
  EXPECT_EQ(registry.FindStage("timestamp"), &MakeTimestampStage);
}

}  // namespace
}  // namespace logship

namespace logship {
namespace {

// A failure of an earlier stage is the root cause and stays on the event: the timestamp stage
// failing on a field that stage could not produce must not hide it.
TEST(TimestampStageTest, AnEarlierStagesErrorIsKept) {
  testing::StageHarness h;
  std::unique_ptr<Stage> stage = h.Build(&MakeTimestampStage, "field: ts\nformats: [iso8601]\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  h.Lines({"not json", "also not json"});
  TagError(h.batch().events()[0], "json", "invalid JSON: the text does not start with '{'");
  stage->Process(h.batch(), EventSelection::All());
  EXPECT_EQ(h.Text(0, "error.type"), "json");
  EXPECT_EQ(h.Text(0, "error.message"), "invalid JSON: the text does not start with '{'");
  EXPECT_EQ(h.Text(1, "error.type"), "timestamp");  // its own failure, when it is the first
}

}  // namespace
}  // namespace logship
