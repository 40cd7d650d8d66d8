// SPDX-License-Identifier: Apache-2.0
#include "parsers/json/json_stage.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "parsers/builtin_parsers.h"
#include "parsers/regex/regex_stage.h"
#include "parsers/timestamp/timestamp_stage.h"
#include "src/event/field_ref.h"
#include "tests/testing/alloc/allocation_counter.h"
#include "tests/testing/stage_harness.h"

namespace logship {
namespace {

using testing::StageHarness;

// The JSON text of `element`, minified, for comparing structures.
std::string Minified(simdjson::dom::element element) { return simdjson::minify(element); }

// Parses what JsonWriter wrote; fails the test when it is not valid JSON.
simdjson::dom::element ParseWritten(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element root;
  simdjson::error_code e = parser.parse(json).get(root);
  EXPECT_EQ(e, simdjson::SUCCESS) << simdjson::error_message(e) << " in " << json;
  return root;
}

std::vector<std::string> SampleLines(size_t n) {
  std::ifstream in(std::string(LOGSHIP_SOURCE_DIR) + "/pipelines/sample/app.log");
  std::vector<std::string> lines;
  std::string line;
  while (lines.size() < n && std::getline(in, line)) lines.push_back(line);
  EXPECT_EQ(lines.size(), n) << "pipelines/sample/app.log";
  return lines;
}

// Live dynamic fields of event `i` named `key`.
int CountFields(const Batch& batch, size_t i, std::string_view key) {
  int n = 0;
  batch.ForEachField(batch.events()[i], [&](const Field& f) { n += f.key == key ? 1 : 0; });
  return n;
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

class JsonStageTest : public ::testing::Test {
 protected:
  // Builds a json stage from `yaml` and runs it over `lines`.
  Batch& Run(const std::vector<std::string>& lines, std::string_view yaml = "type: json\n") {
    stage_ = h_.Build(&MakeJsonStage, yaml);
    EXPECT_NE(stage_, nullptr) << h_.ErrorText();
    Batch& b = h_.Lines(lines);
    if (stage_ != nullptr) stage_->Process(b, EventSelection::All());
    return b;
  }
  const Event& event(size_t i) { return h_.batch().events()[i]; }
  std::optional<std::string> Text(size_t i, const std::string& path) { return h_.Text(i, path); }

  StageHarness h_;
  std::unique_ptr<Stage> stage_;
};

TEST_F(JsonStageTest, IsRegisteredAsJson) {
  Registry registry;
  RegisterBuiltinParsers(registry);
  EXPECT_EQ(registry.FindStage("json"), &MakeJsonStage);
}

TEST_F(JsonStageTest, ParsesRealSampleLinesAndWritesThemBack) {
  std::vector<std::string> lines = SampleLines(5);
  Batch& b = Run(lines);
  simdjson::dom::parser in_parser;
  simdjson::dom::parser out_parser;
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    EXPECT_TRUE(event(i).error_type.empty()) << event(i).error_message;
    EXPECT_FALSE(event(i).has_message) << "a parsed line is not shipped twice";
    // Every key of the line comes back with the same JSON value, next to the built-ins.
    std::string written = h_.Json(i);
    simdjson::dom::element in = ParseWritten(in_parser, lines[i]);
    simdjson::dom::element out = ParseWritten(out_parser, written);
    size_t keys = 0;
    for (simdjson::dom::key_value_pair kv : in.get_object()) {
      ++keys;
      simdjson::dom::element got;
      ASSERT_EQ(out[kv.key].get(got), simdjson::SUCCESS) << kv.key << " missing in " << written;
      EXPECT_EQ(Minified(got), Minified(kv.value)) << kv.key;
    }
    EXPECT_EQ(keys, 10u);
    simdjson::dom::element message;
    EXPECT_EQ(out["message"].get(message), simdjson::NO_SUCH_FIELD) << written;
  }
  // The first sample line, field by field: numbers keep their text ("233.250", not 233.25).
  EXPECT_EQ(Text(0, "level"), "warn");
  EXPECT_EQ(Text(0, "status"), "400");
  EXPECT_EQ(Text(0, "latency_ms"), "233.250");
  EXPECT_EQ(Text(0, "user_id"), "3373475");
  EXPECT_EQ(Text(0, "msg"), "slow upstream response");
  const Field* level = b.FindField(b.events()[0], "level");
  ASSERT_NE(level, nullptr);
  EXPECT_EQ(level->value.kind, ValueKind::kString);
  const Field* status = b.FindField(b.events()[0], "status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->value.kind, ValueKind::kJson);
}

TEST_F(JsonStageTest, FlattensNestedObjectsAndWritesThemNestedAgain) {
  const std::string line =
      R"({"a":{"b":1,"c":{"d":"x"}},"e":{},"f":{"g":{}},"h":true,"i":false,"j":null})";
  Batch& b = Run({line});
  ASSERT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_EQ(Text(0, "a.b"), "1");
  EXPECT_EQ(Text(0, "a.c.d"), "x");
  EXPECT_EQ(Text(0, "e"), "{}");
  EXPECT_EQ(Text(0, "f.g"), "{}");
  EXPECT_EQ(Text(0, "h"), "true");
  EXPECT_EQ(Text(0, "i"), "false");
  EXPECT_EQ(Text(0, "j"), "null");
  EXPECT_EQ(b.FindField(b.events()[0], "h")->value.kind, ValueKind::kBool);
  EXPECT_EQ(b.FindField(b.events()[0], "j")->value.kind, ValueKind::kNull);
  EXPECT_EQ(b.FindField(b.events()[0], "e")->value.kind, ValueKind::kJson);
  EXPECT_EQ(b.FindField(b.events()[0], "a"), nullptr);  // objects are not fields themselves

  simdjson::dom::parser in_parser;
  simdjson::dom::parser out_parser;
  simdjson::dom::element in = ParseWritten(in_parser, line);
  simdjson::dom::element out = ParseWritten(out_parser, h_.Json(0));
  for (const char* key : {"a", "e", "f", "h", "i", "j"}) {
    simdjson::dom::element got;
    ASSERT_EQ(out[key].get(got), simdjson::SUCCESS) << key;
    EXPECT_EQ(Minified(got), Minified(in[key].value())) << key;
  }
}

TEST_F(JsonStageTest, KeepsTheExactTextOfNumbers) {
  const std::string line =
      R"({"big":1e400,"tenth":0.1,"negzero":-0,"u64":18446744073709551615,)"
      R"("huge":123456789012345678901234567890,"exp":1E+2,"small":-1.5e-10 ,"int":42 })";
  Run({line});
  ASSERT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_EQ(Text(0, "big"), "1e400");
  EXPECT_EQ(Text(0, "tenth"), "0.1");
  EXPECT_EQ(Text(0, "negzero"), "-0");
  EXPECT_EQ(Text(0, "u64"), "18446744073709551615");
  EXPECT_EQ(Text(0, "huge"), "123456789012345678901234567890");
  EXPECT_EQ(Text(0, "exp"), "1E+2");
  EXPECT_EQ(Text(0, "small"), "-1.5e-10");  // the spaces before ',' are not part of it
  EXPECT_EQ(Text(0, "int"), "42");
  std::string written = h_.Json(0);
  for (const char* member :
       {R"("big":1e400)", R"("tenth":0.1)", R"("negzero":-0)", R"("u64":18446744073709551615)",
        R"("huge":123456789012345678901234567890)"}) {
    EXPECT_NE(written.find(member), std::string::npos) << member << " in " << written;
  }
}

TEST_F(JsonStageTest, UnescapesStringsAndKeysAndKeepsPlainOnesInPlace) {
  const std::string line =
      R"({"plain":"no escapes here","esc":"q\"b\\s\/n\nt\tr\rb\bf\f","e":"caf\u00e9",)"
      R"("emoji":"\ud83d\ude00","nul":"a\u0000b","k\u0065y":1,"utf8":"grüße"})";
  Batch& b = Run({line});
  ASSERT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_EQ(Text(0, "plain"), "no escapes here");
  EXPECT_EQ(Text(0, "esc"), "q\"b\\s/n\nt\tr\rb\bf\f");
  EXPECT_EQ(Text(0, "e"), "caf\xc3\xa9");
  EXPECT_EQ(Text(0, "emoji"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(Text(0, "nul"), std::string("a\0b", 3));
  EXPECT_EQ(Text(0, "key"), "1");
  EXPECT_EQ(Text(0, "utf8"), "grüße");

  // Zero copy where nothing needed unescaping: values and keys are views into the message.
  const Event& e = b.events()[0];
  const Field* plain = b.FindField(e, "plain");
  ASSERT_NE(plain, nullptr);
  EXPECT_TRUE(Inside(plain->value.s, e.message));
  EXPECT_TRUE(Inside(plain->key, e.message));
  const Field* esc = b.FindField(e, "esc");
  ASSERT_NE(esc, nullptr);
  EXPECT_FALSE(Inside(esc->value.s, e.message));
  EXPECT_TRUE(Inside(esc->key, e.message));
  const Field* key = b.FindField(e, "key");
  ASSERT_NE(key, nullptr);
  EXPECT_FALSE(Inside(key->key, e.message));

  simdjson::dom::parser parser;
  simdjson::dom::element out = ParseWritten(parser, h_.Json(0));
  std::string_view nul;
  ASSERT_EQ(out["nul"].get(nul), simdjson::SUCCESS);
  EXPECT_EQ(nul, std::string_view("a\0b", 3));
  std::string_view emoji;
  ASSERT_EQ(out["emoji"].get(emoji), simdjson::SUCCESS);
  EXPECT_EQ(emoji, "\xf0\x9f\x98\x80");
}

TEST_F(JsonStageTest, KeepsArraysVerbatim) {
  const std::string line = R"({"a":[1, "x\n", {"b":[true,null]}, 1e400 ] ,"empty":[],"spaced":[ ],)"
                           R"("nested":{"list":[[1],[2,[3]]]}})";
  Batch& b = Run({line});
  ASSERT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_EQ(Text(0, "a"), R"([1, "x\n", {"b":[true,null]}, 1e400 ])");
  EXPECT_EQ(Text(0, "empty"), "[]");
  EXPECT_EQ(Text(0, "spaced"), "[ ]");
  EXPECT_EQ(Text(0, "nested.list"), "[[1],[2,[3]]]");
  const Field* a = b.FindField(b.events()[0], "a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->value.kind, ValueKind::kJson);
  EXPECT_TRUE(Inside(a->value.s, b.events()[0].message));
  std::string written = h_.Json(0);
  EXPECT_NE(written.find(R"("a":[1, "x\n", {"b":[true,null]}, 1e400 ])"), std::string::npos)
      << written;
  EXPECT_NE(written.find(R"("nested":{"list":[[1],[2,[3]]]})"), std::string::npos) << written;
}

TEST_F(JsonStageTest, PutsKeysUnderTheTarget) {
  Run({R"({"level":"info","http":{"status":200},"e":{}})"}, "type: json\ntarget: app.parsed\n");
  ASSERT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_EQ(Text(0, "app.parsed.level"), "info");
  EXPECT_EQ(Text(0, "app.parsed.http.status"), "200");
  EXPECT_EQ(Text(0, "app.parsed.e"), "{}");
  EXPECT_EQ(Text(0, "level"), std::nullopt);
  EXPECT_EQ(Text(0, "message"), std::nullopt);  // removed on success, target or not
  simdjson::dom::parser parser;
  simdjson::dom::element out = ParseWritten(parser, h_.Json(0));
  int64_t status = 0;
  ASSERT_EQ(out["app"]["parsed"]["http"]["status"].get(status), simdjson::SUCCESS);
  EXPECT_EQ(status, 200);
}

TEST_F(JsonStageTest, BuildsPrefixedKeysOfEveryLength) {
  // Keys from 0 to 40 bytes under prefixes of several lengths (the copy has a path per size).
  std::string line = "{";
  for (size_t n = 0; n <= 40; ++n) {
    const std::string key(n, static_cast<char>('a' + n % 26));
    line += "\"" + key + "\":" + std::to_string(n) + ",\"o" + key + "\":{\"x" + key +
            "\":" + std::to_string(n) + "},";
  }
  line.back() = '}';
  for (const char* target : {"t", "abcdefg", "abcdefghijklmnopqrst"}) {
    SCOPED_TRACE(target);
    Run({line}, std::string("type: json\ntarget: ") + target + "\n");
    ASSERT_TRUE(event(0).error_type.empty()) << event(0).error_message;
    for (size_t n = 0; n <= 40; ++n) {
      const std::string key(n, static_cast<char>('a' + n % 26));
      EXPECT_EQ(Text(0, std::string(target) + "." + key), std::to_string(n)) << n;
      EXPECT_EQ(Text(0, std::string(target) + ".o" + key + ".x" + key), std::to_string(n)) << n;
    }
  }
}

TEST_F(JsonStageTest, TargetCanNameBuiltInObjects) {
  Run({R"({"level":"warn","file":{"path":"/from/json"}})"}, "type: json\ntarget: log\n");
  EXPECT_EQ(Text(0, "log.level"), "warn");
  EXPECT_EQ(Text(0, "log.file.path"), "/from/json");
  EXPECT_EQ(Text(0, "log.offset"), "0");
}

constexpr const char* kBuiltinLine =
    R"({"message":"inner text","@timestamp":"2020-01-02T03:04:05Z",)"
    R"("log":{"file":{"path":"/from/json"}},"host":{"name":"json-host"},"level":"info"})";

TEST_F(JsonStageTest, OverwriteReplacesBuiltInFields) {
  Batch& b = Run({kBuiltinLine});
  ASSERT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_EQ(event(0).message, "inner text");
  EXPECT_EQ(Text(0, "message"), "inner text");
  EXPECT_EQ(Text(0, "@timestamp"), "2020-01-02T03:04:05Z");
  EXPECT_EQ(Text(0, "log.file.path"), "/from/json");
  EXPECT_EQ(Text(0, "host.name"), "json-host");
  EXPECT_EQ(Text(0, "level"), "info");
  EXPECT_EQ(CountFields(b, 0, "message"), 0);  // the message itself changed
  simdjson::dom::parser parser;
  simdjson::dom::element out = ParseWritten(parser, h_.Json(0));
  std::string_view text;
  ASSERT_EQ(out["message"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "inner text");
  ASSERT_EQ(out["@timestamp"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "2020-01-02T03:04:05Z");
  ASSERT_EQ(out["log"]["file"]["path"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "/from/json");
}

TEST_F(JsonStageTest, WithoutOverwriteBuiltInFieldsAreKept) {
  Batch& b = Run({kBuiltinLine}, "type: json\noverwrite: false\n");
  ASSERT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_EQ(event(0).message, kBuiltinLine);
  EXPECT_EQ(Text(0, "@timestamp"), "1795515330000000000");  // still the built-in (ns)
  EXPECT_EQ(Text(0, "log.file.path"), "/var/log/test.log");
  EXPECT_EQ(Text(0, "host.name"), "test-host");
  EXPECT_EQ(Text(0, "level"), "info");
  EXPECT_EQ(CountFields(b, 0, "message"), 0);
  EXPECT_EQ(CountFields(b, 0, "@timestamp"), 0);
  EXPECT_EQ(CountFields(b, 0, "log.file.path"), 0);
  simdjson::dom::parser parser;
  simdjson::dom::element out = ParseWritten(parser, h_.Json(0));
  std::string_view text;
  ASSERT_EQ(out["message"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, kBuiltinLine);
}

// Runs a stage built from `yaml` over one line whose event already has the dynamic field
// service=old (as an earlier stage would have added it).
class JsonStageExistingFieldTest : public JsonStageTest {
 protected:
  Batch& RunWithExisting(std::string_view yaml) {
    stage_ = h_.Build(&MakeJsonStage, yaml);
    EXPECT_NE(stage_, nullptr) << h_.ErrorText();
    Batch& b = h_.Lines({R"({"service":"payments","other":1})"});
    b.AddField(b.events()[0], "service", Value::String("old"));
    stage_->Process(b, EventSelection::All());
    return b;
  }
};

TEST_F(JsonStageExistingFieldTest, OverwriteReplacesDynamicFields) {
  Batch& b = RunWithExisting("type: json\n");
  EXPECT_EQ(Text(0, "service"), "payments");
  EXPECT_EQ(CountFields(b, 0, "service"), 1);
  EXPECT_EQ(Text(0, "other"), "1");
}

TEST_F(JsonStageExistingFieldTest, WithoutOverwriteDynamicFieldsAreKept) {
  Batch& b = RunWithExisting("type: json\noverwrite: false\n");
  EXPECT_EQ(Text(0, "service"), "old");
  EXPECT_EQ(CountFields(b, 0, "service"), 1);
  EXPECT_EQ(Text(0, "other"), "1");
}

TEST_F(JsonStageTest, DuplicateKeysInTheTextLastOneWins) {
  for (const char* yaml : {"type: json\n", "type: json\noverwrite: false\n"}) {
    SCOPED_TRACE(yaml);
    Run({R"({"a":1,"a":2,"b":{"c":1},"b.c":3})"}, yaml);
    EXPECT_EQ(Text(0, "a"), "2");
    EXPECT_EQ(Text(0, "b.c"), "3");
    simdjson::dom::parser parser;
    simdjson::dom::element out = ParseWritten(parser, h_.Json(0));
    EXPECT_EQ(Minified(out["a"].value()), "2");
  }
}

TEST_F(JsonStageTest, ReadsTheConfiguredField) {
  stage_ = h_.Build(&MakeJsonStage, "type: json\nfield: payload\n");
  ASSERT_NE(stage_, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"line one", "line two", "line three"});
  b.AddField(b.events()[0], "payload", Value::String(b.arena().Copy(R"({"x":1,"y":"z"})")));
  b.AddField(b.events()[2], "payload", Value::Int(7));
  stage_->Process(b, EventSelection::All());
  EXPECT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_EQ(Text(0, "x"), "1");
  EXPECT_EQ(Text(0, "y"), "z");
  // The parsed field goes; the message, which this stage did not parse, stays.
  EXPECT_EQ(Text(0, "payload"), std::nullopt);
  EXPECT_EQ(CountFields(b, 0, "payload"), 0);
  EXPECT_EQ(Text(0, "message"), "line one");
  EXPECT_EQ(event(1).error_type, "json");
  EXPECT_EQ(event(1).error_message, "field 'payload' is not set");
  EXPECT_EQ(Text(1, "message"), "line two");
  EXPECT_EQ(event(2).error_type, "json");
  EXPECT_EQ(event(2).error_message, "field 'payload' is not a string");
  EXPECT_EQ(Text(2, "payload"), "7");  // a failure leaves the field alone
}

TEST_F(JsonStageTest, ParsesAFieldThatIsNotInTheArena) {
  // Text from static storage has no padding after it: the stage must not read past it.
  static const std::string kText = R"({"from":"static","n":[1,2]})";
  stage_ = h_.Build(&MakeJsonStage, "type: json\nfield: payload\n");
  ASSERT_NE(stage_, nullptr);
  Batch& b = h_.Lines({"x"});
  b.AddField(b.events()[0], "payload", Value::String(kText));
  stage_->Process(b, EventSelection::All());
  EXPECT_EQ(Text(0, "from"), "static");
  EXPECT_EQ(Text(0, "n"), "[1,2]");
  EXPECT_TRUE(Inside(b.FindField(b.events()[0], "from")->value.s, kText));
}

TEST_F(JsonStageTest, AJsonKeyMayReplaceTheFieldItParses) {
  // The extracted values are views into the old message, which stays in the arena.
  Run({R"({"a":"first","message":"replaced","b":"second"})"});
  EXPECT_TRUE(event(0).has_message) << "the parse wrote the message: it stays";
  EXPECT_EQ(event(0).message, "replaced");
  EXPECT_EQ(Text(0, "a"), "first");
  EXPECT_EQ(Text(0, "b"), "second");
  EXPECT_NE(h_.Json(0).find(R"("message":"replaced")"), std::string::npos) << h_.Json(0);
}

TEST_F(JsonStageTest, SuccessRemovesTheMessage) {
  const std::string line = R"({"level":"info","n":1})";
  Batch& b = Run({line, R"({"level":"warn"})"});
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(event(i).error_type.empty()) << event(i).error_message;
    EXPECT_FALSE(event(i).has_message);
    EXPECT_EQ(Text(i, "message"), std::nullopt);
  }
  EXPECT_EQ(Text(0, "level"), "info");
  EXPECT_EQ(Text(1, "level"), "warn");
  EXPECT_EQ(h_.Json(0), R"({"@timestamp":"2026-11-24T10:15:30.000Z",)"
                        R"("log":{"file":{"path":"/var/log/test.log"},"offset":0},)"
                        R"("host":{"name":"test-host"},"level":"info","n":1})");
  // Nothing was added for the removal: the two events hold exactly their keys.
  EXPECT_EQ(b.fields().size(), 3u);
}

TEST_F(JsonStageTest, AMessageObjectReplacesTheMessageString) {
  // {"message":{...}} writes message.* rather than message: the raw line goes, the object stays.
  Run({R"({"message":{"text":"hi","code":7}})"});
  ASSERT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_FALSE(event(0).has_message);
  EXPECT_EQ(Text(0, "message.text"), "hi");
  EXPECT_EQ(Text(0, "message.code"), "7");
  EXPECT_NE(h_.Json(0).find(R"("message":{"code":7,"text":"hi"})"), std::string::npos)
      << h_.Json(0);
}

TEST_F(JsonStageTest, KeepOriginalPutsTheParsedTextInEventOriginal) {
  const std::string plain = R"({"level":"info"})";
  const std::string own = R"({"message":"inner","level":"warn"})";
  Batch& b = Run({plain, own, "not json"}, "type: json\nkeep_original: true\n");
  EXPECT_FALSE(event(0).has_message);
  EXPECT_EQ(Text(0, "event.original"), plain);
  // A view of the line's bytes in the batch's arena, not a copy.
  const Field* original = b.FindField(event(0), "event.original");
  ASSERT_NE(original, nullptr);
  EXPECT_EQ(original->value.kind, ValueKind::kString);
  EXPECT_EQ(original->value.s.data(), event(0).message.data());
  EXPECT_NE(h_.Json(0).find(R"("event":{"original":"{\"level\":\"info\"}"})"), std::string::npos)
      << h_.Json(0);
  // The line's own message stays, parsed; the raw text is beside it.
  EXPECT_EQ(Text(1, "message"), "inner");
  EXPECT_EQ(Text(1, "event.original"), own);
  // A failure keeps the message as it was and adds no copy of it.
  EXPECT_EQ(event(2).error_type, "json");
  EXPECT_EQ(Text(2, "message"), "not json");
  EXPECT_EQ(Text(2, "event.original"), std::nullopt);
}

TEST_F(JsonStageTest, KeepOriginalKeepsAnEventOriginalTheEventAlreadyHas) {
  stage_ = h_.Build(&MakeJsonStage, "type: json\nfield: payload\nkeep_original: true\n");
  ASSERT_NE(stage_, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"first line", "second line"});
  for (size_t i = 0; i < 2; ++i) {
    b.AddField(b.events()[i], "payload", Value::String(R"({"a":1})"));
  }
  b.AddField(b.events()[0], "event.original", Value::String("from an earlier stage"));
  stage_->Process(b, EventSelection::All());
  EXPECT_EQ(Text(0, "event.original"), "from an earlier stage");
  EXPECT_EQ(CountFields(b, 0, "event.original"), 1);
  EXPECT_EQ(Text(1, "event.original"), R"({"a":1})");
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(Text(i, "a"), "1");
    EXPECT_EQ(Text(i, "payload"), std::nullopt);
  }
  EXPECT_EQ(Text(0, "message"), "first line");
}

TEST_F(JsonStageTest, ACustomFieldNamedByAKeyStaysWithTheParsedValue) {
  stage_ = h_.Build(&MakeJsonStage, "type: json\nfield: payload\n");
  ASSERT_NE(stage_, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({"line"});
  b.AddField(b.events()[0], "payload", Value::String(R"({"payload":"inner","x":2})"));
  stage_->Process(b, EventSelection::All());
  EXPECT_EQ(Text(0, "payload"), "inner");
  EXPECT_EQ(CountFields(b, 0, "payload"), 1);
  EXPECT_EQ(Text(0, "x"), "2");
  EXPECT_EQ(Text(0, "message"), "line");
}

TEST_F(JsonStageTest, TargetStillRemovesTheMessage) {
  Run({R"({"message":"inner","level":"info"})", "{broken"}, "type: json\ntarget: app\n");
  // Under a target no key is `message`: the parse never wrote it, so the raw line goes.
  EXPECT_FALSE(event(0).has_message);
  EXPECT_EQ(Text(0, "app.message"), "inner");
  EXPECT_EQ(Text(0, "app.level"), "info");
  EXPECT_EQ(h_.Json(0).find(R"("message":"{)"), std::string::npos) << h_.Json(0);
  EXPECT_EQ(event(1).error_type, "json");
  EXPECT_EQ(Text(1, "message"), "{broken");
  // A key that lands exactly on the parsed field under the target does decide it.
  stage_ = h_.Build(&MakeJsonStage, "type: json\nfield: app.raw\ntarget: app\n");
  ASSERT_NE(stage_, nullptr) << h_.ErrorText();
  Batch& c = h_.Lines({"line"});
  c.AddField(c.events()[0], "app.raw", Value::String(R"({"raw":"kept","n":3})"));
  stage_->Process(c, EventSelection::All());
  EXPECT_EQ(Text(0, "app.raw"), "kept");
  EXPECT_EQ(Text(0, "app.n"), "3");
}

TEST_F(JsonStageTest, WithoutOverwriteAMessageKeyKeepsTheOriginalMessage) {
  // overwrite: false keeps a field a key names; for the parsed field itself that is the raw text.
  const std::string line = R"({"message":"inner","level":"info"})";
  Run({line, R"({"level":"warn"})"}, "type: json\noverwrite: false\n");
  EXPECT_EQ(Text(0, "message"), line);
  EXPECT_EQ(Text(0, "level"), "info");
  EXPECT_EQ(Text(1, "message"), std::nullopt);  // no such key: removed as usual
}

// Stage orders that are common in pipeline files still work now that a parse removes its field:
// a later stage reads the fields the parse produced, never the field it parsed.
TEST_F(JsonStageTest, WorksBetweenARegexCaptureAndATimestampStage) {
  std::unique_ptr<Stage> regex =
      h_.Build(&MakeRegexStage, "type: regex\npattern: '^(?P<stream>\\w+) (?P<payload>\\{.*)$'\n");
  std::unique_ptr<Stage> json = h_.Build(&MakeJsonStage, "type: json\nfield: payload\n");
  std::unique_ptr<Stage> ts = h_.Build(
      &MakeTimestampStage, "type: timestamp\nfield: ts\nformats: [iso8601]\nremove_field: true\n");
  ASSERT_NE(regex, nullptr) << h_.ErrorText();
  ASSERT_NE(json, nullptr) << h_.ErrorText();
  ASSERT_NE(ts, nullptr) << h_.ErrorText();
  Batch& b = h_.Lines({R"(stdout {"ts":"2026-01-02T03:04:05Z","level":"info"})",
                       R"(stderr {"ts":broken)", "plain text"});
  for (Stage* s : {regex.get(), json.get(), ts.get()}) s->Process(b, EventSelection::All());
  // Everything parsed: only the parsed fields are left, the time from the line.
  EXPECT_EQ(h_.Json(0), R"({"@timestamp":"2026-01-02T03:04:05.000Z",)"
                        R"("log":{"file":{"path":"/var/log/test.log"},"offset":0},)"
                        R"("host":{"name":"test-host"},"stream":"stdout","level":"info"})");
  // The regex matched and removed the message; the JSON in its capture did not parse, so the
  // capture stays beside the json error (the timestamp stage, finding no ts, keeps the first).
  EXPECT_EQ(Text(1, "message"), std::nullopt);
  EXPECT_EQ(Text(1, "stream"), "stderr");
  EXPECT_EQ(Text(1, "payload"), R"({"ts":broken)");
  EXPECT_EQ(event(1).error_type, "json");
  // No match: the line stays whole, tagged by the regex stage.
  EXPECT_EQ(Text(2, "message"), "plain text");
  EXPECT_EQ(event(2).error_type, "regex");
}

TEST_F(JsonStageTest, EmptyAndUnsetMessagesAreTagged) {
  stage_ = h_.Build(&MakeJsonStage, "type: json\n");
  ASSERT_NE(stage_, nullptr);
  Batch& b = h_.Lines({"", "   ", "{}"});
  b.events()[2].has_message = false;
  stage_->Process(b, EventSelection::All());
  EXPECT_EQ(event(0).error_message, "field 'message' is empty");
  EXPECT_EQ(event(1).error_message, "not a JSON object: the text is blank");
  EXPECT_EQ(event(1).message, "   ");
  EXPECT_EQ(event(2).error_message, "field 'message' is not set");
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(event(i).error_type, "json");
}

TEST_F(JsonStageTest, AnEmptyObjectAddsNothing) {
  Batch& b = Run({"{}", " { } "});
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(event(i).error_type.empty()) << event(i).error_message;
    EXPECT_EQ(event(i).first_field, kNoIndex);
  }
  EXPECT_TRUE(b.fields().empty());
}

TEST_F(JsonStageTest, LeavesUnselectedAndDroppedEventsAlone) {
  stage_ = h_.Build(&MakeJsonStage, "type: json\n");
  ASSERT_NE(stage_, nullptr);
  Batch& b = h_.Lines({R"({"a":1})", R"({"a":2})", "not json", R"({"a":4})"});
  b.events()[3].dropped = true;
  std::vector<uint8_t> marks = {1, 0, 0, 1};
  stage_->Process(b, EventSelection(&marks));
  EXPECT_EQ(Text(0, "a"), "1");
  EXPECT_EQ(Text(1, "a"), std::nullopt);
  EXPECT_EQ(event(1).first_field, kNoIndex);
  EXPECT_TRUE(event(2).error_type.empty());  // not selected: not even tagged
  EXPECT_EQ(Text(3, "a"), std::nullopt);
  EXPECT_TRUE(event(3).error_type.empty());
}

struct BadLine {
  const char* name;
  std::string line;
  const char* reason;
};

TEST_F(JsonStageTest, TagsEveryFailureAndKeepsTheMessage) {
  const std::vector<BadLine> bad = {
      {"plain text", "2026-11-24 10:15:30 boot complete",
       "not a JSON object: the text does not start with '{'"},
      {"word", "hello", "not a JSON object: the text does not start with '{'"},
      {"array", "[1,2]", "not a JSON object: the text is an array"},
      {"string", R"("just a string")", "not a JSON object: the text is a string"},
      {"number", "42", "not a JSON object: the text is a number"},
      {"boolean", "true", "not a JSON object: the text is a boolean"},
      {"null", "null", "not a JSON object: the text is null"},
      {"truncated", R"({"a":1,"b":{"c":)", "invalid JSON: unexpected end of input"},
      {"truncated after value", R"({"a":1)", "invalid JSON: unexpected end of input"},
      {"truncated nested", R"({"a":{})", "invalid JSON: unexpected end of input"},
      {"unterminated string", R"({"a":"abc)", "invalid JSON: unterminated string"},
      {"trailing garbage", R"({"a":1} x)", "invalid JSON: unexpected text after the object"},
      {"trailing brace", R"({"a":1}})", "invalid JSON: unexpected text after the object"},
      {"two objects", R"({"a":1} {"b":2})", "invalid JSON: unexpected text after the object"},
      {"leading zero", R"({"a":01})", "invalid JSON: malformed number"},
      {"bare minus", R"({"a":-})", "invalid JSON: malformed number"},
      {"bad fraction", R"({"a":1.})", "invalid JSON: malformed number"},
      {"bad exponent", R"({"a":1e})", "invalid JSON: malformed number"},
      {"number in array", R"({"a":[1,2x]})", "invalid JSON: malformed number"},
      {"bad literal", R"({"a":tru})",
       "invalid JSON: invalid literal (expected true, false or null)"},
      {"bad null", R"({"a":nul})", "invalid JSON: invalid literal (expected true, false or null)"},
      {"missing colon", R"({"a" 1})",
       "invalid JSON: unexpected character (a comma, colon, quote or bracket is missing or "
       "misplaced)"},
      {"trailing comma", R"({"a":1,})",
       "invalid JSON: unexpected character (a comma, colon, quote or bracket is missing or "
       "misplaced)"},
      {"missing comma in array", R"({"a":[1 2]})",
       "invalid JSON: unexpected character (a comma, colon, quote or bracket is missing or "
       "misplaced)"},
      {"mismatched bracket", R"({"a":[1,2}})",
       "invalid JSON: unexpected character (a comma, colon, quote or bracket is missing or "
       "misplaced)"},
      {"unquoted key", R"({a:1})",
       "invalid JSON: unexpected character (a comma, colon, quote or bracket is missing or "
       "misplaced)"},
      {"bad escape", R"({"a":"\x"})", "invalid JSON: invalid escape sequence in a string"},
      {"lone high surrogate", R"({"a":"\ud800"})",
       "invalid JSON: invalid escape sequence in a string"},
      {"lone low surrogate", R"({"a":"\udc00x"})",
       "invalid JSON: invalid escape sequence in a string"},
      {"bad escape in key", R"({"\q":1})", "invalid JSON: invalid escape sequence in a string"},
      {"bad escape in array", R"({"a":["\ud800"]})",
       "invalid JSON: invalid escape sequence in a string"},
      {"invalid UTF-8 in string", "{\"a\":\"caf\xc3(\"}", "invalid JSON: invalid UTF-8"},
      {"invalid UTF-8 in key", "{\"\xff\":1}", "invalid JSON: invalid UTF-8"},
      {"overlong UTF-8", "{\"a\":\"\xc0\xaf\"}", "invalid JSON: invalid UTF-8"},
      {"raw control character", "{\"a\":\"x\x01y\"}",
       "invalid JSON: unescaped control character in a string"},
      {"NUL inside a string", std::string("{\"a\":\"x\0y\"}", 11),
       "invalid JSON: unescaped control character in a string"},
      {"NUL after the object", std::string("{\"a\":1}\0", 8),
       "invalid JSON: unexpected text after the object"},
      {"NUL instead of a value", std::string("{\"a\":\0}", 7),
       "invalid JSON: unexpected character (a comma, colon, quote or bracket is missing or "
       "misplaced)"},
  };
  std::vector<std::string> lines;
  for (const BadLine& b : bad) lines.push_back(b.line);
  // A valid line first, so the parser is reused across failures.
  lines.insert(lines.begin(), R"({"ok":true})");
  Batch& b = Run(lines);
  EXPECT_EQ(Text(0, "ok"), "true");
  simdjson::dom::parser parser;
  for (size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(bad[i].name);
    const Event& e = b.events()[i + 1];
    EXPECT_EQ(e.error_type, "json");
    EXPECT_EQ(e.error_message, bad[i].reason);
    EXPECT_TRUE(e.has_message);
    EXPECT_EQ(e.message, bad[i].line);
    EXPECT_EQ(e.first_field, kNoIndex) << "nothing may be added from a failed line";
    ParseWritten(parser, h_.Json(i + 1));
  }
  EXPECT_EQ(b.fields().size(), 1u);
}

TEST_F(JsonStageTest, AFailureLateInTheLineAddsNothing) {
  Batch& b = Run({R"({"a":1,"b":{"c":"x"},"message":"new","d":[1,2,}]})"});
  EXPECT_EQ(event(0).error_type, "json");
  EXPECT_EQ(event(0).message, R"({"a":1,"b":{"c":"x"},"message":"new","d":[1,2,}]})");
  EXPECT_TRUE(b.fields().empty());
}

std::string Nested(int depth, const std::string& leaf) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"k\":";
  s += leaf;
  for (int i = 0; i < depth; ++i) s += "}";
  return s;
}

TEST_F(JsonStageTest, EnforcesMaxDepth) {
  // The root object is depth 1: 64 objects deep is the limit.
  Run({Nested(64, "1"), Nested(65, "1"), Nested(63, "[1]"), Nested(64, "[1]")});
  EXPECT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  std::string key = "k";
  for (int i = 1; i < 64; ++i) key += ".k";
  EXPECT_EQ(Text(0, key), "1");
  EXPECT_EQ(event(1).error_message, "JSON nested deeper than max_depth 64");
  EXPECT_TRUE(event(2).error_type.empty()) << event(2).error_message;
  EXPECT_EQ(event(3).error_message, "JSON nested deeper than max_depth 64");

  Run({R"({"a":{"b":1}})", R"({"a":{"b":{"c":1}}})", R"({"a":[1]})", R"({"a":[[1]]})",
       R"({"a":[{"b":1}]})", R"({"a":{}})"},
      "type: json\nmax_depth: 2\n");
  EXPECT_TRUE(event(0).error_type.empty());
  EXPECT_EQ(event(1).error_message, "JSON nested deeper than max_depth 2");
  EXPECT_TRUE(event(2).error_type.empty());
  EXPECT_EQ(event(3).error_message, "JSON nested deeper than max_depth 2");
  EXPECT_EQ(event(4).error_message, "JSON nested deeper than max_depth 2");
  EXPECT_TRUE(event(5).error_type.empty());

  Run({R"({"a":1})", R"({"a":{}})", R"({"a":[]})"}, "type: json\nmax_depth: 1\n");
  EXPECT_TRUE(event(0).error_type.empty());
  EXPECT_EQ(event(1).error_message, "JSON nested deeper than max_depth 1");
  EXPECT_EQ(event(2).error_message, "JSON nested deeper than max_depth 1");
}

TEST_F(JsonStageTest, TenThousandDeepNestingIsTaggedWithoutOverflow) {
  const std::string arrays = R"({"a":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  const std::string objects = Nested(10000, "1");
  const std::string unclosed = std::string(10000, '{');
  const std::string unclosed_arrays = R"({"a":)" + std::string(10000, '[');
  for (const char* yaml : {"type: json\n", "type: json\nmax_depth: 1024\n"}) {
    SCOPED_TRACE(yaml);
    Batch& b = Run({arrays, objects, unclosed, unclosed_arrays}, yaml);
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(event(i).error_type, "json") << i;
      EXPECT_EQ(event(i).message, b.events()[i].message);
      EXPECT_EQ(event(i).first_field, kNoIndex);
    }
    EXPECT_EQ(event(0).error_message.substr(0, 30), "JSON nested deeper than max_de");
    EXPECT_EQ(event(1).error_message.substr(0, 30), "JSON nested deeper than max_de");
    EXPECT_EQ(event(2).error_message, "invalid JSON: unexpected end of input");
    EXPECT_EQ(event(3).error_message, "invalid JSON: unexpected end of input");
  }
  // Within the limit, deep arrays are kept whole.
  const std::string deep = R"({"a":)" + std::string(1000, '[') + std::string(1000, ']') + "}";
  Run({deep}, "type: json\nmax_depth: 1024\n");
  EXPECT_TRUE(event(0).error_type.empty()) << event(0).error_message;
  EXPECT_EQ(Text(0, "a"), std::string(1000, '[') + std::string(1000, ']'));
  // The largest limit is reachable, and exact.
  Run({Nested(1024, "[]"), Nested(1023, "[]"), Nested(1024, "1")}, "type: json\nmax_depth: 1024\n");
  EXPECT_EQ(event(0).error_message, "JSON nested deeper than max_depth 1024");
  EXPECT_TRUE(event(1).error_type.empty()) << event(1).error_message;
  EXPECT_TRUE(event(2).error_type.empty()) << event(2).error_message;
}

TEST_F(JsonStageTest, ParsesTenMegabyteLines) {
  const size_t kSize = 10 * 1024 * 1024;
  std::string big_string = R"({"big":")" + std::string(kSize, 'x') + R"(","n":1})";
  std::string big_array = R"({"list":[)";
  while (big_array.size() < kSize) big_array += "12345,\"abc\",";
  big_array += "0]}";
  std::string many_keys = "{";
  for (int i = 0; many_keys.size() < kSize; ++i) many_keys += "\"k" + std::to_string(i) + "\":1,";
  many_keys += "\"last\":2}";
  std::string truncated = big_string.substr(0, kSize / 2);
  Batch& b = Run({big_string, big_array, many_keys, truncated, R"({"after":"small"})"});
  for (size_t i : {0, 1, 2, 4}) EXPECT_TRUE(event(i).error_type.empty()) << i;
  EXPECT_EQ(Text(0, "big")->size(), kSize);
  EXPECT_EQ(Text(0, "n"), "1");
  EXPECT_EQ(Text(1, "list")->size(), big_array.size() - 9);  // without {"list": and }
  EXPECT_EQ(Text(2, "last"), "2");
  EXPECT_EQ(Text(2, "k0"), "1");
  EXPECT_EQ(event(3).error_message, "invalid JSON: unterminated string");
  EXPECT_EQ(event(3).message, truncated);
  EXPECT_EQ(Text(4, "after"), "small");  // buffers given back after the big lines still work
  simdjson::dom::parser parser;
  ParseWritten(parser, h_.Json(0));
  ParseWritten(parser, h_.Json(1));
  (void)b;
}

TEST_F(JsonStageTest, AllocatesNothingPerEventInSteadyState) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "sanitizer build";
  std::vector<std::string> lines = SampleLines(5);
  lines.push_back(R"({"a":{"b":"esc\"aped","c":[1,{"d":2}]},"bad":)");  // a failure too
  lines.push_back(R"({"k\u0065y":"v","message":"new"})");
  std::vector<std::string> many;
  for (int i = 0; i < 200; ++i) many.push_back(lines[i % lines.size()]);
  // Removing the message and keeping event.original allocate nothing either.
  for (const char* yaml : {"type: json\ntarget: app\n", "type: json\nkeep_original: true\n"}) {
    SCOPED_TRACE(yaml);
    stage_ = h_.Build(&MakeJsonStage, yaml);
    ASSERT_NE(stage_, nullptr);
    Batch& b = h_.Lines(many);
    std::vector<Event> fresh = b.events();
    stage_->Process(b, EventSelection::All());  // warms the stage and the batch's capacity
    for (int round = 0; round < 3; ++round) {
      b.events() = fresh;
      b.fields().clear();
      testing::StartCountingAllocations();
      stage_->Process(b, EventSelection::All());
      EXPECT_EQ(testing::StopCountingAllocations(), 0u) << "round " << round;
    }
    EXPECT_FALSE(event(0).has_message);
  }
  EXPECT_EQ(Text(0, "level"), "warn");
  EXPECT_EQ(Text(0, "event.original"), many[0]);
}

TEST_F(JsonStageTest, ReportsConfigErrorsWithPositions) {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"type: json\nmax_depth: 0\n", "stage.yaml:2:12: "},
      {"type: json\nmax_depth: 2000\n", "must be between 1 and 1024"},
      {"type: json\nmax_depth: deep\n", "stage.yaml:2:12: "},
      {"type: json\noverwrite: maybe\n", "stage.yaml:2:12: "},
      {"type: json\ntarget: \"\"\n", "stage.yaml:2:9: "},
      {"type: json\ntarget: a..b\n", "must be a field path"},
      {"type: json\nfield: \"\"\n", "stage.yaml:2:8: "},
      {"type: json\nfeild: message\n", "stage.yaml:2:1: "},
      {"type: json\nkeep_original: sometimes\n", "stage.yaml:2:16: "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    StageHarness h;
    EXPECT_EQ(h.Build(&MakeJsonStage, c.yaml), nullptr);
    EXPECT_NE(h.ErrorText().find(c.error), std::string::npos) << h.ErrorText();
  }
  StageHarness h;
  EXPECT_NE(h.Build(&MakeJsonStage,
                    "type: json\nfield: payload\ntarget: app\noverwrite: false\nmax_depth: 1024\n"
                    "keep_original: true\n"
                    "when: {field: level, equals: info}\n"),
            nullptr)
      << h.ErrorText();
}

TEST_F(JsonStageTest, ParsesOptions) {
  StageHarness h;
  Result<ConfigNode> node = ConfigNode::Parse("type: json\n", "stage.yaml");
  ASSERT_TRUE(node.ok());
  Result<JsonStageOptions> o = ParseJsonStageOptions(*node, h.context());
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->field, "message");
  EXPECT_EQ(o->target, "");
  EXPECT_TRUE(o->overwrite);
  EXPECT_EQ(o->max_depth, 64);
  EXPECT_FALSE(o->keep_original);
  node = ConfigNode::Parse("type: json\nkeep_original: true\n", "stage.yaml");
  ASSERT_TRUE(node.ok());
  o = ParseJsonStageOptions(*node, h.context());
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->keep_original);
}

// Fuzzing found (tests/regress/fuzz_json_stage_b778f372): a string value left unconsumed is
// skipped by simdjson with a check for a following ':', taking it for a key, so
// {"a":"b":1} passed as valid. String values are now consumed.
TEST_F(JsonStageTest, RegressionStringValueFollowedByColonIsInvalid) {
  std::ifstream in(std::string(LOGSHIP_SOURCE_DIR) + "/tests/regress/fuzz_json_stage_b778f372",
                   std::ios::binary);
  std::string found((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(found.empty());
  const std::vector<std::string> lines = {found, R"({"a":"b":1})", R"({"a":["x":1]})",
                                          R"({"a":{"b":"c":2}})", R"({"a":"b" :"c"})"};
  Batch& b = Run(lines);
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    EXPECT_EQ(event(i).error_type, "json");
    EXPECT_EQ(event(i).error_message,
              "invalid JSON: unexpected character (a comma, colon, quote or bracket is missing or "
              "misplaced)");
    EXPECT_EQ(event(i).message, lines[i]);
  }
  EXPECT_TRUE(b.fields().empty());
}

}  // namespace
}  // namespace logship
