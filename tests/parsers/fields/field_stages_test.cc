// SPDX-License-Identifier: Apache-2.0
// The field-edit stages (add_fields, rename, remove, drop) built from YAML through their
// factories, run on harness batches, checked field by field and as the JSON a sink writes.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "parsers/fields/add_fields_stage.h"
#include "parsers/fields/drop_stage.h"
#include "parsers/fields/remove_stage.h"
#include "parsers/fields/rename_stage.h"
#include "src/event/field_ref.h"
#include "tests/testing/alloc/allocation_counter.h"
#include "tests/testing/canonical_json.h"
#include "tests/testing/stage_harness.h"

namespace logship {
namespace {

using testing::CanonicalJson;
using testing::StageHarness;

// The harness's built-ins for an event of `message` at `offset`, plus `members` (which must not
// merge into log or host), with sorted keys.
std::string Expected(std::string_view message, int offset, std::string_view members) {
  std::string json = R"({"@timestamp":"2026-11-24T10:15:30.000Z","message":")" +
                     std::string(message) + R"(","log":{"file":{"path":"/var/log/test.log"},)" +
                     R"("offset":)" + std::to_string(offset) + R"(},"host":{"name":"test-host"})";
  if (!members.empty()) json += "," + std::string(members);
  return CanonicalJson(json + "}");
}

// Runs `yaml`'s stage over `lines` with every event selected.
class FieldStagesTest : public ::testing::Test {
 protected:
  Batch& Run(StageFactory factory, std::string_view yaml, const std::vector<std::string>& lines) {
    stage_ = h_.Build(factory, yaml);
    EXPECT_NE(stage_, nullptr) << h_.ErrorText();
    Batch& b = h_.Lines(lines);
    if (stage_ != nullptr) stage_->Process(b, EventSelection::All());
    return b;
  }
  // The errors `yaml` gives, one per line, sorted.
  std::string Errors(StageFactory factory, std::string_view yaml) {
    StageHarness h;
    EXPECT_EQ(h.Build(factory, yaml), nullptr) << "expected a config error";
    return h.ErrorText();
  }
  std::string Json(size_t i) { return CanonicalJson(h_.Json(i)); }

