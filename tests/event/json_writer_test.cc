// SPDX-License-Identifier: Apache-2.0
#include "src/event/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "src/event/batch.h"
#include "src/event/output_buffer.h"

namespace logship {
namespace {

constexpr int64_t kNs = 1'000'000'000;
constexpr int64_t kTs = 1795515330 * kNs + 123'456'789;  // 2026-11-24T10:15:30.123456789Z

std::string Write(JsonWriter& w, const Batch& b, const Event& e) {
  OutputBuffer out;
  w.WriteEvent(b, e, out);
  return std::string(out.view());
}

std::string Write(const Batch& b, const Event& e) {
  JsonWriter w;
  return Write(w, b, e);
}

// A batch holding one file source and a host name, like a tailer's.
void AddSource(Batch& b) {
  b.host_name = "web-1";
  b.sources().push_back(BatchSource{7, b.arena().Copy("/var/log/nginx/access.log"), 5000});
}

Event& AddTypicalEvent(Batch& b) {
  Event& e = b.AddEvent();
  e.message = b.arena().Copy("GET /index.html 200");
  e.timestamp_ns = kTs;
  e.source = 0;
  e.offset = 1234;
  return e;
}

// Canonical text of a parsed JSON value: objects with sorted keys, everything else minified. A
// duplicate key in any object is reported through `dup` (JSON consumers such as Elasticsearch
// reject them).
std::string Canonical(simdjson::dom::element e, std::string* dup) {
  if (e.type() != simdjson::dom::element_type::OBJECT) return simdjson::minify(e);
  std::map<std::string, std::string> members;
  simdjson::dom::object obj;
  if (e.get_object().get(obj)) return "?";
  for (auto field : obj) {
    std::string key(field.key);
    if (members.count(key) != 0 && dup->empty()) *dup = key;
    members[key] = Canonical(field.value, dup);
  }
  std::string s = "{";
  for (const auto& [k, v] : members) {
    if (s.size() > 1) s += ",";
    s += "\"" + k + "\":" + v;
  }
  return s + "}";
}

// Parses `json`, failing the test when it is not one valid JSON object without duplicate keys.
testing::AssertionResult ParseObject(const std::string& json, simdjson::dom::parser& parser,
                                     simdjson::dom::element* root) {
  if (auto err = parser.parse(json).get(*root)) {
    return testing::AssertionFailure()
           << "invalid JSON (" << simdjson::error_message(err) << "): " << json;
  }
  if (root->type() != simdjson::dom::element_type::OBJECT) {
    return testing::AssertionFailure() << "not an object: " << json;
  }
  std::string dup;
  Canonical(*root, &dup);
  if (!dup.empty()) return testing::AssertionFailure() << "duplicate key '" << dup << "': " << json;
  return testing::AssertionSuccess();
}

std::string StringAt(simdjson::dom::element root, const char* pointer) {
  std::string_view sv;
  auto err = root.at_pointer(pointer).get_string().get(sv);
  EXPECT_FALSE(err) << pointer << ": " << simdjson::error_message(err);
  return std::string(sv);
}

int64_t IntAt(simdjson::dom::element root, const char* pointer) {
  int64_t v = 0;
  auto err = root.at_pointer(pointer).get_int64().get(v);
  EXPECT_FALSE(err) << pointer << ": " << simdjson::error_message(err);
  return v;
}

bool Has(simdjson::dom::element root, const char* pointer) {
  return root.at_pointer(pointer).error() == simdjson::SUCCESS;
}

// Forces the generic path for an event without extra fields: one field, removed.
void AddRemovedField(Batch& b, Event& e) {
  b.AddField(e, "removed.field", Value::Int(1));
  b.fields()[e.last_field].removed = true;
}

TEST(JsonWriterTest, FastPathTypicalEventExactText) {
  Batch b;
  AddSource(b);
  Event& e = AddTypicalEvent(b);
  EXPECT_EQ(Write(b, e),
            "{\"@timestamp\":\"2026-11-24T10:15:30.123Z\",\"message\":\"GET /index.html 200\","
            "\"log\":{\"file\":{\"path\":\"/var/log/nginx/access.log\"},\"offset\":1234},"
            "\"host\":{\"name\":\"web-1\"}}");
}

TEST(JsonWriterTest, FastPathEveryFieldParsesBack) {
  Batch b;
  AddSource(b);
  Event& e = AddTypicalEvent(b);
  e.message = b.arena().Copy("quote\" back\\slash\nnew\x01line caf\xC3\xA9 bad\xFF");
  e.precision = TimePrecision::kNanos;
  e.offset = std::numeric_limits<uint64_t>::max();
  e.tags = kTagInvalidUtf8 | kTagTruncated;
  e.error_type = "json";
  e.error_message = "unexpected '\"' at 3";
  std::string json = Write(b, e);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_TRUE(ParseObject(json, parser, &root));
  EXPECT_EQ(StringAt(root, "/@timestamp"), "2026-11-24T10:15:30.123456789Z");
  EXPECT_EQ(StringAt(root, "/message"),
            "quote\" back\\slash\nnew\x01line caf\xC3\xA9 bad\xEF\xBF\xBD");
  EXPECT_EQ(StringAt(root, "/log/file/path"), "/var/log/nginx/access.log");
  uint64_t offset = 0;
  ASSERT_FALSE(root.at_pointer("/log/offset").get_uint64().get(offset));
  EXPECT_EQ(offset, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(StringAt(root, "/host/name"), "web-1");
  EXPECT_EQ(StringAt(root, "/tags/0"), "invalid_utf8");
  EXPECT_EQ(StringAt(root, "/tags/1"), "truncated");
  EXPECT_FALSE(Has(root, "/tags/2"));
  EXPECT_EQ(StringAt(root, "/error/type"), "json");
  EXPECT_EQ(StringAt(root, "/error/message"), "unexpected '\"' at 3");
}

TEST(JsonWriterTest, FastPathWithoutMessageSourceOrHost) {
  Batch b;
  Event& e = b.AddEvent();
  e.has_message = false;
  e.message = "ignored";
  e.timestamp_ns = 0;
  EXPECT_EQ(Write(b, e), "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\"}");
  e.has_message = true;
  e.message = "";
  EXPECT_EQ(Write(b, e), "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"message\":\"\"}");
  b.host_name = "h";
  e.tags = kTagTruncated;
  EXPECT_EQ(
      Write(b, e),
      "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"message\":\"\",\"host\":{\"name\":\"h\"},"
      "\"tags\":[\"truncated\"]}");
}

TEST(JsonWriterTest, ErrorObjectIsWrittenOnlyWithAType) {
  Batch b;
  Event& e = b.AddEvent();
  e.message = "x";
  e.error_message = "message without a type is not written";
  EXPECT_EQ(Write(b, e), "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"message\":\"x\"}");
  e.error_type = "timestamp";
  e.error_message = "";
  EXPECT_EQ(Write(b, e),
            "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"message\":\"x\","
            "\"error\":{\"message\":\"\",\"type\":\"timestamp\"}}");
}

// The generic path must write exactly what the fast path writes when no extra field is live.
TEST(JsonWriterTest, FastAndGenericPathsAgreeWithoutExtraFields) {
  struct Variant {
    bool message, source, host, tags, error;
    TimePrecision precision;
    int64_t ts;
  };
  std::vector<Variant> variants;
  for (int mask = 0; mask < 32; ++mask) {
    for (TimePrecision p :
         {TimePrecision::kMillis, TimePrecision::kMicros, TimePrecision::kNanos}) {
      variants.push_back({(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0, (mask & 8) != 0,
                          (mask & 16) != 0, p, mask % 2 == 0 ? kTs : -1});
    }
  }
  JsonWriter w;  // one writer for all, as a sink would use it
  for (const Variant& v : variants) {
    Batch b;
    if (v.host) b.host_name = "host \"one\"";
    b.sources().push_back(BatchSource{1, "/logs/a\tb.log", 10});
    Event& fast = b.AddEvent();
    fast.has_message = v.message;
    fast.message = "line with \"quotes\", \\ and \xE2\x82\xAC and \xC0";
    fast.timestamp_ns = v.ts;
    fast.precision = v.precision;
    fast.source = v.source ? 0 : kNoIndex;
    fast.offset = 99;
    fast.tags = v.tags ? uint32_t{kTagInvalidUtf8} : 0u;
    if (v.error) {
      fast.error_type = "regex";
      fast.error_message = "no match";
    }
    Event generic = fast;
    AddRemovedField(b, generic);
    ASSERT_NE(generic.first_field, kNoIndex);
    std::string a = Write(w, b, fast);
    std::string g = Write(w, b, generic);
    EXPECT_EQ(a, g);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    EXPECT_TRUE(ParseObject(g, parser, &root));
  }
}

TEST(JsonWriterTest, DottedKeysNestAndMergeWithBuiltins) {
  Batch b;
  AddSource(b);
  Event& e = AddTypicalEvent(b);
  b.AddField(e, "log.level", Value::String("info"));
  b.AddField(e, "http.request.method", Value::String("GET"));
  b.AddField(e, "host.ip", Value::String("10.0.0.1"));
  b.AddField(e, "http.response.status_code", Value::Int(200));
  b.AddField(e, "user_agent", Value::String("curl/8"));
  EXPECT_EQ(Write(b, e),
            "{\"@timestamp\":\"2026-11-24T10:15:30.123Z\",\"message\":\"GET /index.html 200\","
            "\"log\":{\"file\":{\"path\":\"/var/log/nginx/access.log\"},\"level\":\"info\","
            "\"offset\":1234},\"host\":{\"ip\":\"10.0.0.1\",\"name\":\"web-1\"},"
            "\"http\":{\"request\":{\"method\":\"GET\"},\"response\":{\"status_code\":200}},"
            "\"user_agent\":\"curl/8\"}");
}

TEST(JsonWriterTest, DuplicateKeyLastValueWins) {
  Batch b;
  AddSource(b);
  Event& e = AddTypicalEvent(b);
  b.AddField(e, "user", Value::String("first"));
  b.AddField(e, "http.status", Value::Int(1));
  b.AddField(e, "user", Value::String("second"));
  b.AddField(e, "message", Value::String("rewritten"));  // overrides the built-in message
  b.AddField(e, "http.status", Value::Int(2));
  b.AddField(e, "user", Value::String("removed"));
  b.fields()[e.last_field].removed = true;  // a removed field never wins
  std::string json = Write(b, e);
  EXPECT_EQ(json,
            "{\"@timestamp\":\"2026-11-24T10:15:30.123Z\",\"message\":\"rewritten\","
            "\"log\":{\"file\":{\"path\":\"/var/log/nginx/access.log\"},\"offset\":1234},"
            "\"host\":{\"name\":\"web-1\"},\"user\":\"second\",\"http\":{\"status\":2}}");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_TRUE(ParseObject(json, parser, &root));
}

TEST(JsonWriterTest, ValueAndObjectConflictWritesValueInsideObject) {
  for (bool value_first : {true, false}) {
    Batch b;
    Event& e = b.AddEvent();
    e.has_message = false;
    if (value_first) b.AddField(e, "a", Value::Int(1));
    b.AddField(e, "a.b", Value::Int(2));
    b.AddField(e, "a.c.d", Value::Int(3));
    if (!value_first) b.AddField(e, "a", Value::Int(1));
    EXPECT_EQ(Write(b, e),
              "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"a\":{\"b\":2,\"c\":{\"d\":3},"
              "\"value\":1}}")
        << "value_first " << value_first;
  }
  // Conflicts at two levels, and with a built-in (message is a value; message.x makes it an
  // object).
  Batch b;
  Event& e = b.AddEvent();
  e.message = "m";
  b.AddField(e, "x", Value::Bool(true));
  b.AddField(e, "x.y", Value::Bool(false));
  b.AddField(e, "x.y.z", Value::Null());
  b.AddField(e, "message.length", Value::Int(1));
  EXPECT_EQ(
      Write(b, e),
      "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"message\":{\"length\":1,\"value\":\"m\"},"
      "\"x\":{\"value\":true,\"y\":{\"value\":false,\"z\":null}}}");
}

// "a": 1 beside "a.b" is written as a.value (members of nested objects are in key order); an
// explicit "a.value" field must not produce a second "value" member (Elasticsearch rejects
// duplicate keys): the later of the two wins.
TEST(JsonWriterTest, ConflictValueAndExplicitValueKeyNeverDuplicate) {
  {
    Batch b;
    Event& e = b.AddEvent();
    e.has_message = false;
    b.AddField(e, "a", Value::Int(1));
    b.AddField(e, "a.b", Value::Int(2));
    b.AddField(e, "a.value", Value::Int(3));
    EXPECT_EQ(Write(b, e),
              "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"a\":{\"b\":2,\"value\":3}}");
  }
  {
    Batch b;
    Event& e = b.AddEvent();
    e.has_message = false;
    b.AddField(e, "a.value", Value::Int(3));
    b.AddField(e, "a.b", Value::Int(2));
    b.AddField(e, "a", Value::Int(1));
    EXPECT_EQ(Write(b, e),
              "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"a\":{\"b\":2,\"value\":1}}");
  }
  {
    // a.value is itself an object: the winner of a / a.value goes one level further down.
    Batch b;
    Event& e = b.AddEvent();
    e.has_message = false;
    b.AddField(e, "a.value.c", Value::Int(4));
    b.AddField(e, "a", Value::Int(1));
    std::string json = Write(b, e);
    EXPECT_EQ(json,
              "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"a\":{\"value\":{\"c\":4,"
              "\"value\":1}}}");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    EXPECT_TRUE(ParseObject(json, parser, &root));
  }
}

TEST(JsonWriterTest, ValueKinds) {
  Batch b;
  Event& e = b.AddEvent();
  e.has_message = false;
  b.AddField(e, "null", Value::Null());
  b.AddField(e, "t", Value::Bool(true));
  b.AddField(e, "f", Value::Bool(false));
  b.AddField(e, "zero", Value::Int(0));
  b.AddField(e, "min", Value::Int(std::numeric_limits<int64_t>::min()));
  b.AddField(e, "max", Value::Int(std::numeric_limits<int64_t>::max()));
  b.AddField(e, "half", Value::Double(1.5));
  b.AddField(e, "neg", Value::Double(-2.25e-7));
  b.AddField(e, "big", Value::Double(1e300));
  b.AddField(e, "nan", Value::Double(std::nan("")));
  b.AddField(e, "inf", Value::Double(std::numeric_limits<double>::infinity()));
  b.AddField(e, "ninf", Value::Double(-std::numeric_limits<double>::infinity()));
  b.AddField(e, "json", Value::Json("[1, {\"k\": \"v\"}, 2.50]"));
  b.AddField(e, "num", Value::Json("1.50e3"));
  b.AddField(e, "str", Value::String("tab\there \xF0\x9F\x98\x80"));
  std::string json = Write(b, e);
  EXPECT_EQ(json,
            "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"null\":null,\"t\":true,\"f\":false,"
            "\"zero\":0,\"min\":-9223372036854775808,\"max\":9223372036854775807,\"half\":1.5,"
            "\"neg\":-2.25e-07,\"big\":1e+300,\"nan\":null,\"inf\":null,\"ninf\":null,"
            "\"json\":[1, {\"k\": \"v\"}, 2.50],\"num\":1.50e3,"
            "\"str\":\"tab\\there \xF0\x9F\x98\x80\"}");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_TRUE(ParseObject(json, parser, &root));
  double d = 0;
  ASSERT_FALSE(root["neg"].get_double().get(d));
  EXPECT_EQ(d, -2.25e-7);
  ASSERT_FALSE(root["big"].get_double().get(d));
  EXPECT_EQ(d, 1e300);
  EXPECT_TRUE(root["nan"].is_null());
  EXPECT_EQ(IntAt(root, "/min"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(IntAt(root, "/max"), std::numeric_limits<int64_t>::max());
}

TEST(JsonWriterTest, JsonValuesAreWrittenVerbatim) {
  for (std::string_view text :
       {"12345678901234567890123", "{ \"a\" : [ true ] }", "\"s\"", "-0.0"}) {
    OutputBuffer out;
    JsonWriter::WriteValue(Value::Json(text), out);
    EXPECT_EQ(out.view(), text);
  }
}

// A double must read back as a double: integral values keep a ".0", or a consumer such as
// Elasticsearch's dynamic mapping takes the field for an integer (and rejects 1.4e19 as a long).
TEST(JsonWriterTest, IntegralDoublesStayDoubles) {
  const std::pair<double, const char*> cases[] = {
      {3.0, "3.0"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {1e20, "1e+20"},
      {-14643154117325182976.0, "-14643154117325182976.0"},
      {123456.0, "123456.0"},
      {0.5, "0.5"},
      {1e-7, "1e-07"},
  };
  for (const auto& [v, text] : cases) {
    OutputBuffer out;
    JsonWriter::WriteValue(Value::Double(v), out);
    EXPECT_EQ(out.view(), text);
  }
}

TEST(JsonWriterTest, DoublesRoundTripExactly) {
  std::mt19937_64 rng(3);
  simdjson::dom::parser parser;
  for (int i = 0; i < 20000; ++i) {
    double v;
    if (i % 2 == 0) {
      uint64_t bits = rng();  // any bit pattern: every exponent, NaNs and infinities
      std::memcpy(&v, &bits, sizeof(v));
    } else {
      // Integral values and short decimals, as logs have them.
      v = static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) /
          static_cast<double>(i % 4 == 1 ? 1 : 1000);
    }
    OutputBuffer out;
    JsonWriter::WriteValue(Value::Double(v), out);
    std::string text(out.view());
    simdjson::dom::element e;
    ASSERT_FALSE(parser.parse(text).get(e)) << text;
    if (!std::isfinite(v)) {
      EXPECT_TRUE(e.is_null()) << text;
      continue;
    }
    EXPECT_TRUE(e.is_double()) << text;  // never mistaken for an integer
    double back = 0;
    ASSERT_FALSE(e.get_double().get(back)) << text;
    EXPECT_EQ(back, v) << text;
  }
}

TEST(JsonWriterTest, TagsAndErrorInTheGenericPath) {
  Batch b;
  Event& e = b.AddEvent();
  e.message = "m";
  e.tags = kTagTruncated;
  e.error_type = "json";
  e.error_message = "bad";
  b.AddField(e, "error.code", Value::Int(7));  // merges into the error object
  std::string json = Write(b, e);
  EXPECT_EQ(
      json,
      "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"message\":\"m\","
      "\"error\":{\"code\":7,\"message\":\"bad\",\"type\":\"json\"},\"tags\":[\"truncated\"]}");
}

TEST(JsonWriterTest, OddKeysStayValidJson) {
  Batch b;
  Event& e = b.AddEvent();
  e.has_message = false;
  for (const char* key :
       {"", ".", "a.", ".a", "a..b", "a.b.", "..", "q\"uote.back\\slash", "ctl\x01.\xFF", "a"}) {
    b.AddField(e, key, Value::Int(1));
  }
  std::string json = Write(b, e);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_TRUE(ParseObject(json, parser, &root)) << json;
}

TEST(JsonWriterTest, VeryDeepKeyIsCutIntoOneMemberNameBelowTheDepthLimit) {
  std::string key;
  for (int i = 0; i < 40; ++i) key += (i == 0 ? "" : ".") + std::string("k") + std::to_string(i);
  Batch b;
  Event& e = b.AddEvent();
  e.has_message = false;
  b.AddField(e, key, Value::Int(5));
  b.AddField(e, key, Value::Int(6));  // duplicates below the limit still collapse
  std::string json = Write(b, e);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_TRUE(ParseObject(json, parser, &root)) << json;
  simdjson::dom::element cur = root;
  int levels = 0;
  int whole_rest_members = 0;
  for (;;) {
    simdjson::dom::object obj;
    if (cur.get_object().get(obj)) break;
    simdjson::dom::element next;
    bool found = false;
    for (auto field : obj) {
      if (field.key == "@timestamp") continue;
      next = field.value;
      found = true;
      if (std::string_view(field.key).find('.') != std::string_view::npos) {
        // The rest of the key, kept whole.
        EXPECT_EQ(std::string(field.key).substr(0, 4), "k" + std::to_string(levels) + ".");
        EXPECT_EQ(std::string(field.key).substr(field.key.size() - 4), ".k39");
        ++whole_rest_members;
      }
    }
    ASSERT_TRUE(found);
    cur = next;
    ++levels;
  }
  int64_t leaf = 0;
  ASSERT_FALSE(cur.get_int64().get(leaf));
  EXPECT_EQ(leaf, 6);
  EXPECT_EQ(whole_rest_members, 1);
  EXPECT_GT(levels, 10);
  EXPECT_LT(levels, 40);
}

TEST(JsonWriterTest, WriterReuseDoesNotLeakStateBetweenEvents) {
  Batch b;
  AddSource(b);
  Event& e1 = AddTypicalEvent(b);
  b.AddField(e1, "a.b", Value::Int(1));
  b.AddField(e1, "a", Value::Int(2));
  Event e1_copy = e1;
  Event& e2 = AddTypicalEvent(b);  // may move e1; e1_copy is used from here on
  e2.tags = kTagInvalidUtf8;
  Event e2_copy = e2;
  Event& e3 = AddTypicalEvent(b);
  b.AddField(e3, "a", Value::Int(3));
  Event e3_copy = e3;
  JsonWriter shared;
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(Write(shared, b, e1_copy), Write(b, e1_copy));
    EXPECT_EQ(Write(shared, b, e2_copy), Write(b, e2_copy));
    EXPECT_EQ(Write(shared, b, e3_copy), Write(b, e3_copy));
  }
  EXPECT_NE(Write(b, e3_copy).find("\"a\":3"), std::string::npos);
  EXPECT_EQ(Write(b, e3_copy).find("tags"), std::string::npos);
}

// The writer reuses the layout of the previous event when the keys are the same; values must
// still be each event's own, and any change of keys must give a fresh layout.
TEST(JsonWriterTest, ReusedLayoutFollowsKeysExactly) {
  Batch b;
  JsonWriter w;
  auto write = [&](std::vector<std::pair<std::string_view, int>> fields) {
    Event& e = b.AddEvent();
    e.has_message = false;
    for (auto& [k, v] : fields) b.AddField(e, k, Value::Int(v));
    OutputBuffer out;
    w.WriteEvent(b, e, out);
    return std::string(out.view());
  };
  const std::string ts = "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",";
  std::deque<std::string> keys;  // field keys must outlive the batch
  EXPECT_EQ(write({{"a.x", 1}, {"b", 2}}), ts + "\"a\":{\"x\":1},\"b\":2}");
  EXPECT_EQ(write({{"a.x", 3}, {"b", 4}}), ts + "\"a\":{\"x\":3},\"b\":4}");
  EXPECT_EQ(write({{"b", 5}, {"a.x", 6}}), ts + "\"b\":5,\"a\":{\"x\":6}}");
  EXPECT_EQ(write({{"b", 5}, {"a.y", 6}}), ts + "\"b\":5,\"a\":{\"y\":6}}");
  EXPECT_EQ(write({{"b", 5}, {"a.y", 6}, {"a.y", 7}}), ts + "\"b\":5,\"a\":{\"y\":7}}");
  // A conflict is rearranged every time (the renamed key is not cached).
  EXPECT_EQ(write({{"a", 1}, {"a.b", 2}}), ts + "\"a\":{\"b\":2,\"value\":1}}");
  EXPECT_EQ(write({{"a", 3}, {"a.b", 4}}), ts + "\"a\":{\"b\":4,\"value\":3}}");
  EXPECT_EQ(write({{"a", 5}}), ts + "\"a\":5}");
  // Alternating key sets (a regex with optional groups) each keep their own cached layout.
  for (int round = 0; round < 3; ++round) {
    for (int variant = 0; variant < 10; ++variant) {
      std::string key = "k" + std::to_string(variant);
      keys.push_back(key);
      EXPECT_EQ(write({{"x", round}, {keys.back(), variant}}),
                ts + "\"x\":" + std::to_string(round) + ",\"" + key +
                    "\":" + std::to_string(variant) + "}");
    }
  }
}

TEST(JsonWriterTest, AppendsToWhatIsInTheBuffer) {
  Batch b;
  Event& e = b.AddEvent();
  e.message = "x";
  OutputBuffer out;
  out.Append("prefix ");
  JsonWriter w;
  w.WriteEvent(b, e, out);
  out.Push('\n');
  w.WriteEvent(b, e, out);
  std::string one = "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"message\":\"x\"}";
  EXPECT_EQ(out.view(), "prefix " + one + "\n" + one);
}

TEST(JsonWriterTest, WriteStringQuotesAndEscapes) {
  OutputBuffer out;
  JsonWriter::WriteString("a\"b\\c\n\x80", out);
  EXPECT_EQ(out.view(), "\"a\\\"b\\\\c\\n\xEF\xBF\xBD\"");
}

// A model of the nesting rules: each key is a path; the last value set at a path wins; a value at
// a path that is also an object moves to path.value, where it competes (by order) with an explicit
// path.value. Compared with the writer's output as canonical JSON (sorted keys).
struct ModelNode {
  int order = -1;
  std::string text;
  std::map<std::string, ModelNode> kids;

  void Set(int o, const std::string& t) {
    if (o > order) {
      order = o;
      text = t;
    }
  }
  std::string Canonical() {
    if (kids.empty()) return text;
    if (order >= 0) kids["value"].Set(order, text);
    std::string s = "{";
    for (auto& [k, v] : kids) {
      if (s.size() > 1) s += ",";
      s += "\"" + k + "\":" + v.Canonical();
    }
    return s + "}";
  }
};

void ModelInsert(ModelNode& root, std::string_view key, int order, const std::string& text) {
  ModelNode* node = &root;
  size_t from = 0;
  for (;;) {
    size_t dot = key.find('.', from);
    node = &node->kids[std::string(
        key.substr(from, dot == std::string_view::npos ? dot : dot - from))];
    if (dot == std::string_view::npos) break;
    from = dot + 1;
  }
  node->Set(order, text);
}

TEST(JsonWriterTest, RandomFieldSetsMatchTheNestingModel) {
  const char* kSegments[] = {"a", "b", "value", "message", "host", "log", "tags", "name"};
  std::mt19937 rng(1234);
  JsonWriter w;
  simdjson::dom::parser parser;
  for (int iter = 0; iter < 3000; ++iter) {
    Batch b;
    b.host_name = "h";
    Event& e = b.AddEvent();
    e.message = "m";
    e.tags = rng() % 4 == 0 ? uint32_t{kTagTruncated} : 0u;
    ModelNode model;
    int order = 0;
    ModelInsert(model, "@timestamp", order++, "\"1970-01-01T00:00:00.000Z\"");
    ModelInsert(model, "message", order++, "\"m\"");
    ModelInsert(model, "host.name", order++, "\"h\"");
    int n = static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      std::string key;
      int depth = 1 + static_cast<int>(rng() % 3);
      for (int d = 0; d < depth; ++d) {
        if (d > 0) key += ".";
        key += kSegments[rng() % (sizeof(kSegments) / sizeof(kSegments[0]))];
      }
      bool removed = rng() % 5 == 0;
      b.AddField(e, b.arena().Copy(key), Value::Int(100 + i));
      if (removed) {
        b.fields()[e.last_field].removed = true;
      } else {
        ModelInsert(model, key, order, std::to_string(100 + i));
      }
      ++order;
    }
    if (e.tags != 0) ModelInsert(model, "tags", order++, "[\"truncated\"]");
    std::string json = Write(w, b, e);
    simdjson::dom::element root;
    ASSERT_TRUE(ParseObject(json, parser, &root)) << "iteration " << iter;
    std::string dup;
    ASSERT_EQ(Canonical(root, &dup), model.Canonical()) << "iteration " << iter << ": " << json;
  }
}

TEST(JsonWriterTest, EncodedDocumentsAreWhatWriteEventWritesAndSkipDroppedEvents) {
  Batch b;
  AddSource(b);
  AddTypicalEvent(b);
  Event& second = AddTypicalEvent(b);
  b.AddField(second, "http.response.status_code", Value::Int(404));
  AddTypicalEvent(b).dropped = true;
  Event& fourth = AddTypicalEvent(b);
  fourth.message = b.arena().Copy("quote \" and tab \t");
  std::vector<std::string> before;
  for (const Event& e : b.events()) before.push_back(Write(b, e));

  JsonWriter w;
  w.EncodeDocuments(b);
  ASSERT_TRUE(b.has_documents());
  ASSERT_EQ(b.document_ends.size(), 4u);
  EXPECT_EQ(b.document(2), "") << "a dropped event has no document";
  std::string all;
  for (size_t i = 0; i < 4; ++i) {
    if (i == 2) continue;
    EXPECT_EQ(b.document(i), before[i]) << i;
    // WriteEvent hands out the encoded document.
    EXPECT_EQ(Write(b, b.events()[i]), before[i]) << i;
    all += before[i] + "\n";
  }
  EXPECT_EQ(b.documents.view(), all) << "documents, one line each";

  b.Clear();
  EXPECT_FALSE(b.has_documents());
  EXPECT_TRUE(b.documents.empty());
}

}  // namespace
}  // namespace logship
