// SPDX-License-Identifier: Apache-2.0
// FieldRef access: built-ins, dynamic fields shadowing them, objects (subtrees), overwrite, rename
// onto existing fields and into its own parent or child, and the arena that rebuilt keys live in.
// What GetField reads must always be what JsonWriter writes.

#include "src/event/field_ref.h"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <string>
#include <vector>

#include "src/event/batch.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"
#include "tests/testing/canonical_json.h"

namespace logship {
namespace {

constexpr int64_t kTs = 1795515330000000000;  // 2026-11-24T10:15:30Z

class FieldRefTest : public ::testing::Test {
 protected:
  FieldRefTest() {
    batch_.host_name = "web-1";
    batch_.sources().push_back(BatchSource{1, batch_.arena().Copy("/var/log/app.log"), 100});
  }

  Event& AddEvent(std::string_view message = "hello") {
    Event& e = batch_.AddEvent();
    e.message = batch_.arena().Copy(message);
    e.timestamp_ns = kTs;
    e.source = 0;
    e.offset = 42;
    return e;
  }
  Event& event(size_t i = 0) { return batch_.events()[i]; }

  // FieldRefs must outlive the batch (they live in the configuration); the fixture keeps them.
  const FieldRef& Ref(const std::string& path) { return refs_.emplace_back(path); }