  StageHarness h_;
  std::unique_ptr<Stage> stage_;
};

// --- add_fields ---------------------------------------------------------------------------------

TEST_F(FieldStagesTest, AddFieldsTypesOnlyPlainIntegersAndBooleans) {
  Run(&MakeAddFieldsStage,
      "type: add_fields\n"
      "fields:\n"
      "  env: prod\n"
      "  replicas: 3\n"
      "  offset: -12\n"
      "  canary: true\n"
      "  blue: False\n"
      "  quoted: \"3\"\n"
      "  quoted_bool: 'true'\n"
      "  version: 1.10\n"
      "  zip: 01234\n"
      "  huge: 99999999999999999999\n"
      "  word: yes\n"
      "  spaced: ' x '\n",
      {"line"});
  EXPECT_EQ(Json(0), Expected("line", 0,
                              R"("env":"prod","replicas":3,"offset":-12,"canary":true,)"
                              R"("blue":false,"quoted":"3","quoted_bool":"true","version":"1.10",)"
                              R"("zip":"01234","huge":"99999999999999999999","word":"yes",)"
                              R"("spaced":" x ")"));
}

TEST_F(FieldStagesTest, AddFieldsDottedKeysNestNextToTheBuiltins) {
  Run(&MakeAddFieldsStage,
      "type: add_fields\n"
      "fields: {service.name: api, service.owner: ops, log.level: info, host.role: web}\n",
      {"GET / 200"});
  EXPECT_EQ(Json(0), CanonicalJson(R"({"@timestamp":"2026-11-24T10:15:30.000Z",)"
                                   R"("message":"GET / 200",)"
                                   R"("log":{"file":{"path":"/var/log/test.log"},"offset":0,)"
                                   R"("level":"info"},)"
                                   R"("host":{"name":"test-host","role":"web"},)"
                                   R"("service":{"name":"api","owner":"ops"}})"));
}

TEST_F(FieldStagesTest, AddFieldsRendersTemplatesPerEvent) {
  Batch& b = Run(&MakeAddFieldsStage,
                 "type: add_fields\n"
                 "fields:\n"
                 "  origin: \"{{host.name}}:{{log.file.path}}@{{ log.offset }}\"\n"
                 "  event.original: \"{{message}}\"\n",
                 {"first", "second"});
  EXPECT_EQ(h_.Text(0, "origin"), "test-host:/var/log/test.log@0");
  EXPECT_EQ(h_.Text(1, "origin"), "test-host:/var/log/test.log@6");
  EXPECT_EQ(h_.Text(1, "event.original"), "second");
  // Each event keeps its own rendering, copied into the batch's arena (not the stage's scratch,
  // which now holds the last event's).
  EXPECT_EQ(h_.Text(0, "origin"), "test-host:/var/log/test.log@0");
  const Field* origin = b.FindField(b.events()[0], "origin");
  ASSERT_NE(origin, nullptr);
  EXPECT_EQ(origin->value.kind, ValueKind::kString);
  EXPECT_EQ(Json(1), Expected("second", 6,
                              R"("origin":"test-host:/var/log/test.log@6",)"
                              R"("event":{"original":"second"})"));
  EXPECT_EQ(b.events().size(), 2u);
}

TEST_F(FieldStagesTest, AddFieldsTemplatesSeeFieldsSetBeforeThem) {
  Run(&MakeAddFieldsStage,
      "type: add_fields\n"
      "fields: {service: api, index: \"logs-{{service}}-{{replicas}}\", replicas: 3}\n",
      {"x"});
  // Fields are set in the order written: `replicas` comes after the template that names it.
  EXPECT_EQ(h_.Text(0, "index"), "logs-api-");
}

TEST_F(FieldStagesTest, AddFieldsTemplateOfAMissingFieldRendersEmpty) {
  Run(&MakeAddFieldsStage, "type: add_fields\nfields: {team: \"team-{{service}}\"}\n", {"x"});
  EXPECT_EQ(h_.Text(0, "team"), "team-");
}

TEST_F(FieldStagesTest, AddFieldsOnMissingSkipLeavesTheFieldUnset) {
  std::unique_ptr<Stage> set_service =
      h_.Build(&MakeAddFieldsStage, "type: add_fields\nfields: {service: api}\n");
  ASSERT_NE(set_service, nullptr) << h_.ErrorText();
  std::unique_ptr<Stage> stage =
      h_.Build(&MakeAddFieldsStage,
               "type: add_fields\nfields: {team: \"team-{{service}}\", env: prod}\n"
               "on_missing: skip\n");
  ASSERT_NE(stage, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"with", "without"});
  std::vector<uint8_t> first_only = {1, 0};
  set_service->Process(b, EventSelection(&first_only));
  stage->Process(b, EventSelection::All());
  EXPECT_EQ(h_.Text(0, "team"), "team-api");
  EXPECT_EQ(h_.Text(1, "team"), std::nullopt);
  EXPECT_EQ(h_.Text(1, "env"), "prod") << "only the template's own field is skipped";
}

TEST_F(FieldStagesTest, AddFieldsExpandsEnvironmentVariablesAtLoad) {
  ::setenv("LOGSHIP_FIELDS_TEST_OWNER", "alice", 1);
  ::setenv("LOGSHIP_FIELDS_TEST_COUNT", "42", 1);
  Run(&MakeAddFieldsStage,
      "type: add_fields\n"
      "fields:\n"
      "  service.owner: \"${LOGSHIP_FIELDS_TEST_OWNER}\"\n"
      "  plain_count: ${LOGSHIP_FIELDS_TEST_COUNT}\n"
      "  quoted_count: \"${LOGSHIP_FIELDS_TEST_COUNT}\"\n"
      "  region: ${LOGSHIP_FIELDS_TEST_UNSET:-eu-1}\n",
      {"x"});
  EXPECT_EQ(Json(0), Expected("x", 0,
                              R"("service":{"owner":"alice"},"plain_count":42,)"
                              R"("quoted_count":"42","region":"eu-1")"));
  ::unsetenv("LOGSHIP_FIELDS_TEST_OWNER");
  ::unsetenv("LOGSHIP_FIELDS_TEST_COUNT");
}

