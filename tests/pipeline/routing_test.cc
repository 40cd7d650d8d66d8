// SPDX-License-Identifier: Apache-2.0
// Routing from a pipeline file: stages with `when:` touch only the events their condition selects
// (in order, each seeing what the stages before it did), `drop` removes events from every sink,
// and sinks with `when:` receive only their events (Batch::RoutedTo) while a sink without one
// receives everything. Built with LoadAgentConfig, run as an in-process Pipeline over a real file.

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "parsers/fields/add_fields_stage.h"
#include "parsers/fields/drop_stage.h"
#include "parsers/fields/remove_stage.h"
#include "parsers/fields/rename_stage.h"
#include "src/config/config_reader.h"
#include "src/event/field_ref.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"
#include "src/pipeline/pipeline.h"
#include "src/pipeline/pipeline_config.h"
#include "src/pipeline/registry.h"
#include "tests/testing/canonical_json.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using testing::CanonicalJson;
using testing::TempDir;
using testing::WaitUntil;

// What a collecting sink saw of one event routed to it.
struct Seen {
  std::string level;    // log.level
  std::string message;  // message, or event.original once renamed
  std::string error;    // error.type
  std::string json;     // as written, keys sorted
};

// What the sink named N received; outlives the sink (the pipeline owns and destroys sinks).
struct Collection {
  std::mutex mu;
  std::vector<Seen> seen;

  std::vector<Seen> Get() {
    std::lock_guard<std::mutex> lock(mu);
    return seen;
  }
};

// Collections by sink name (a factory is a plain function: the test reaches them through here).
std::map<std::string, std::shared_ptr<Collection>>& Collected() {
  static std::map<std::string, std::shared_ptr<Collection>> collections;
  return collections;
}

// `type: collect, name: N`: keeps what is routed to it, acknowledges at once.
class CollectingSink final : public Sink {
 public:
  CollectingSink(size_t index, std::shared_ptr<Collection> into)
      : index_(index), into_(std::move(into)) {}
  Status Start() override { return Status::Ok(); }
  void Submit(BatchPtr batch, AckHandle ack) override {
    {
      std::lock_guard<std::mutex> lock(into_->mu);
      for (size_t i = 0; i < batch->events().size(); ++i) {
        if (batch->RoutedTo(index_, i)) into_->seen.push_back(Describe(*batch, batch->events()[i]));
      }
    }
    ack.Done(AckStatus::kDelivered);
  }
  Status Stop(int64_t) override { return Status::Ok(); }

 private:
  static Seen Describe(const Batch& batch, const Event& e) {
    static const FieldRef kLevel("log.level"), kMessage("message"), kOriginal("event.original"),
        kError("error.type");
    std::string scratch;
    auto text = [&](const FieldRef& f) {
      std::optional<std::string_view> v = GetFieldText(batch, e, f, scratch);
      return v ? std::string(*v) : std::string("-");
    };
    Seen s;
    s.level = text(kLevel);
    s.message = FieldExists(batch, e, kMessage) ? text(kMessage) : text(kOriginal);
    s.error = text(kError);
    JsonWriter writer;
    OutputBuffer out;
    writer.WriteEvent(batch, e, out);
    s.json = CanonicalJson(out.view());
    return s;
  }

  const size_t index_;
  const std::shared_ptr<Collection> into_;
};

Result<std::unique_ptr<Sink>> MakeCollectingSink(const ConfigNode& node, PluginContext& ctx) {
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");
  std::string name;
  r.Required("name", &name);
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  auto collection = std::make_shared<Collection>();
  Collected()[name] = collection;
  return std::unique_ptr<Sink>(
      std::make_unique<CollectingSink>(static_cast<size_t>(ctx.sink_index), collection));
}

class RoutingTest : public ::testing::Test {
 protected:
  RoutingTest() {
    RegisterCoreSources(registry_);
    registry_.AddStage("add_fields", &MakeAddFieldsStage);
    registry_.AddStage("drop", &MakeDropStage);
    registry_.AddStage("remove", &MakeRemoveStage);
    registry_.AddStage("rename", &MakeRenameStage);
    registry_.AddSink("collect", &MakeCollectingSink);
    Collected().clear();
  }

