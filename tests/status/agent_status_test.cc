// SPDX-License-Identifier: Apache-2.0
#include "src/status/agent_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "src/status/status_client.h"

namespace logship {
namespace {

using ::testing::HasSubstr;

AgentStatus Sample() {
  AgentStatus s;
  s.state = "running";
  s.version = "1.2.3";
  s.config_file = "/etc/logship/logship.yaml";
  s.started_unix_ns = 1'700'000'000'000'000'000;
  s.now_unix_ns = s.started_unix_ns + 90'500'000'000;
  s.config_loaded_unix_ns = s.started_unix_ns;
  PipelineStatus p;
  p.name = "app";
  p.files.push_back({"input-0", {"/var/log/a.log", 11, 1000, 1000, "active"}});
  p.files.push_back({"input-0", {"/var/log/b \"quoted\".log", 12, 5000, 1000, "rotated"}});
  SinkStatus ok{"spool", "spool", {}, 42};
  ok.health.last_success_unix_ns = s.now_unix_ns;
  SinkStatus bad{"kafka", "kafka", {}, 7};
  bad.health.ok = false;
  bad.health.last_error = "all brokers down";
  bad.health.last_error_unix_ns = s.now_unix_ns;
  p.sinks = {ok, bad};
  s.pipelines.push_back(p);
  return s;
}

TEST(AgentStatusTest, StatusJsonIsValidAndCarriesEveryField) {
  std::string json = RenderStatusJson(Sample());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["state"]), "running");
  EXPECT_DOUBLE_EQ(double(doc["uptime_seconds"]), 90.5);
  EXPECT_EQ(std::string_view(doc["config_file"]), "/etc/logship/logship.yaml");
  EXPECT_EQ(std::string_view(doc["started_at"]), "2023-11-14T22:13:20.000Z");
  simdjson::dom::element file = doc["pipelines"].at(0)["files"].at(1);
  EXPECT_EQ(std::string_view(file["path"]), "/var/log/b \"quoted\".log");
  EXPECT_EQ(uint64_t(file["lag_bytes"]), 4000u);
  EXPECT_EQ(uint64_t(file["inode"]), 12u);
  EXPECT_EQ(std::string_view(file["state"]), "rotated");
  simdjson::dom::element sink = doc["pipelines"].at(0)["sinks"].at(1);
  EXPECT_EQ(std::string_view(sink["state"]), "failing");
  EXPECT_EQ(std::string_view(sink["last_error"]), "all brokers down");
}

TEST(AgentStatusTest, HealthIs503NamingTheFailingSinks) {
  AgentStatus s = Sample();
  HealthResponse h = RenderHealth(s);
  EXPECT_EQ(h.http_status, 503);
  EXPECT_THAT(h.body, HasSubstr("\"id\":\"kafka\""));
  EXPECT_THAT(h.body, HasSubstr("all brokers down"));
  EXPECT_THAT(h.body, ::testing::Not(HasSubstr("\"id\":\"spool\"")));
  s.pipelines[0].sinks[1].health.ok = true;
  h = RenderHealth(s);
  EXPECT_EQ(h.http_status, 200);
  EXPECT_EQ(h.body, "{\"status\":\"ok\"}\n");
}

TEST(AgentStatusTest, StatusTableRoundTripsAndSortsFilesByLag) {
  Result<AgentStatus> parsed = ParseStatusJson(RenderStatusJson(Sample()));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->pipelines.size(), 1u);
  EXPECT_EQ(parsed->pipelines[0].files[1].file.acked_offset, 1000u);
  std::string table = FormatStatusTable(*parsed);
  EXPECT_THAT(table, HasSubstr("logship 1.2.3, running, up 90 s"));
  size_t most_behind = table.find("b \"quoted\".log");
  size_t caught_up = table.find("/var/log/a.log");
  ASSERT_NE(most_behind, std::string::npos) << table;
  ASSERT_NE(caught_up, std::string::npos) << table;
  EXPECT_LT(most_behind, caught_up) << "files sorted by lag, most behind first\n" << table;
  EXPECT_THAT(table, HasSubstr("3.9 KiB"));  // the lag of b
  EXPECT_THAT(table, HasSubstr("FAILING"));
  EXPECT_THAT(table, HasSubstr("all brokers down"));
}

// An input whose checkpoints cannot be saved fails /health as a sink does, named with the error.
TEST(AgentStatusTest, HealthIs503NamingAnInputThatCannotSaveCheckpoints) {
  AgentStatus s = Sample();
  for (SinkStatus& k : s.pipelines[0].sinks) k.health.ok = true;
  ASSERT_EQ(RenderHealth(s).http_status, 200);
  s.pipelines[0].failing_inputs.push_back(
      InputProblem{"pipelines.app.inputs[0]",
                   "checkpoint store '/var/lib/logship/app/input-0.checkpoints': read-only"});
  HealthResponse h = RenderHealth(s);
  EXPECT_EQ(h.http_status, 503);
  EXPECT_THAT(h.body, HasSubstr("\"failing_inputs\":[{\"pipeline\":\"app\""));
  EXPECT_THAT(h.body, HasSubstr("checkpoint store '/var/lib/logship/app/input-0.checkpoints'"));
  EXPECT_THAT(h.body, ::testing::Not(HasSubstr("failing_sinks")));
  // /status and `logship status` carry it too, with the bytes a file holds unterminated.
  s.pipelines[0].files[0].file.held_bytes = 17;
  Result<AgentStatus> parsed = ParseStatusJson(RenderStatusJson(s));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->pipelines[0].failing_inputs.size(), 1u);
  EXPECT_EQ(parsed->pipelines[0].files[0].file.held_bytes, 17u);
  std::string table = FormatStatusTable(*parsed);
  EXPECT_THAT(table, HasSubstr("INPUT FAILING pipelines.app.inputs[0]: checkpoint store"));
  EXPECT_THAT(table, HasSubstr("held)"));
}

TEST(AgentStatusTest, ParseRejectsWhatIsNotAStatusDocument) {
  EXPECT_FALSE(ParseStatusJson("not json").ok());
  EXPECT_FALSE(ParseStatusJson("{\"state\":\"running\"}").ok());
}

}  // namespace
}  // namespace logship