TEST_F(FieldStagesTest, AddFieldsOverwritesByDefault) {
  Run(&MakeAddFieldsStage,
      "type: add_fields\nfields: {message: replaced, host.name: elsewhere, a: 1, a.b: 2}\n",
      {"original"});
  EXPECT_EQ(h_.batch().events()[0].message, "replaced");
  EXPECT_EQ(h_.Text(0, "host.name"), "elsewhere");
  // "a" is both a value and an object: JsonWriter puts the value inside as "value".
  EXPECT_EQ(Json(0), CanonicalJson(R"({"@timestamp":"2026-11-24T10:15:30.000Z",)"
                                   R"("message":"replaced",)"
                                   R"("log":{"file":{"path":"/var/log/test.log"},"offset":0},)"
                                   R"("host":{"name":"elsewhere"},"a":{"value":1,"b":2}})"));
}

TEST_F(FieldStagesTest, AddFieldsWithoutOverwriteKeepsFieldsAndObjects) {
  std::unique_ptr<Stage> first =
      h_.Build(&MakeAddFieldsStage, "type: add_fields\nfields: {env: staging, app.name: x}\n");
  std::unique_ptr<Stage> second = h_.Build(&MakeAddFieldsStage,
                                           "type: add_fields\n"
                                           "overwrite: false\n"
                                           "fields: {env: prod, app: y, message: m, log: z, "
                                           "team: core, error.type: none}\n");
  ASSERT_NE(first, nullptr) << h_.ErrorText();
  ASSERT_NE(second, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"line"});
  first->Process(b, EventSelection::All());
  second->Process(b, EventSelection::All());
  EXPECT_EQ(h_.Text(0, "env"), "staging");
  EXPECT_EQ(h_.Text(0, "app"), std::nullopt) << "an object counts as there";
  EXPECT_EQ(h_.Text(0, "message"), "line");
  EXPECT_EQ(h_.Text(0, "log"), std::nullopt);
  EXPECT_EQ(h_.Text(0, "team"), "core");
  EXPECT_EQ(h_.Text(0, "error.type"), "none");
}

TEST_F(FieldStagesTest, AddFieldsTouchesOnlySelectedLiveEvents) {
  std::unique_ptr<Stage> stage =
      h_.Build(&MakeAddFieldsStage, "type: add_fields\nfields: {tag: \"{{message}}\"}\n");
  ASSERT_NE(stage, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"a", "b", "c", "d"});
  b.events()[2].dropped = true;
  std::vector<uint8_t> marks = {1, 0, 1, 1};
  stage->Process(b, EventSelection(&marks));
  EXPECT_EQ(h_.Text(0, "tag"), "a");
  EXPECT_EQ(h_.Text(1, "tag"), std::nullopt);
  EXPECT_EQ(h_.Text(2, "tag"), std::nullopt) << "dropped events are left alone";
  EXPECT_EQ(h_.Text(3, "tag"), "d");
}