  // Writes the pipeline file (its `inputs:` read logs/*.log) and loads it.
  Result<AgentConfig> Load(const std::string& stages_and_sinks) {
    std::string yaml =
        "data_dir: data\n"
        "pipelines:\n"
        "  app:\n"
        "    inputs:\n"
        "      - type: file\n"
        "        include: [\"logs/*.log\"]\n" +
        stages_and_sinks;
    testing::WriteFile(dir_.Sub("logship.yaml"), yaml);
    errors_ = ConfigErrors();
    return LoadAgentConfig(dir_.Sub("logship.yaml"), registry_, errors_);
  }

  // Runs the loaded pipeline over `lines` once, to the end of the file.
  void RunOnce(AgentConfig& config, const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& l : lines) text += l + "\n";
    ASSERT_EQ(::system(("mkdir -p " + dir_.Sub("logs")).c_str()), 0);
    testing::WriteFile(dir_.Sub("logs/app.log"), text);
    ASSERT_EQ(config.pipelines.size(), 1u);
    Pipeline pipeline(std::move(config.pipelines[0]), "test-host", /*once=*/true, RealClock(),
                      *config.metrics);
    ASSERT_TRUE(pipeline.Start().ok());
    ASSERT_TRUE(WaitUntil([&] { return pipeline.SourcesDone(); }));
    EXPECT_TRUE(pipeline.Drain(RealClock().MonotonicNanos() + 10'000'000'000));
    EXPECT_TRUE(pipeline.Finish().ok());
    EXPECT_EQ(pipeline.BatchesInUse(), 0u) << "every batch acknowledged";
  }

  std::vector<std::string> Summaries(const std::string& sink) {
    std::vector<std::string> out;
    EXPECT_EQ(Collected().count(sink), 1u) << sink;
    if (Collected().count(sink) == 0) return out;
    for (const Seen& s : Collected()[sink]->Get()) {
      out.push_back(s.level + " | " + s.message + " | " + s.error);
    }
    return out;
  }

  TempDir dir_;
  Registry registry_;
  ConfigErrors errors_;
};

using Strings = std::vector<std::string>;

TEST_F(RoutingTest, ErrorsGoToOneSinkAndEverythingToAnother) {
  Result<AgentConfig> config = Load(R"(    stages:
      - type: drop
        when: {field: message, matches: "^DEBUG "}
      - type: add_fields
        when: {field: message, matches: "^ERROR "}
        fields: {log.level: error, error.type: app, error.message: "{{message}}"}
      - type: add_fields
        when: {not: {field: log.level, exists: true}}
        fields: {log.level: info}
      - type: rename
        when: {field: log.level, equals: error}
        fields: {message: event.original}
    sinks:
      - type: collect
        name: all
      - type: collect
        name: errors
        when: {field: error.type, exists: true}
      - type: collect
        name: warnings
        when: {all: [{field: log.level, equals: info}, {field: message, matches: "^WARN"}]}
)");
  ASSERT_TRUE(config.ok()) << errors_.ToString();
  RunOnce(*config, {"INFO started", "DEBUG noisy", "ERROR disk full", "WARN slow", "DEBUG more",
                    "ERROR timeout"});

  EXPECT_EQ(Summaries("all"), (Strings{"info | INFO started | -", "error | ERROR disk full | app",
                                       "info | WARN slow | -", "error | ERROR timeout | app"}));
  EXPECT_EQ(Summaries("errors"),
            (Strings{"error | ERROR disk full | app", "error | ERROR timeout | app"}));
  EXPECT_EQ(Summaries("warnings"), Strings{"info | WARN slow | -"});

  // The error event as shipped: the message moved, the error object complete, log merged.
  std::vector<Seen> errors = Collected()["errors"]->Get();
  ASSERT_EQ(errors.size(), 2u);
  std::string json = errors[0].json;
  EXPECT_NE(json.find(R"("error":{"message":"ERROR disk full","type":"app"})"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("event":{"original":"ERROR disk full"})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("level":"error","offset":25})"), std::string::npos) << json;
  EXPECT_EQ(json.find(R"(},"message":)"), std::string::npos) << "the message was renamed: " << json;
}

TEST_F(RoutingTest, AStageWhenLimitsWhichEventsItTouches) {
  Result<AgentConfig> config = Load(R"(    stages:
      - type: add_fields
        when: {field: message, in: [a, c]}
        fields: {picked: true}
      - type: remove
        when: {field: message, equals: c}
        fields: [picked]
      - type: add_fields
        fields: {seen: "{{picked}}"}
        on_missing: skip
    sinks:
      - type: collect
        name: all
      - type: collect
        name: picked
        when: {field: picked, equals: true}
)");
  ASSERT_TRUE(config.ok()) << errors_.ToString();
  RunOnce(*config, {"a", "b", "c", "d"});
  std::vector<Seen> all = Collected()["all"]->Get();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_NE(all[0].json.find(R"("picked":true,"seen":"true")"), std::string::npos) << all[0].json;
  for (size_t i : {1, 2, 3}) {
    EXPECT_EQ(all[i].json.find("picked"), std::string::npos) << all[i].json;
    EXPECT_EQ(all[i].json.find("seen"), std::string::npos) << all[i].json;
  }
  EXPECT_EQ(Summaries("picked"), Strings{"- | a | -"});
}

TEST_F(RoutingTest, BadConditionsAreConfigErrorsWithTheirPosition) {
  Result<AgentConfig> config = Load(R"(    stages:
      - type: add_fields
        when: {field: message, matches: "(unclosed"}
        fields: {a: 1}
      - type: drop
    sinks:
      - type: collect
        name: all
        when: {field: level}
)");
  ASSERT_FALSE(config.ok());
  std::string file = dir_.Sub("logship.yaml");
  EXPECT_EQ(errors_.ToString(),
            file +
                ":9:41: option 'matches': condition: invalid regular expression: missing ): "
                "(unclosed\n" +
                file +
                ":11:9: drop without 'when' drops every event; add a condition, e.g. "
                "when: {field: log.level, equals: debug}\n" +
                file +
                ":15:23: option 'field': condition: add one of equals, in, matches or "
                "exists\n");
}

TEST_F(RoutingTest, WorkersBuildOneStageChainEachAndStillRouteInOrder) {
  Result<AgentConfig> config = Load(R"(    workers: 3
    max_batches_in_flight: 16
    batch: {max_events: 2}
    stages:
      - type: add_fields
        when: {field: message, matches: "^e"}
        fields: {log.level: error}
    sinks:
      - type: collect
        name: all
      - type: collect
        name: errors
        when: {field: log.level, equals: error}
)");
  ASSERT_TRUE(config.ok()) << errors_.ToString();
  ASSERT_EQ(config->pipelines[0].stage_chains.size(), 3u);
  for (const StageChain& chain : config->pipelines[0].stage_chains) EXPECT_EQ(chain.size(), 1u);
  std::vector<std::string> lines;
  Strings expected_all, expected_errors;
  for (int i = 0; i < 500; ++i) {
    std::string line = (i % 3 == 0 ? "e" : "i") + std::to_string(i);
    lines.push_back(line);
    expected_all.push_back((i % 3 == 0 ? "error | " : "- | ") + line + " | -");
    if (i % 3 == 0) expected_errors.push_back("error | " + line + " | -");
  }
  RunOnce(*config, lines);
  EXPECT_EQ(Summaries("all"), expected_all);
  EXPECT_EQ(Summaries("errors"), expected_errors);
}

TEST_F(RoutingTest, WorkersDefaultToTheEnvironmentThenTheCpusAndNeedStages) {
  // The suite may run with LOGSHIP_WORKERS set (scripts/test.sh with workers: 1): put it back.
  const char* outer = std::getenv("LOGSHIP_WORKERS");
  std::string saved = outer != nullptr ? outer : "";
  ::setenv("LOGSHIP_WORKERS", "5", 1);
  Result<AgentConfig> config = Load(R"(    max_batches_in_flight: 16
    stages:
      - {type: add_fields, fields: {a: 1}}
    sinks:
      - {type: collect, name: all}
)");
  if (outer != nullptr) {
    ::setenv("LOGSHIP_WORKERS", saved.c_str(), 1);
  } else {
    ::unsetenv("LOGSHIP_WORKERS");
  }
  ASSERT_TRUE(config.ok()) << errors_.ToString();
  EXPECT_EQ(config->pipelines[0].stage_chains.size(), 5u);

  // No stages: nothing for workers to do, whatever is asked.
  config = Load(R"(    workers: 4
    sinks:
      - {type: collect, name: all}
)");
  ASSERT_TRUE(config.ok()) << errors_.ToString();
  EXPECT_EQ(config->pipelines[0].stage_chains.size(), 1u);
}

TEST_F(RoutingTest, WorkersOutOfRangeIsAConfigErrorWithItsPosition) {
  Result<AgentConfig> config = Load(R"(    workers: 0
    sinks:
      - {type: collect, name: all}
)");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(errors_.ToString(),
            dir_.Sub("logship.yaml") + ":7:14: option 'workers': must be between 1 and 256\n");
}

}  // namespace
}  // namespace logship
