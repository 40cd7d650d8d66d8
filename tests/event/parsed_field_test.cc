// SPDX-License-Identifier: Apache-2.0
// ParsedField::Consume, what the json, regex and logfmt stages do with the field they parsed: the
// value it had before the parse goes (and only that value), unless the parse wrote the field;
// keep_original keeps the parsed text as event.original, a view rather than a copy.

#include "src/event/parsed_field.h"

#include <gtest/gtest.h>

#include <string>

#include "src/event/batch.h"
#include "src/event/field_ref.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"

namespace logship {
namespace {

class ParsedFieldTest : public ::testing::Test {
 protected:
  ParsedFieldTest() {
    batch_.host_name = "web-1";
    batch_.sources().push_back(BatchSource{1, batch_.arena().Copy("/var/log/app.log"), 100});
    batch_.events().reserve(8);  // events stay where they are while a test adds more
  }

  Event& AddEvent(std::string_view message) {
    Event& e = batch_.AddEvent();
    e.message = batch_.arena().Copy(message);
    e.source = 0;
    return e;
  }
  uint32_t FieldCount() const { return static_cast<uint32_t>(batch_.fields().size()); }
  std::optional<std::string> Text(const Event& e, const std::string& path) {
    std::string scratch;
    std::optional<std::string_view> v = GetFieldText(batch_, e, FieldRef(path), scratch);
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  int Count(const Event& e, std::string_view key) {
    int n = 0;
    batch_.ForEachField(e, [&](const Field& f) { n += f.key == key ? 1 : 0; });
    return n;
  }

  Batch batch_;
};

TEST_F(ParsedFieldTest, RemovesTheMessageButNotWhatTheParseAddedBelowIt) {
  ParsedField field("message", false);
  Event& e = AddEvent(R"({"message":{"text":"hi"}})");
  const uint32_t before = FieldCount();
  batch_.AddField(e, "message.text", Value::String("hi"));  // the parse's object under message
  field.Consume(batch_, e, e.message, before, false);
  EXPECT_FALSE(e.has_message);
  EXPECT_EQ(Text(e, "message"), std::nullopt);
  EXPECT_EQ(Text(e, "message.text"), "hi");
  EXPECT_EQ(Text(e, "event.original"), std::nullopt);
}

TEST_F(ParsedFieldTest, LeavesAFieldTheParseWrote) {
  ParsedField field("message", true);
  Event& e = AddEvent("<13>host app: text");
  const std::string_view raw = e.message;
  const uint32_t before = FieldCount();
  SetField(batch_, e, field.ref(), Value::String(raw.substr(14)));  // the parse's message
  field.Consume(batch_, e, raw, before, true);
  EXPECT_TRUE(e.has_message);
  EXPECT_EQ(Text(e, "message"), "text");
  // keep_original applies all the same: the raw text, as a view of its bytes.
  const Field* original = batch_.FindField(e, "event.original");
  ASSERT_NE(original, nullptr);
  EXPECT_EQ(original->value.s.data(), raw.data());
  EXPECT_EQ(original->value.s.size(), raw.size());
}

TEST_F(ParsedFieldTest, RemovesOnlyTheRecordsOfADynamicFieldFromBeforeTheParse) {
  ParsedField field("payload", false);
  Event& e = AddEvent("line");
  batch_.AddField(e, "payload", Value::String("old"));
  batch_.AddField(e, "payload.meta", Value::String("below"));
  batch_.AddField(e, "payload", Value::String("a=1"));  // the last one is the field's value
  Event& other = AddEvent("other line");
  batch_.AddField(other, "payload", Value::String("not this event's"));
  const uint32_t before = FieldCount();
  batch_.AddField(e, "a", Value::String("1"));
  field.Consume(batch_, e, "a=1", before, false);
  EXPECT_EQ(Count(e, "payload"), 0);
  EXPECT_EQ(Text(e, "payload.meta"), "below");  // an object below it is not the field
  EXPECT_EQ(Text(e, "a"), "1");
  EXPECT_EQ(Text(e, "message"), "line");  // a field that was not parsed stays
  EXPECT_EQ(Text(other, "payload"), "not this event's");
}

TEST_F(ParsedFieldTest, ADynamicMessageGoesWithTheBuiltInItShadows) {
  // Otherwise the raw line it hid would come back.
  ParsedField field("message", false);
  Event& e = AddEvent("raw line");
  batch_.AddField(e, "message", Value::Json("5"));
  const uint32_t before = FieldCount();
  field.Consume(batch_, e, "5", before, false);
  EXPECT_FALSE(e.has_message);
  EXPECT_EQ(Text(e, "message"), std::nullopt);
}

TEST_F(ParsedFieldTest, NeverRemovesTheOtherBuiltIns) {
  for (const char* path : {"host.name", "log.file.path", "@timestamp"}) {
    SCOPED_TRACE(path);
    ParsedField field(path, false);
    Event& e = AddEvent("line");
    std::string scratch;
    std::string value(GetFieldText(batch_, e, field.ref(), scratch).value_or(""));
    field.Consume(batch_, e, value, FieldCount(), false);
    EXPECT_EQ(Text(e, path), value);
    EXPECT_TRUE(e.has_message);
  }
}

TEST_F(ParsedFieldTest, KeepOriginalKeepsTheFirstOriginal) {
  ParsedField field("message", true);
  Event& e = AddEvent("second parse");
  batch_.AddField(e, "event.original", Value::String("the line as read"));
  field.Consume(batch_, e, e.message, FieldCount(), false);
  EXPECT_EQ(Text(e, "event.original"), "the line as read");
  EXPECT_EQ(Count(e, "event.original"), 1);
  EXPECT_FALSE(e.has_message);

  Event& f = AddEvent("first parse");
  field.Consume(batch_, f, f.message, FieldCount(), false);
  EXPECT_EQ(Text(f, "event.original"), "first parse");
  JsonWriter writer;
  OutputBuffer out;
  writer.WriteEvent(batch_, f, out);
  EXPECT_EQ(out.view(),
            R"({"@timestamp":"1970-01-01T00:00:00.000Z","log":{"file":{"path":"/var/log/app.log"},)"
            R"("offset":0},"host":{"name":"web-1"},"event":{"original":"first parse"}})");
}

TEST_F(ParsedFieldTest, NamesOnlyTheFieldItself) {
  ParsedField field("app.raw", false);
  EXPECT_TRUE(field.Names("app.raw"));
  EXPECT_FALSE(field.Names("app.raw.x"));
  EXPECT_FALSE(field.Names("app"));
  EXPECT_FALSE(field.Names("raw"));
  EXPECT_EQ(field.path(), "app.raw");
  EXPECT_FALSE(field.keep_original());
}

}  // namespace
}  // namespace logship