TEST_F(FieldStagesTest, AddFieldsConfigErrorsHavePositions) {
  EXPECT_EQ(Errors(&MakeAddFieldsStage, "type: add_fields\n"),
            "stage.yaml:1:1: missing required option 'fields'\n");
  EXPECT_EQ(Errors(&MakeAddFieldsStage, "type: add_fields\nfields: [a, b]\n"),
            "stage.yaml:2:9: option 'fields': expected a map like {env: prod}, got a list\n");
  EXPECT_EQ(Errors(&MakeAddFieldsStage, "type: add_fields\nfields: {}\n"),
            "stage.yaml:2:9: option 'fields': names no field to add\n");
  EXPECT_EQ(
      Errors(&MakeAddFieldsStage,
             "type: add_fields\n"
             "fields:\n"
             "  empty:\n"
             "  nested: {a: 1}\n"
             "  team: \"{{service\"\n"
             "  bad..name: x\n"
             "  blank: \"{{ }}\"\n"
             "  env: \"${LOGSHIP_FIELDS_TEST_NEVER_SET}\"\n"
             "overwrite: maybe\n"
             "on_missing: drop\n"
             "overwite: true\n"),
      "stage.yaml:3:3: option 'fields.empty': needs a value (write \"\" for an empty "
      "string)\n"
      "stage.yaml:4:11: option 'fields.nested': expected a value, got a map (nested objects "
      "are written with dotted keys: a.b: x)\n"
      "stage.yaml:5:9: option 'fields.team': template '{{service': '{{' at 0 has no closing "
      "'}}'\n"
      "stage.yaml:6:3: option 'fields.bad..name': field name 'bad..name' has an empty "
      "segment (dots separate the names of nested objects)\n"
      "stage.yaml:7:10: option 'fields.blank': template '{{ }}': '{{}}' names no field\n"
      "stage.yaml:8:8: option 'fields.env': environment variable "
      "'LOGSHIP_FIELDS_TEST_NEVER_SET' is not set (use ${LOGSHIP_FIELDS_TEST_NEVER_SET:-default} "
      "for a default)\n"
      "stage.yaml:9:12: option 'overwrite': expected true or false, got 'maybe'\n"
      "stage.yaml:10:13: option 'on_missing': expected one of empty, skip, got 'drop'\n"
      "stage.yaml:11:1: unknown option 'overwite' (known: type, when, fields, overwrite, "
      "on_missing); did you mean 'overwrite'?\n");
}

TEST_F(FieldStagesTest, AddFieldsRejectsAFieldSetTwice) {
  EXPECT_EQ(Errors(&MakeAddFieldsStage, "type: add_fields\nfields:\n  a: 1\n  a: 2\n"),
            "stage.yaml:4:3: option 'fields': field 'a' is set twice\n");
}

// --- rename -------------------------------------------------------------------------------------

TEST_F(FieldStagesTest, RenameAppliesInOrder) {
  std::unique_ptr<Stage> setup =
      h_.Build(&MakeAddFieldsStage, "type: add_fields\nfields: {a: 1, x.y: 2, x.z: 3}\n");
  std::unique_ptr<Stage> rename =
      h_.Build(&MakeRenameStage, "type: rename\nfields: {a: b, b: c, x: moved.x}\n");
  ASSERT_NE(setup, nullptr) << h_.ErrorText();
  ASSERT_NE(rename, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"line"});
  setup->Process(b, EventSelection::All());
  rename->Process(b, EventSelection::All());
  EXPECT_EQ(Json(0), Expected("line", 0, R"("c":1,"moved":{"x":{"y":2,"z":3}})"));
}

TEST_F(FieldStagesTest, RenameSkipsAMissingSourceSilently) {
  std::unique_ptr<Stage> setup =
      h_.Build(&MakeAddFieldsStage, "type: add_fields\nfields: {b: 2}\n");
  std::unique_ptr<Stage> rename =
      h_.Build(&MakeRenameStage, "type: rename\nfields: {missing: b, also.missing: c}\n");
  ASSERT_NE(rename, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"line"});
  setup->Process(b, EventSelection::All());
  rename->Process(b, EventSelection::All());
  EXPECT_EQ(Json(0), Expected("line", 0, R"("b":2)")) << "the target is not cleared either";
}

