// SPDX-License-Identifier: Apache-2.0
// `when:` conditions: every operator, all/any/not nesting, numbers against strings (values
// compare as the text JsonWriter would write), exists on objects, and positioned errors for
// conditions that cannot work.

#include "src/pipeline/condition.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/event/field_ref.h"
#include "tests/testing/alloc/allocation_counter.h"

namespace logship {
namespace {

class ConditionTest : public ::testing::Test {
 protected:
  ConditionTest() {
    batch_.host_name = "web-1";
    batch_.sources().push_back(BatchSource{1, "/var/log/app.log", 10});
    Event& e = batch_.AddEvent();
    e.message = "GET /health 500 timeout after 30s";
    e.timestamp_ns = 1795515330000000000;
    e.source = 0;
    e.offset = 0;
  }
  Event& event() { return batch_.events()[0]; }
  void Set(const std::string& path, Value v) {
    SetField(batch_, event(), refs_.emplace_back(path), v);
  }

  // Parses `yaml` as a condition; fails the test on errors.
  std::optional<Condition> Parse(std::string_view yaml) {
    ConfigErrors errors;
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "when.yaml");
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    if (!node.ok()) return std::nullopt;
    std::optional<Condition> c = Condition::Parse(*node, errors);
    EXPECT_TRUE(c.has_value() && errors.empty()) << yaml << "\n" << errors.ToString();
    return c;
  }
  bool Matches(std::string_view yaml) {
    std::optional<Condition> c = Parse(yaml);
    return c && c->Matches(batch_, event());
  }
  // The errors `yaml` gives, one per line, sorted.
  std::string Errors(std::string_view yaml) {
    ConfigErrors errors;
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "when.yaml");
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    std::optional<Condition> c = Condition::Parse(*node, errors);
    EXPECT_FALSE(c.has_value());
    return errors.ToString();
  }

  Batch batch_;
  std::deque<FieldRef> refs_;
};

TEST_F(ConditionTest, EqualsComparesTheFieldsText) {
  Set("log.level", Value::String("error"));
  EXPECT_TRUE(Matches("{field: log.level, equals: error}"));
  EXPECT_FALSE(Matches("{field: log.level, equals: Error}"));
  EXPECT_FALSE(Matches("{field: log.level, equals: err}"));
  EXPECT_TRUE(Matches("{field: host.name, equals: web-1}"));
  EXPECT_TRUE(Matches("{field: log.file.path, equals: /var/log/app.log}"));
  EXPECT_TRUE(Matches("{field: log.offset, equals: 0}"));
  EXPECT_FALSE(Matches("{field: missing, equals: \"\"}")) << "unset is not the empty string";
}

TEST_F(ConditionTest, NumbersAndStringsCompareAsText) {
  Set("int", Value::Int(500));
  Set("str", Value::String("500"));
  Set("json", Value::Json("500"));
  Set("double", Value::Double(500));
  Set("bool", Value::Bool(true));
  Set("nothing", Value::Null());
  for (const char* f : {"int", "str", "json"}) {
    EXPECT_TRUE(Matches("{field: " + std::string(f) + ", equals: 500}")) << f;
    EXPECT_TRUE(Matches("{field: " + std::string(f) + ", equals: \"500\"}")) << f;
    EXPECT_FALSE(Matches("{field: " + std::string(f) + ", equals: 500.0}")) << f;
    EXPECT_FALSE(Matches("{field: " + std::string(f) + ", equals: \"0500\"}")) << f;
  }
  // A double is written "500.0", so that is its text.
  EXPECT_TRUE(Matches("{field: double, equals: 500.0}"));
  EXPECT_FALSE(Matches("{field: double, equals: 500}"));
  EXPECT_TRUE(Matches("{field: bool, equals: true}"));
  EXPECT_FALSE(Matches("{field: bool, equals: True}"));
  EXPECT_TRUE(Matches("{field: nothing, equals: \"null\"}"));
}