  std::optional<std::string> Text(const std::string& path, size_t i = 0) {
    std::string scratch;
    std::optional<std::string_view> v = GetFieldText(batch_, event(i), Ref(path), scratch);
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  bool Exists(const std::string& path, size_t i = 0) {
    return FieldExists(batch_, event(i), Ref(path));
  }
  bool Set(const std::string& path, Value v, bool overwrite = true, size_t i = 0) {
    return SetField(batch_, event(i), Ref(path), v, overwrite);
  }
  bool Remove(const std::string& path, size_t i = 0) {
    return RemoveField(batch_, event(i), Ref(path));
  }
  bool Rename(const std::string& from, const std::string& to, size_t i = 0) {
    return RenameField(batch_, event(i), Ref(from), Ref(to));
  }
  std::string Json(size_t i = 0) {
    JsonWriter w;
    OutputBuffer out;
    w.WriteEvent(batch_, event(i), out);
    return std::string(out.view());
  }
  // Event i as written, with sorted keys (member order is JsonWriter's business).
  std::string Canon(size_t i = 0) { return testing::CanonicalJson(Json(i)); }
  // The fixture's built-ins (message "hello") plus `members`, which must not merge into them.
  static std::string With(std::string_view members) {
    std::string json =
        R"({"@timestamp":"2026-11-24T10:15:30.000Z","message":"hello",)"
        R"("log":{"file":{"path":"/var/log/app.log"},"offset":42},"host":{"name":"web-1"})";
    if (!members.empty()) json += "," + std::string(members);
    return testing::CanonicalJson(json + "}");
  }
  // Live dynamic fields of event i, as "key=text" in chain order.
  std::vector<std::string> Dynamic(size_t i = 0) {
    std::vector<std::string> out;
    batch_.ForEachField(event(i), [&](const Field& f) {
      OutputBuffer b;
      JsonWriter::WriteValue(f.value, b);
      out.push_back(std::string(f.key) + "=" + std::string(b.view()));
    });
    return out;
  }

  Batch batch_;
  std::deque<FieldRef> refs_;
};

using Strings = std::vector<std::string>;

TEST_F(FieldRefTest, ResolvesBuiltinNamesOnce) {
  EXPECT_EQ(FieldRef("@timestamp").builtin(), BuiltinField::kTimestamp);
  EXPECT_EQ(FieldRef("message").builtin(), BuiltinField::kMessage);
  EXPECT_EQ(FieldRef("log.file.path").builtin(), BuiltinField::kFilePath);
  EXPECT_EQ(FieldRef("log.offset").builtin(), BuiltinField::kOffset);
  EXPECT_EQ(FieldRef("host.name").builtin(), BuiltinField::kHostName);
  EXPECT_EQ(FieldRef("error.type").builtin(), BuiltinField::kErrorType);
  EXPECT_EQ(FieldRef("error.message").builtin(), BuiltinField::kErrorMessage);
  EXPECT_EQ(FieldRef("log").builtin(), BuiltinField::kNone);
  EXPECT_EQ(FieldRef("messages").builtin(), BuiltinField::kNone);
  EXPECT_EQ(FieldRef("Message").builtin(), BuiltinField::kNone);
  EXPECT_TRUE(FieldRef().empty());
}

TEST_F(FieldRefTest, GetsEveryBuiltin) {
  AddEvent("GET / 200");
  EXPECT_EQ(Text("message"), "GET / 200");
  EXPECT_EQ(Text("@timestamp"), std::to_string(kTs));
  std::optional<Value> ts = GetField(batch_, event(), Ref("@timestamp"));
  ASSERT_TRUE(ts);
  EXPECT_EQ(ts->kind, ValueKind::kInt);
  EXPECT_EQ(ts->i, kTs);
  EXPECT_EQ(Text("log.file.path"), "/var/log/app.log");
  EXPECT_EQ(Text("log.offset"), "42");
  EXPECT_EQ(Text("host.name"), "web-1");
  EXPECT_EQ(Text("error.type"), std::nullopt);
  EXPECT_EQ(Text("error.message"), std::nullopt);
  event().error_type = "json";
  event().error_message = "not an object";
  EXPECT_EQ(Text("error.type"), "json");
  EXPECT_EQ(Text("error.message"), "not an object");
}

TEST_F(FieldRefTest, BuiltinsAreUnsetWhenTheEventLacksThem) {
  Event& e = AddEvent();
  e.source = kNoIndex;
  e.has_message = false;
  batch_.host_name = {};
  EXPECT_EQ(Text("message"), std::nullopt);
  EXPECT_EQ(Text("log.file.path"), std::nullopt);
  EXPECT_EQ(Text("log.offset"), std::nullopt);
  EXPECT_EQ(Text("host.name"), std::nullopt);
  EXPECT_FALSE(Exists("log"));
  EXPECT_FALSE(Exists("host"));
  EXPECT_TRUE(Exists("@timestamp"));  // every event has one
}

TEST_F(FieldRefTest, TextOfEveryKindIsItsJsonText) {
  AddEvent();
  Set("s", Value::String("text"));
  Set("i", Value::Int(-500));
  Set("d", Value::Double(0.1));
  Set("whole", Value::Double(3.0));
  Set("big", Value::Double(1e300));
  Set("nan", Value::Double(std::nan("")));
  Set("t", Value::Bool(true));
  Set("f", Value::Bool(false));
  Set("n", Value::Null());
  Set("j", Value::Json("1e400"));
  EXPECT_EQ(Text("s"), "text");
  EXPECT_EQ(Text("i"), "-500");
  EXPECT_EQ(Text("d"), "0.1");
  // As JsonWriter writes it: a double always has a fraction or an exponent.
  EXPECT_EQ(Text("whole"), "3.0");
  EXPECT_EQ(Text("big"), "1e+300");
  EXPECT_EQ(Text("nan"), "null");
  EXPECT_EQ(Text("t"), "true");
  EXPECT_EQ(Text("f"), "false");
  EXPECT_EQ(Text("n"), "null");
  EXPECT_EQ(Text("j"), "1e400");
  EXPECT_EQ(Text("missing"), std::nullopt);
  EXPECT_NE(Json().find(R"("whole":3.0)"), std::string::npos) << Json();
  EXPECT_NE(Json().find(R"("big":1e+300)"), std::string::npos) << Json();
}

TEST_F(FieldRefTest, SettingTwiceReplacesInPlace) {
  AddEvent();
  EXPECT_TRUE(Set("a.b", Value::Int(1)));
  EXPECT_TRUE(Set("a.b", Value::Int(2)));
  EXPECT_EQ(batch_.fields().size(), 1u) << "repeated sets must not grow the chain";
  EXPECT_EQ(Text("a.b"), "2");
  EXPECT_EQ(Dynamic(), Strings{"a.b=2"});
}

TEST_F(FieldRefTest, LastAddedDynamicFieldWins) {
  AddEvent();
  batch_.AddField(event(), "k", Value::Int(1));
  batch_.AddField(event(), "k", Value::Int(2));
  EXPECT_EQ(Text("k"), "2");
  EXPECT_EQ(Canon(), With(R"("k":2)"));
}

TEST_F(FieldRefTest, SettingMessageChangesTheBuiltin) {
  AddEvent();
  EXPECT_TRUE(Set("message", Value::String("rewritten")));
  EXPECT_EQ(event().message, "rewritten");
  EXPECT_TRUE(batch_.fields().empty());
  // A message that is not a string shadows the built-in as a dynamic field.
  EXPECT_TRUE(Set("message", Value::Int(5)));
  EXPECT_EQ(Text("message"), "5");
  EXPECT_EQ(Canon(),
            testing::CanonicalJson(R"({"@timestamp":"2026-11-24T10:15:30.000Z","message":5,)"
                                   R"("log":{"file":{"path":"/var/log/app.log"},"offset":42},)"
                                   R"("host":{"name":"web-1"}})"));
  // And a string again takes the built-in back, dropping the shadow.
  EXPECT_TRUE(Set("message", Value::String("again")));
  EXPECT_TRUE(Dynamic().empty());
  EXPECT_EQ(Text("message"), "again");
}

TEST_F(FieldRefTest, TimestampTakesIntegerNanoseconds) {
  AddEvent();
  EXPECT_TRUE(Set("@timestamp", Value::Int(kTs + 1'000'000)));
  EXPECT_EQ(event().timestamp_ns, kTs + 1'000'000);
  EXPECT_TRUE(batch_.fields().empty());
  EXPECT_TRUE(Set("@timestamp", Value::String("yesterday")));
  EXPECT_EQ(Text("@timestamp"), "yesterday");
  EXPECT_EQ(Canon(),
            testing::CanonicalJson(R"({"@timestamp":"yesterday","message":"hello",)"
                                   R"("log":{"file":{"path":"/var/log/app.log"},"offset":42},)"
                                   R"("host":{"name":"web-1"}})"));
}

TEST_F(FieldRefTest, DynamicFieldsShadowReadOnlyBuiltins) {
  AddEvent();
  EXPECT_TRUE(Set("host.name", Value::String("web-2")));
  EXPECT_TRUE(Set("log.offset", Value::String("n/a")));
  EXPECT_TRUE(Set("log.file.path", Value::String("/elsewhere")));
  EXPECT_EQ(Text("host.name"), "web-2");
  EXPECT_EQ(Text("log.offset"), "n/a");
  EXPECT_EQ(Text("log.file.path"), "/elsewhere");
  EXPECT_EQ(Canon(),
            testing::CanonicalJson(R"({"@timestamp":"2026-11-24T10:15:30.000Z","message":"hello",)"
                                   R"("log":{"file":{"path":"/elsewhere"},"offset":"n/a"},)"
                                   R"("host":{"name":"web-2"}})"));
  // Removing the shadow uncovers the built-in again.
  EXPECT_TRUE(Remove("host.name"));
  EXPECT_EQ(Text("host.name"), "web-1");
}

TEST_F(FieldRefTest, ErrorFieldsAreSetTogether) {
  AddEvent();
  EXPECT_TRUE(Set("error.type", Value::String("regex")));
  EXPECT_TRUE(Set("error.message", Value::String("no pattern matched")));
  EXPECT_EQ(event().error_type, "regex");
  EXPECT_EQ(event().error_message, "no pattern matched");
  EXPECT_TRUE(batch_.fields().empty());
  EXPECT_EQ(Canon(), With(R"("error":{"type":"regex","message":"no pattern matched"})"));
}

TEST_F(FieldRefTest, ErrorMessageWithoutAnErrorTypeIsStillWritten) {
  AddEvent();
  EXPECT_TRUE(Set("error.message", Value::String("lonely")));
  EXPECT_EQ(Text("error.message"), "lonely");
  EXPECT_TRUE(Exists("error"));
  EXPECT_EQ(Canon(), With(R"("error":{"message":"lonely"})"));
}

TEST_F(FieldRefTest, AStagesErrorWinsOverAParsedErrorField) {
  // A json stage put {"error":{"type":"upstream"}} at the root, then a later stage failed: the
  // output says "timestamp" (JsonWriter writes the built-in error last), so conditions must too.
  AddEvent();
  batch_.AddField(event(), "error.type", Value::String("upstream"));
  EXPECT_EQ(Text("error.type"), "upstream");
  event().error_type = "timestamp";
  event().error_message = "no format matched";
  EXPECT_EQ(Text("error.type"), "timestamp");
  EXPECT_EQ(Text("error.message"), "no format matched");
  EXPECT_EQ(Canon(), With(R"("error":{"type":"timestamp","message":"no format matched"})"));
}

TEST_F(FieldRefTest, OverwriteFalseKeepsWhatIsSet) {
  AddEvent();
  EXPECT_TRUE(Set("a", Value::Int(1), /*overwrite=*/false));
  EXPECT_FALSE(Set("a", Value::Int(2), /*overwrite=*/false));
  EXPECT_EQ(Text("a"), "1");
  EXPECT_FALSE(Set("message", Value::String("x"), false));
  EXPECT_EQ(Text("message"), "hello");
  EXPECT_FALSE(Set("host.name", Value::String("x"), false));
  EXPECT_EQ(Text("host.name"), "web-1");
  EXPECT_FALSE(Set("@timestamp", Value::Int(1), false));
  EXPECT_TRUE(Set("error.type", Value::String("x"), false));  // not set before
  EXPECT_TRUE(Set("a", Value::Int(3), /*overwrite=*/true));
  EXPECT_EQ(Text("a"), "3");
}

TEST_F(FieldRefTest, ExistsForValuesAndObjects) {
  AddEvent();
  Set("http.request.method", Value::String("GET"));
  Set("ab", Value::Int(1));
  EXPECT_TRUE(Exists("http"));
  EXPECT_TRUE(Exists("http.request"));
  EXPECT_TRUE(Exists("http.request.method"));
  EXPECT_FALSE(Exists("http.req"));
  EXPECT_FALSE(Exists("http.request.method.x"));
  EXPECT_FALSE(Exists("a"));  // "ab" is not below "a"
  EXPECT_TRUE(Exists("log"));
  EXPECT_TRUE(Exists("log.file"));
  EXPECT_TRUE(Exists("host"));
  EXPECT_FALSE(Exists("error"));
  event().error_type = "json";
  EXPECT_TRUE(Exists("error"));
  // An object is not a value.
  EXPECT_EQ(GetField(batch_, event(), Ref("http")), std::nullopt);
}

TEST_F(FieldRefTest, RemoveTakesTheWholeSubtree) {
  AddEvent();
  Set("a", Value::Int(1));
  Set("a.b", Value::Int(2));
  Set("a.b.c", Value::Int(3));
  Set("ab", Value::Int(4));
  Set("x.a", Value::Int(5));
  EXPECT_TRUE(Remove("a"));
  EXPECT_EQ(Dynamic(), (Strings{"ab=4", "x.a=5"}));
  EXPECT_FALSE(Remove("a"));
  EXPECT_FALSE(Remove("nothing.here"));
}

TEST_F(FieldRefTest, RemoveMessageAndErrors) {
  AddEvent();
  EXPECT_TRUE(Remove("message"));
  EXPECT_FALSE(event().has_message);
  EXPECT_EQ(Text("message"), std::nullopt);
  EXPECT_EQ(Json().find("message"), std::string::npos) << Json();
  EXPECT_FALSE(Remove("message"));

  event().error_type = "json";
  event().error_message = "bad";
  EXPECT_TRUE(Remove("error.type"));  // the pair goes together
  EXPECT_FALSE(Exists("error"));
  event().error_type = "json";
  EXPECT_TRUE(Remove("error"));
  EXPECT_FALSE(Exists("error"));
  EXPECT_FALSE(Remove("error"));
}

TEST_F(FieldRefTest, OnlyTheMessageTheErrorAndDynamicFieldsCanBeRemoved) {
  EXPECT_TRUE(CanRemove(FieldRef("message")));
  EXPECT_TRUE(CanRemove(FieldRef("error.type")));
  EXPECT_TRUE(CanRemove(FieldRef("error.message")));
  EXPECT_TRUE(CanRemove(FieldRef("error")));
  EXPECT_TRUE(CanRemove(FieldRef("anything.else")));
  // A parsed Docker line has a "log" value of its own: it can go, the built-ins below stay.
  EXPECT_TRUE(CanRemove(FieldRef("log")));
  EXPECT_FALSE(CanRemove(FieldRef("@timestamp")));
  EXPECT_FALSE(CanRemove(FieldRef("log.file.path")));
  EXPECT_FALSE(CanRemove(FieldRef("log.offset")));
  EXPECT_FALSE(CanRemove(FieldRef("host.name")));
}

TEST_F(FieldRefTest, RemovingAnObjectKeepsTheBuiltinsBelowIt) {
  AddEvent();
  Set("log", Value::String("docker line"));
  Set("log.level", Value::String("info"));
  EXPECT_TRUE(Remove("log"));
  EXPECT_TRUE(Dynamic().empty());
  EXPECT_EQ(Text("log.offset"), "42");
}

TEST_F(FieldRefTest, RenameMovesAValue) {
  AddEvent();
  Set("old", Value::Int(1));
  EXPECT_TRUE(Rename("old", "new"));
  EXPECT_EQ(Text("old"), std::nullopt);
  EXPECT_EQ(Text("new"), "1");
  EXPECT_EQ(batch_.fields().size(), 1u) << "renamed in place";
}

TEST_F(FieldRefTest, RenameMovesASubtreeWithRebuiltKeys) {
  AddEvent();
  Set("req.method", Value::String("GET"));
  Set("req.headers.host", Value::String("example.com"));
  Set("request", Value::Int(9));  // not below "req"
  EXPECT_TRUE(Rename("req", "http.request"));
  EXPECT_EQ(Dynamic(), (Strings{R"(http.request.method="GET")",
                                R"(http.request.headers.host="example.com")", "request=9"}));
  EXPECT_EQ(Canon(), With(R"("http":{"request":{"method":"GET","headers":{"host":"example.com"}}},)"
                          R"("request":9)"));
}

TEST_F(FieldRefTest, RenameOntoAnExistingFieldReplacesIt) {
  AddEvent();
  Set("a", Value::Int(1));
  Set("b", Value::Int(2));
  Set("b.inner", Value::Int(3));
  EXPECT_TRUE(Rename("a", "b"));
  EXPECT_EQ(Dynamic(), Strings{"b=1"}) << "the whole of the old 'b' is replaced, not merged";
}

TEST_F(FieldRefTest, RenameOfAMissingFieldChangesNothing) {
  AddEvent();
  Set("b", Value::Int(2));
  EXPECT_FALSE(Rename("a", "b"));
  EXPECT_EQ(Dynamic(), Strings{"b=2"});
  EXPECT_TRUE(Rename("b", "b"));
  EXPECT_FALSE(Rename("a", "a"));
}

TEST_F(FieldRefTest, RenameToItsOwnParentObject) {
  // Unwrapping {"data":{"value":…}}: the target "data" holds the source; the source must survive.
  AddEvent();
  Set("data.value", Value::Int(7));
  Set("data.other", Value::Int(8));
  EXPECT_TRUE(Rename("data.value", "data"));
  EXPECT_EQ(Dynamic(), Strings{"data=7"});
}

TEST_F(FieldRefTest, RenameIntoItsOwnSubtree) {
  AddEvent();
  Set("a", Value::Int(1));
  Set("a.b", Value::Int(2));
  EXPECT_TRUE(Rename("a", "a.b"));
  EXPECT_EQ(Dynamic(), (Strings{"a.b=1", "a.b.b=2"}));
}

TEST_F(FieldRefTest, RenameMessageMovesTheBuiltin) {
  AddEvent("raw line");
  EXPECT_TRUE(Rename("message", "event.original"));
  EXPECT_FALSE(event().has_message);
  EXPECT_EQ(Text("event.original"), "raw line");
  EXPECT_EQ(Canon(),
            testing::CanonicalJson(R"({"@timestamp":"2026-11-24T10:15:30.000Z",)"
                                   R"("log":{"file":{"path":"/var/log/app.log"},"offset":42},)"
                                   R"("host":{"name":"web-1"},"event":{"original":"raw line"}})"));
}

TEST_F(FieldRefTest, RenameMessageKeepsWhatAStageSetBelowIt) {
  AddEvent("raw line");
  Set("message.parsed", Value::Int(1));
  EXPECT_TRUE(Rename("message", "msg"));
  EXPECT_EQ(Text("msg"), "raw line");
  EXPECT_EQ(Text("msg.parsed"), "1");
  EXPECT_FALSE(Exists("message"));
}

TEST_F(FieldRefTest, RenameOfAShadowedMessageMovesTheShadow) {
  AddEvent("raw line");
  Set("message", Value::Int(5));  // shadows the built-in, which is no longer visible
  EXPECT_TRUE(Rename("message", "code"));
  EXPECT_EQ(Text("code"), "5");
  EXPECT_FALSE(Exists("message"));
}

TEST_F(FieldRefTest, RenameOntoTheMessage) {
  AddEvent("{\"log\":\"hi\"}");
  Set("log", Value::String("hi"));  // a Docker line, parsed
  EXPECT_TRUE(Rename("log", "message"));
  EXPECT_EQ(Text("message"), "hi");
  EXPECT_EQ(Text("log.offset"), "42");
  EXPECT_EQ(Canon(),
            testing::CanonicalJson(R"({"@timestamp":"2026-11-24T10:15:30.000Z","message":"hi",)"
                                   R"("log":{"file":{"path":"/var/log/app.log"},"offset":42},)"
                                   R"("host":{"name":"web-1"}})"));
}

TEST_F(FieldRefTest, RenameTheErrorObject) {
  AddEvent();
  event().error_type = "json";
  event().error_message = "truncated";
  Set("error.stack", Value::String("at x"));
  EXPECT_TRUE(Rename("error", "parse_error"));
  EXPECT_FALSE(Exists("error"));
  EXPECT_EQ(Text("parse_error.type"), "json");
  EXPECT_EQ(Text("parse_error.message"), "truncated");
  EXPECT_EQ(Text("parse_error.stack"), "at x");
}

TEST_F(FieldRefTest, RenameErrorTypeAloneKeepsTheMessage) {
  AddEvent();
  event().error_type = "json";
  event().error_message = "truncated";
  EXPECT_TRUE(Rename("error.type", "failed_stage"));
  EXPECT_EQ(Text("failed_stage"), "json");
  EXPECT_EQ(Text("error.type"), std::nullopt);
  EXPECT_EQ(Text("error.message"), "truncated");
  EXPECT_EQ(Canon(), With(R"("failed_stage":"json","error":{"message":"truncated"})"));
}

TEST_F(FieldRefTest, RenameOntoTheErrorReplacesIt) {
  AddEvent();
  event().error_type = "json";
  event().error_message = "truncated";
  Set("problem", Value::String("custom"));
  EXPECT_TRUE(Rename("problem", "error.type"));
  EXPECT_EQ(Text("error.type"), "custom");
  EXPECT_EQ(Text("error.message"), "");  // as written: an error type always has a message
  EXPECT_EQ(Canon(), With(R"("error":{"type":"custom","message":""})"));
}

TEST_F(FieldRefTest, ReadOnlyBuiltinsStayWhenTheirObjectIsRenamed) {
  AddEvent();
  Set("log.level", Value::String("warn"));
  EXPECT_TRUE(Rename("log", "app_log"));
  EXPECT_EQ(Text("app_log.level"), "warn");
  EXPECT_EQ(Text("log.file.path"), "/var/log/app.log");
  EXPECT_EQ(Text("log.level"), std::nullopt);
}

TEST_F(FieldRefTest, RebuiltKeysLiveInTheArenaAsLongAsTheBatch) {
  // Enough renames that the arena moves on to new chunks: earlier keys must stay valid.
  const int kEvents = 5000;
  std::string long_name(300, 'k');
  for (int i = 0; i < kEvents; ++i) {
    Event& e = AddEvent();
    batch_.AddField(e, "src.a", Value::String(batch_.arena().Copy(std::to_string(i))));
  }
  size_t capacity_before = batch_.arena().capacity();
  for (int i = 0; i < kEvents; ++i) ASSERT_TRUE(Rename("src", long_name, static_cast<size_t>(i)));
  EXPECT_GT(batch_.arena().capacity(), capacity_before) << "the test should span arena chunks";
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_EQ(Text(long_name + ".a", static_cast<size_t>(i)), std::to_string(i)) << i;
  }
  // Clearing the batch forgets the keys with the events; the batch is reusable.
  batch_.Clear();
  EXPECT_TRUE(batch_.fields().empty());
  EXPECT_EQ(batch_.arena().used(), 0u);
}

}  // namespace
}  // namespace logship