TEST_F(FieldStagesTest, RenameMessageAndOntoMessage) {
  // A Docker json-file line once parsed: {"log":"real line","stream":"stdout"}.
  std::unique_ptr<Stage> setup =
      h_.Build(&MakeAddFieldsStage, "type: add_fields\nfields: {log: real line, stream: stdout}\n");
  std::unique_ptr<Stage> rename =
      h_.Build(&MakeRenameStage, "type: rename\nfields: {message: event.original, log: message}\n");
  ASSERT_NE(rename, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"{\"log\":\"real line\"}"});
  setup->Process(b, EventSelection::All());
  rename->Process(b, EventSelection::All());
  EXPECT_EQ(b.events()[0].message, "real line");
  EXPECT_EQ(Json(0), CanonicalJson(R"({"@timestamp":"2026-11-24T10:15:30.000Z",)"
                                   R"("message":"real line","stream":"stdout",)"
                                   R"("event":{"original":"{\"log\":\"real line\"}"},)"
                                   R"("log":{"file":{"path":"/var/log/test.log"},"offset":0},)"
                                   R"("host":{"name":"test-host"}})"));
}

TEST_F(FieldStagesTest, RenameOntoAnExistingFieldReplacesIt) {
  std::unique_ptr<Stage> setup =
      h_.Build(&MakeAddFieldsStage,
               "type: add_fields\nfields: {level: warn, log.level: x, log.level.n: 1}\n");
  std::unique_ptr<Stage> rename =
      h_.Build(&MakeRenameStage, "type: rename\nfields: {level: log.level}\n");
  ASSERT_NE(rename, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"line"});
  setup->Process(b, EventSelection::All());
  rename->Process(b, EventSelection::All());
  EXPECT_EQ(Json(0), CanonicalJson(R"({"@timestamp":"2026-11-24T10:15:30.000Z","message":"line",)"
                                   R"("log":{"file":{"path":"/var/log/test.log"},"offset":0,)"
                                   R"("level":"warn"},"host":{"name":"test-host"}})"));
}

TEST_F(FieldStagesTest, RenameTouchesOnlySelectedEvents) {
  std::unique_ptr<Stage> rename =
      h_.Build(&MakeRenameStage, "type: rename\nfields: {message: msg}\n");
  ASSERT_NE(rename, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"a", "b"});
  std::vector<uint8_t> marks = {0, 1};
  rename->Process(b, EventSelection(&marks));
  EXPECT_EQ(h_.Text(0, "message"), "a");
  EXPECT_EQ(h_.Text(1, "message"), std::nullopt);
  EXPECT_EQ(h_.Text(1, "msg"), "b");
}

TEST_F(FieldStagesTest, RenameConfigErrorsHavePositions) {
  EXPECT_EQ(Errors(&MakeRenameStage,
                   "type: rename\n"
                   "fields:\n"
                   "  log.offset: offset\n"
                   "  '@timestamp': ts\n"
                   "  host.name: hostname\n"
                   "  log.file.path: path\n"
                   "  a: a\n"
                   "  b: [c]\n"
                   "  c:\n"
                   "  d: e..f\n"),
            "stage.yaml:3:3: option 'fields.log.offset': 'log.offset' is a built-in field that "
            "every event has; it cannot be renamed (copy it with add_fields: {new_name: "
            "\"{{log.offset}}\"})\n"
            "stage.yaml:4:3: option 'fields.@timestamp': '@timestamp' is a built-in field that "
            "every event has; it cannot be renamed (copy it with add_fields: {new_name: "
            "\"{{@timestamp}}\"})\n"
            "stage.yaml:5:3: option 'fields.host.name': 'host.name' is a built-in field that "
            "every event has; it cannot be renamed (copy it with add_fields: {new_name: "
            "\"{{host.name}}\"})\n"
            "stage.yaml:6:3: option 'fields.log.file.path': 'log.file.path' is a built-in field "
            "that every event has; it cannot be renamed (copy it with add_fields: {new_name: "
            "\"{{log.file.path}}\"})\n"
            "stage.yaml:7:6: option 'fields.a': renames 'a' to itself\n"
            "stage.yaml:8:6: option 'fields.b': expected the new field name, got a list\n"
            "stage.yaml:9:3: option 'fields.c': expected the new field name, got null\n"
            "stage.yaml:10:6: option 'fields.d': field name 'e..f' has an empty segment (dots "
            "separate the names of nested objects)\n");
  EXPECT_EQ(Errors(&MakeRenameStage, "type: rename\nfields: [a]\n"),
            "stage.yaml:2:9: option 'fields': expected a map of old name to new name, got a "
            "list\n");
  EXPECT_EQ(Errors(&MakeRenameStage, "type: rename\n"),
            "stage.yaml:1:1: missing required option 'fields'\n");
}