TEST_F(ConditionTest, InMatchesAnyValue) {
  Set("status", Value::Int(502));
  EXPECT_TRUE(Matches("{field: status, in: [500, 502, 503]}"));
  EXPECT_FALSE(Matches("{field: status, in: [500, 503]}"));
  EXPECT_TRUE(Matches("{field: status, in: 502}")) << "a single value is a one-element list";
  EXPECT_FALSE(Matches("{field: missing, in: [a, b]}"));
}

TEST_F(ConditionTest, MatchesIsAnUnanchoredRe2Search) {
  EXPECT_TRUE(Matches("{field: message, matches: timeout}"));
  EXPECT_TRUE(Matches("{field: message, matches: \"^GET \"}"));
  EXPECT_FALSE(Matches("{field: message, matches: \"^timeout\"}"));
  EXPECT_TRUE(Matches("{field: message, matches: \"(?i)TIMEOUT\"}"));
  EXPECT_TRUE(Matches("{field: message, matches: \" 5\\\\d\\\\d \"}"));
  Set("status", Value::Int(404));
  EXPECT_TRUE(Matches("{field: status, matches: \"^4\\\\d\\\\d$\"}")) << "numbers match as text";
  EXPECT_FALSE(Matches("{field: missing, matches: \".*\"}")) << "unset never matches";
}

TEST_F(ConditionTest, ExistsSeesValuesObjectsAndBuiltins) {
  Set("http.request.method", Value::String("GET"));
  EXPECT_TRUE(Matches("{field: http.request.method, exists: true}"));
  EXPECT_TRUE(Matches("{field: http.request, exists: true}"));
  EXPECT_TRUE(Matches("{field: http, exists: true}"));
  EXPECT_FALSE(Matches("{field: http.req, exists: true}"));
  EXPECT_TRUE(Matches("{field: http.req, exists: false}"));
  EXPECT_TRUE(Matches("{field: log, exists: true}"));
  EXPECT_TRUE(Matches("{field: message, exists: true}"));
  EXPECT_FALSE(Matches("{field: error, exists: true}"));
  event().error_type = "json";
  event().error_message = "not an object";
  EXPECT_TRUE(Matches("{field: error, exists: true}"));
  EXPECT_TRUE(Matches("{field: error.type, exists: true}"));
  EXPECT_TRUE(Matches("{field: error.type, equals: json}"));
  event().has_message = false;
  EXPECT_TRUE(Matches("{field: message, exists: false}"));
}

