// SPDX-License-Identifier: Apache-2.0
#include "parsers/logfmt/logfmt_stage.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parsers/builtin_parsers.h"
#include "src/event/field_ref.h"
#include "tests/testing/stage_harness.h"

namespace logship {
namespace {

using testing::StageHarness;

// Runs the stage built from `yaml` over `lines`. The stage is returned: it must outlive the batch
// (its error messages live in it, as they live in a running pipeline's configuration).
std::unique_ptr<Stage> RunStage(StageHarness& h, std::string_view yaml,
                                const std::vector<std::string>& lines) {
  std::unique_ptr<Stage> stage = h.Build(&MakeLogfmtStage, yaml);
  EXPECT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines(lines);
  if (stage != nullptr) stage->Process(b, EventSelection::All());
  return stage;
}

std::optional<Value> Get(StageHarness& h, size_t i, const std::string& path) {
  return GetField(h.batch(), h.batch().events()[i], FieldRef(path));
}

std::string ErrorType(StageHarness& h, size_t i) {
  return std::string(h.batch().events()[i].error_type);
}
std::string ErrorMessage(StageHarness& h, size_t i) {
  return std::string(h.batch().events()[i].error_message);
}

// The pairs of event i as "key=value" lines (booleans as true), in order.
std::vector<std::string> Pairs(StageHarness& h, size_t i) {
  std::vector<std::string> out;
  h.batch().ForEachField(h.batch().events()[i], [&](const Field& f) {
    std::string v = f.value.kind == ValueKind::kBool ? (f.value.b ? "<true>" : "<false>")
                                                     : std::string(f.value.s);
    out.push_back(std::string(f.key) + "=" + v);
  });
  return out;
}

TEST(LogfmtStageTest, ParsesPairs) {
  StageHarness h;
  auto stage = RunStage(
      h, "type: logfmt\n",
      {R"(level=info msg="user logged in" user_id=42 latency=0.25ms ok path=/api/v1?a=b&c=d)"});
  EXPECT_EQ(Pairs(h, 0),
            (std::vector<std::string>{"level=info", "msg=user logged in", "user_id=42",
                                      "latency=0.25ms", "ok=<true>", "path=/api/v1?a=b&c=d"}));
  // Numbers stay strings: no guessing.
  EXPECT_EQ(Get(h, 0, "user_id")->kind, ValueKind::kString);
  EXPECT_EQ(Get(h, 0, "ok")->kind, ValueKind::kBool);
  EXPECT_EQ(ErrorType(h, 0), "");
  // Parsed: the message is not shipped a second time.
  EXPECT_FALSE(h.batch().events()[0].has_message);
  EXPECT_EQ(h.Text(0, "message"), std::nullopt);
}

TEST(LogfmtStageTest, ValuesAreViewsIntoTheMessageUnlessUnescaped) {
  StageHarness h;
  auto stage = RunStage(h, "type: logfmt\n", {R"(a=bare b="quoted plain" c="with \"escape\"")"});
  std::string_view message = h.batch().events()[0].message;
  auto inside = [&](std::string_view s) {
    return s.data() >= message.data() && s.data() + s.size() <= message.data() + message.size();
  };
  EXPECT_TRUE(inside(Get(h, 0, "a")->s));
  EXPECT_TRUE(inside(Get(h, 0, "b")->s));
  EXPECT_FALSE(inside(Get(h, 0, "c")->s));
  EXPECT_EQ(Get(h, 0, "c")->s, R"(with "escape")");
  h.batch().ForEachField(h.batch().events()[0],
                         [&](const Field& f) { EXPECT_TRUE(inside(f.key)); });
}

TEST(LogfmtStageTest, Escapes) {
  StageHarness h;
  auto stage =
      RunStage(h, "type: logfmt\n",
               {R"(q="a \"b\" c" bs="C:\\tmp" nl="one\ntwo" tab="x\ty" u="caf\u00e9 \ud83d\ude00" )"
                R"(odd="\q \u12" lone="\ud800" slash="a\/b")"});
  EXPECT_EQ(h.Text(0, "q"), R"(a "b" c)");
  EXPECT_EQ(h.Text(0, "bs"), R"(C:\tmp)");
  EXPECT_EQ(h.Text(0, "nl"), "one\ntwo");
  EXPECT_EQ(h.Text(0, "tab"), "x\ty");
  EXPECT_EQ(h.Text(0, "u"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(h.Text(0, "odd"), R"(\q \u12)");  // unknown or broken escapes are kept as written
  EXPECT_EQ(h.Text(0, "lone"), "\xEF\xBF\xBD");
  EXPECT_EQ(h.Text(0, "slash"), "a/b");
  EXPECT_EQ(ErrorType(h, 0), "");
}

TEST(LogfmtStageTest, BareKeysEmptyValuesAndSpacing) {
  StageHarness h;
  auto stage = RunStage(h, "type: logfmt\n", {"  debug a= b=\"\" \t c=1  ", "", "justaword"});
  EXPECT_EQ(Pairs(h, 0), (std::vector<std::string>{"debug=<true>", "a=", "b=", "c=1"}));
  EXPECT_EQ(Get(h, 0, "a")->kind, ValueKind::kString);
  EXPECT_EQ(Pairs(h, 1), std::vector<std::string>{});
  EXPECT_EQ(ErrorType(h, 1), "");
  EXPECT_EQ(Pairs(h, 2), std::vector<std::string>{"justaword=<true>"});
}

TEST(LogfmtStageTest, DuplicateKeysLastWins) {
  StageHarness h;
  auto stage = RunStage(h, "type: logfmt\n", {"a=1 a=2"});
  EXPECT_EQ(h.Text(0, "a"), "2");
  EXPECT_NE(h.Json(0).find(R"("a":"2")"), std::string::npos) << h.Json(0);
}

TEST(LogfmtStageTest, UnterminatedQuoteKeepsWhatCameBefore) {
  StageHarness h;
  auto stage = RunStage(h, "type: logfmt\n", {R"(level=warn msg="no end here x=1)"});
  EXPECT_EQ(Pairs(h, 0), std::vector<std::string>{"level=warn"});
  EXPECT_EQ(ErrorType(h, 0), "logfmt");
  EXPECT_EQ(ErrorMessage(h, 0), "an unterminated quoted value at offset 15");
  EXPECT_TRUE(h.batch().events()[0].has_message);
  EXPECT_EQ(h.batch().events()[0].message, R"(level=warn msg="no end here x=1)");
}

TEST(LogfmtStageTest, MalformedPiecesAreSkippedAndReported) {
  StageHarness h;
  auto stage = RunStage(h, "type: logfmt\n",
                        {R"(=oops a=1)", R"("free text" b=2)", R"(ke"y=1 c=3)", R"(d="x"y e=5)",
                         R"(f="unterminated \")", "g=\x01h=\xff\xfe i"});
  EXPECT_EQ(Pairs(h, 0), std::vector<std::string>{"a=1"});
  EXPECT_EQ(ErrorMessage(h, 0), "a value without a key at offset 0");
  EXPECT_EQ(Pairs(h, 1), std::vector<std::string>{"b=2"});
  EXPECT_EQ(ErrorMessage(h, 1), "a quoted string without a key at offset 0");
  EXPECT_EQ(Pairs(h, 2), std::vector<std::string>{"c=3"});
  EXPECT_EQ(ErrorMessage(h, 2), "a quote inside a key at offset 2");
  EXPECT_EQ(Pairs(h, 3), (std::vector<std::string>{"d=x", "e=5"}));
  EXPECT_EQ(ErrorMessage(h, 3), "text right after a quoted value at offset 5");
  EXPECT_EQ(Pairs(h, 4), std::vector<std::string>{});
  EXPECT_EQ(ErrorType(h, 4), "logfmt");
  // What parsed is kept, and so is the message of a line with a problem.
  for (size_t i = 0; i < 5; ++i) EXPECT_TRUE(h.batch().events()[i].has_message) << i;
  EXPECT_EQ(h.Text(0, "message"), "=oops a=1");
  // Control bytes separate pairs; other bytes are kept (the writer makes them valid UTF-8).
  EXPECT_EQ(Pairs(h, 5), (std::vector<std::string>{"g=", "h=\xff\xfe", "i=<true>"}));
  EXPECT_EQ(ErrorType(h, 5), "");
  EXPECT_NE(h.Json(5).find("\"h\":\"\xEF\xBF\xBD\xEF\xBF\xBD\""), std::string::npos) << h.Json(5);
}

TEST(LogfmtStageTest, Target) {
  StageHarness h;
  auto stage = RunStage(h, "type: logfmt\ntarget: app.ctx\n", {"level=info message=hi"});
  EXPECT_EQ(h.Text(0, "app.ctx.level"), "info");
  EXPECT_EQ(h.Text(0, "app.ctx.message"), "hi");
  EXPECT_EQ(h.Text(0, "level"), std::nullopt);
  // app.ctx.message is not the parsed field: the message goes, target or not.
  EXPECT_EQ(h.Text(0, "message"), std::nullopt);
  EXPECT_EQ(h.Json(0),
            R"({"@timestamp":"2026-11-24T10:15:30.000Z",)"
            R"("log":{"file":{"path":"/var/log/test.log"},"offset":0},)"
            R"("host":{"name":"test-host"},"app":{"ctx":{"level":"info","message":"hi"}}})");
}

TEST(LogfmtStageTest, OverwriteDecidesCollisions) {
  for (bool overwrite : {true, false}) {
    StageHarness h;
    std::unique_ptr<Stage> stage =
        h.Build(&MakeLogfmtStage,
                std::string("type: logfmt\noverwrite: ") + (overwrite ? "true" : "false"));
    ASSERT_NE(stage, nullptr) << h.ErrorText();
    Batch& b = h.Lines({"service=new message=replaced x=1"});
    b.AddField(b.events()[0], "service", Value::String("old"));
    stage->Process(b, EventSelection::All());
    EXPECT_EQ(h.Text(0, "service"), overwrite ? "new" : "old");
    // The line's message key decides the message: replaced, or kept as it was without overwrite.
    EXPECT_TRUE(h.batch().events()[0].has_message);
    EXPECT_EQ(h.batch().events()[0].message,
              overwrite ? "replaced" : "service=new message=replaced x=1");
    EXPECT_EQ(h.Text(0, "x"), "1");
  }
}

TEST(LogfmtStageTest, OtherFieldSelectionAndMissingField) {
  StageHarness h;
  std::unique_ptr<Stage> stage = h.Build(&MakeLogfmtStage, "type: logfmt\nfield: inner\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"m1", "m2", "m3", "m4"});
  b.AddField(b.events()[0], "inner", Value::String("a=1"));
  b.AddField(b.events()[2], "inner", Value::String("b=2"));
  b.AddField(b.events()[3], "inner", Value::Int(5));
  std::vector<uint8_t> marks = {1, 1, 0, 1};
  stage->Process(b, EventSelection(&marks));
  EXPECT_EQ(h.Text(0, "a"), "1");
  // The parsed field goes; the message, which this stage did not parse, stays.
  EXPECT_EQ(h.Text(0, "inner"), std::nullopt);
  EXPECT_EQ(h.Text(0, "message"), "m1");
  EXPECT_EQ(ErrorMessage(h, 1), "field 'inner' is not set");
  EXPECT_EQ(h.Text(2, "b"), std::nullopt);  // not selected
  EXPECT_EQ(h.Text(2, "inner"), "b=2");
  EXPECT_EQ(ErrorType(h, 2), "");
  EXPECT_EQ(ErrorMessage(h, 3), "field 'inner' is not text");
  EXPECT_EQ(h.Text(3, "inner"), "5");
}

TEST(LogfmtStageTest, AMessageKeyKeepsItsParsedValue) {
  StageHarness h;
  auto stage = RunStage(h, "type: logfmt\n", {R"(level=info message="user logged in")", "a=1"});
  EXPECT_TRUE(h.batch().events()[0].has_message);
  EXPECT_EQ(h.Text(0, "message"), "user logged in");
  EXPECT_EQ(h.Text(0, "level"), "info");
  EXPECT_EQ(h.Text(1, "message"), std::nullopt);
}

TEST(LogfmtStageTest, KeepOriginalPutsTheParsedTextInEventOriginal) {
  StageHarness h;
  const std::string line = R"(level=warn msg="disk almost full")";
  const std::string broken = R"(level=warn msg="unterminated)";
  auto stage = RunStage(h, "type: logfmt\nkeep_original: true\n", {line, broken});
  EXPECT_FALSE(h.batch().events()[0].has_message);
  EXPECT_EQ(h.Text(0, "event.original"), line);
  EXPECT_EQ(h.Text(0, "msg"), "disk almost full");
  // A view of the line's bytes in the arena, not a copy: the values lie inside it.
  const Field* original = h.batch().FindField(h.batch().events()[0], "event.original");
  ASSERT_NE(original, nullptr);
  std::string_view msg = Get(h, 0, "msg")->s;
  EXPECT_GE(msg.data(), original->value.s.data());
  EXPECT_LE(msg.data() + msg.size(), original->value.s.data() + original->value.s.size());
  EXPECT_NE(h.Json(0).find(R"("event":{"original":"level=warn msg=\"disk almost full\""})"),
            std::string::npos)
      << h.Json(0);
  // A problem: the message stays, tagged, and no copy of it is added.
  EXPECT_EQ(ErrorType(h, 1), "logfmt");
  EXPECT_EQ(h.Text(1, "message"), broken);
  EXPECT_EQ(h.Text(1, "event.original"), std::nullopt);
}

TEST(LogfmtStageTest, PlainTextParsesAsFlagsAndLosesItsMessage) {
  // logfmt reads any text without quotes (a bare word is a flag): documented, and the reason the
  // README suggests `when:` or keep_original for mixed files.
  StageHarness h;
  auto stage = RunStage(h, "type: logfmt\n", {"Starting server"});
  EXPECT_EQ(Pairs(h, 0), (std::vector<std::string>{"Starting=<true>", "server=<true>"}));
  EXPECT_EQ(ErrorType(h, 0), "");
  EXPECT_EQ(h.Text(0, "message"), std::nullopt);
}

TEST(LogfmtStageTest, ACustomFieldNamedByAKeyStaysWithTheParsedValue) {
  StageHarness h;
  std::unique_ptr<Stage> stage =
      h.Build(&MakeLogfmtStage, "type: logfmt\nfield: ctx.raw\ntarget: ctx\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"m1", "m2"});
  b.AddField(b.events()[0], "ctx.raw", Value::String("raw=inner n=1"));
  b.AddField(b.events()[1], "ctx.raw", Value::String("n=2"));
  stage->Process(b, EventSelection::All());
  EXPECT_EQ(h.Text(0, "ctx.raw"), "inner");  // the key under the target is the parsed field
  EXPECT_EQ(h.Text(0, "ctx.n"), "1");
  EXPECT_EQ(h.Text(1, "ctx.raw"), std::nullopt);
  EXPECT_EQ(h.Text(1, "ctx.n"), "2");
  EXPECT_EQ(h.Text(1, "message"), "m2");
}

TEST(LogfmtStageTest, ConfigErrors) {
  StageHarness h;
  EXPECT_EQ(
      h.Build(&MakeLogfmtStage,
              "type: logfmt\nfield: ''\noverwrite: maybe\ntarget: a.\nx: 1\nkeep_original: 2\n"),
      nullptr);
  std::string e = h.ErrorText();
  EXPECT_NE(e.find("stage.yaml:2:8: option 'field': must not be empty"), std::string::npos) << e;
  EXPECT_NE(e.find("stage.yaml:3:12: option 'overwrite': expected true or false"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("option 'target': must be a dotted field name"), std::string::npos) << e;
  EXPECT_NE(e.find("stage.yaml:5:1: unknown option 'x'"), std::string::npos) << e;
  EXPECT_NE(e.find("stage.yaml:6:16: option 'keep_original': expected true or false"),
            std::string::npos)
      << e;
}

TEST(LogfmtStageTest, RegisteredUnderItsType) {
  Registry registry;
  RegisterBuiltinParsers(registry);
  EXPECT_EQ(registry.FindStage("logfmt"), &MakeLogfmtStage);
}

}  // namespace
}  // namespace logship