// --- remove -------------------------------------------------------------------------------------

TEST_F(FieldStagesTest, RemoveTakesSubtreesTheMessageAndTheError) {
  std::unique_ptr<Stage> setup =
      h_.Build(&MakeAddFieldsStage,
               "type: add_fields\nfields: {user.name: u, user.password: p, userid: 7, keep: 1}\n");
  std::unique_ptr<Stage> remove =
      h_.Build(&MakeRemoveStage, "type: remove\nfields: [user, message, error, not.there]\n");
  ASSERT_NE(remove, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"line"});
  b.events()[0].error_type = "json";
  b.events()[0].error_message = "bad";
  setup->Process(b, EventSelection::All());
  remove->Process(b, EventSelection::All());
  EXPECT_EQ(Json(0), CanonicalJson(R"({"@timestamp":"2026-11-24T10:15:30.000Z",)"
                                   R"("log":{"file":{"path":"/var/log/test.log"},"offset":0},)"
                                   R"("host":{"name":"test-host"},"userid":7,"keep":1})"));
}

TEST_F(FieldStagesTest, RemoveAcceptsASingleName) {
  Run(&MakeRemoveStage, "type: remove\nfields: message\n", {"line"});
  EXPECT_EQ(h_.Text(0, "message"), std::nullopt);
}

TEST_F(FieldStagesTest, RemoveTouchesOnlySelectedEvents) {
  std::unique_ptr<Stage> remove = h_.Build(&MakeRemoveStage, "type: remove\nfields: [message]\n");
  ASSERT_NE(remove, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"a", "b"});
  std::vector<uint8_t> marks = {1, 0};
  remove->Process(b, EventSelection(&marks));
  EXPECT_EQ(h_.Text(0, "message"), std::nullopt);
  EXPECT_EQ(h_.Text(1, "message"), "b");
}

TEST_F(FieldStagesTest, RemoveConfigErrorsHavePositions) {
  EXPECT_EQ(Errors(&MakeRemoveStage,
                   "type: remove\n"
                   "fields:\n"
                   "  - host.name\n"
                   "  - ok\n"
                   "  - '@timestamp'\n"
                   "  - ok\n"
                   "  - a..b\n"
                   "  - [x]\n"),
            "stage.yaml:3:5: option 'fields[0]': 'host.name' is a built-in field that every "
            "event has; it cannot be removed (copy it with add_fields: {new_name: "
            "\"{{host.name}}\"})\n"
            "stage.yaml:5:5: option 'fields[2]': '@timestamp' is a built-in field that every "
            "event has; it cannot be removed (copy it with add_fields: {new_name: "
            "\"{{@timestamp}}\"})\n"
            "stage.yaml:6:5: option 'fields[3]': field 'ok' is listed twice\n"
            "stage.yaml:7:5: option 'fields[4]': field name 'a..b' has an empty segment (dots "
            "separate the names of nested objects)\n"
            "stage.yaml:8:5: option 'fields[5]': expected a value, got a list\n");
  EXPECT_EQ(Errors(&MakeRemoveStage, "type: remove\nfields: []\n"),
            "stage.yaml:2:9: option 'fields': names no field\n");
  EXPECT_EQ(Errors(&MakeRemoveStage, "type: remove\nfields: {a: 1}\n"),
            "stage.yaml:2:9: option 'fields': expected a list of field names, got a map\n");
}