TEST_F(ConditionTest, AllAnyNotNest) {
  Set("status", Value::Int(500));
  Set("env", Value::String("prod"));
  EXPECT_TRUE(Matches("{all: [{field: status, equals: 500}, {field: env, equals: prod}]}"));
  EXPECT_FALSE(Matches("{all: [{field: status, equals: 500}, {field: env, equals: dev}]}"));
  EXPECT_TRUE(Matches("{any: [{field: status, equals: 404}, {field: env, equals: prod}]}"));
  EXPECT_FALSE(Matches("{any: [{field: status, equals: 404}, {field: env, equals: dev}]}"));
  EXPECT_FALSE(Matches("{not: {field: env, equals: prod}}"));
  EXPECT_TRUE(Matches("{not: {field: env, equals: dev}}"));
  EXPECT_TRUE(Matches("{not: {not: {field: env, equals: prod}}}"));
  EXPECT_TRUE(Matches(R"(
all:
  - any:
      - {field: status, in: [500, 503]}
      - {field: message, matches: panic}
  - not:
      any:
        - {field: env, equals: dev}
        - {field: debug, exists: true}
  - field: host.name
    equals: web-1
)"));
  EXPECT_FALSE(Matches(R"(
all:
  - {field: status, in: [500, 503]}
  - not: {any: [{field: env, equals: dev}, {field: env, equals: prod}]}
)"));
}

TEST_F(ConditionTest, BadConditionsAreErrorsWithPositions) {
  EXPECT_EQ(Errors("[a, b]"),
            "when.yaml:1:1: condition: expected a map like {field: level, equals: error}, got "
            "a list\n");
  EXPECT_EQ(Errors("{field: a}"),
            "when.yaml:1:9: option 'field': condition: add one of equals, in, matches or "
            "exists\n");
  EXPECT_EQ(Errors("{equals: a}"),
            "when.yaml:1:1: option 'field': condition: 'field' must name a field\n");
  EXPECT_EQ(Errors("{field: a, equals: b, in: [c]}"),
            "when.yaml:1:1: condition: use exactly one of {field: F, equals|in|matches|exists: "
            "V}, {all: [...]}, {any: [...]} or {not: {...}}\n");
  EXPECT_EQ(Errors("{field: a, equals: b, all: [{field: a, exists: true}]}"),
            "when.yaml:1:1: condition: use exactly one of {field: F, equals|in|matches|exists: "
            "V}, {all: [...]}, {any: [...]} or {not: {...}}\n");
  EXPECT_EQ(Errors("{all: []}"),
            "when.yaml:1:7: condition: 'all' needs a non-empty list of conditions\n");
  EXPECT_EQ(Errors("{any: {field: a, exists: true}}"),
            "when.yaml:1:7: condition: 'any' needs a non-empty list of conditions\n");
  EXPECT_EQ(Errors("{field: a, matches: \"(unclosed\"}"),
            "when.yaml:1:21: option 'matches': condition: invalid regular expression: missing "
            "): (unclosed\n");
  EXPECT_EQ(Errors("{field: a, exists: maybe}"),
            "when.yaml:1:20: option 'exists': expected true or false, got 'maybe'\n");
  EXPECT_EQ(Errors("{field: a, equals: [x]}"),
            "when.yaml:1:20: option 'equals': expected a value, got a list\n");
  EXPECT_EQ(Errors("{field: a, in: []}"),
            "when.yaml:1:16: option 'in': condition: 'in' needs at least one value\n");
  EXPECT_EQ(Errors("{field: a, equal: b}"),
            "when.yaml:1:9: option 'field': condition: add one of equals, in, matches or "
            "exists\n"
            "when.yaml:1:12: unknown option 'equal' (known: all, any, not, field, equals, in, "
            "matches, exists); did you mean 'equals'?\n");
}

TEST_F(ConditionTest, ErrorsInsideCombinatorsPointAtTheInnerCondition) {
  EXPECT_EQ(Errors("all:\n"
                   "  - {field: a, exists: true}\n"
                   "  - {field: b, matches: \"[\"}\n"
                   "  - not: {field: c}\n"),
            "when.yaml:3:25: option 'matches': condition: invalid regular expression: missing ]: "
            "[\n"
            "when.yaml:4:18: option 'field': condition: add one of equals, in, matches or "
            "exists\n");
}

TEST_F(ConditionTest, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "{not: ";
  deep += "{field: a, exists: true}";
  for (int i = 0; i < 40; ++i) deep += "}";
  EXPECT_NE(Errors(deep).find("condition: nested more than 32 levels deep"), std::string::npos);
}

TEST_F(ConditionTest, MatchingAllocatesNothingOnceWarm) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "no allocation counting here";
  Set("status", Value::Int(503));
  Set("latency", Value::Double(0.25));
  std::optional<Condition> c = Parse(R"(
any:
  - {field: status, in: [500, 502]}
  - {field: latency, matches: "^0\\.2"}
  - {field: message, matches: panic}
)");
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->Matches(batch_, event()));  // warm: the scratch text reaches its size
  testing::StartCountingAllocations();
  bool all = true;
  for (int i = 0; i < 1000; ++i) all = all && c->Matches(batch_, event());
  uint64_t allocations = testing::StopCountingAllocations();
  EXPECT_TRUE(all);
  EXPECT_EQ(allocations, 0u);
}

}  // namespace
}  // namespace logship