// --- drop ---------------------------------------------------------------------------------------

TEST_F(FieldStagesTest, DropMarksTheSelectedEventsAndCountsThem) {
  std::unique_ptr<Stage> drop =
      h_.Build(&MakeDropStage, "type: drop\nwhen: {field: message, equals: debug}\n");
  ASSERT_NE(drop, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"debug", "info", "debug", "debug"});
  b.events()[3].dropped = true;  // dropped earlier: not counted again
  std::vector<uint8_t> marks = {1, 0, 1, 1};
  drop->Process(b, EventSelection(&marks));
  EXPECT_TRUE(b.events()[0].dropped);
  EXPECT_FALSE(b.events()[1].dropped);
  EXPECT_TRUE(b.events()[2].dropped);
  EXPECT_EQ(DroppedEventCount(*drop), 2u);
  EXPECT_FALSE(b.RoutedTo(0, 0));
  EXPECT_TRUE(b.RoutedTo(0, 1));
  drop->Process(h_.Lines({"debug"}), EventSelection::All());
  EXPECT_EQ(DroppedEventCount(*drop), 3u);

  std::unique_ptr<Stage> other = h_.Build(&MakeRemoveStage, "type: remove\nfields: x\n");
  EXPECT_EQ(DroppedEventCount(*other), 0u);
}

TEST_F(FieldStagesTest, DropWithoutWhenIsAConfigError) {
  EXPECT_EQ(Errors(&MakeDropStage, "type: drop\n"),
            "stage.yaml:1:1: drop without 'when' drops every event; add a condition, e.g. when: "
            "{field: log.level, equals: debug}\n");
  EXPECT_EQ(Errors(&MakeDropStage, "type: drop\nwhen: {field: a, exists: true}\nfield: a\n"),
            "stage.yaml:3:1: unknown option 'field' (known: type, when)\n");
}

// --- no allocation per event --------------------------------------------------------------------

TEST_F(FieldStagesTest, StagesAllocateNothingPerEventOnceWarm) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "no allocation counting here";
  std::unique_ptr<Stage> add = h_.Build(
      &MakeAddFieldsStage,
      "type: add_fields\nfields: {service.name: api, route: \"{{host.name}}/{{log.offset}}\"}\n");
  std::unique_ptr<Stage> rename =
      h_.Build(&MakeRenameStage, "type: rename\nfields: {service: svc, message: event.original}\n");
  std::unique_ptr<Stage> remove = h_.Build(&MakeRemoveStage, "type: remove\nfields: [route]\n");
  std::unique_ptr<Stage> drop =
      h_.Build(&MakeDropStage, "type: drop\nwhen: {field: x, exists: true}\n");
  ASSERT_TRUE(add && rename && remove && drop) << h_.ErrorText();
  Batch& b = h_.Lines(std::vector<std::string>(1000, std::string(100, 'x')));
  std::vector<Event> fresh = b.events();
  auto run = [&] {
    b.fields().clear();
    b.events() = fresh;  // same size: no allocation
    add->Process(b, EventSelection::All());
    rename->Process(b, EventSelection::All());
    remove->Process(b, EventSelection::All());
    drop->Process(b, EventSelection::All());
  };
  run();  // warm: the fields vector and the scratch strings reach their size
  testing::StartCountingAllocations();
  run();
  uint64_t allocations = testing::StopCountingAllocations();
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(h_.Text(999, "svc.name"), "api");
  EXPECT_EQ(h_.Text(999, "event.original"), std::string(100, 'x'));
}

}  // namespace
}  // namespace logship
