// SPDX-License-Identifier: Apache-2.0
// Templates: parsing ("{{field}}" references, errors), rendering built-ins and dynamic fields as
// their JSON text, missing fields rendered empty, and no allocation once the buffer has grown.

#include "src/pipeline/template.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "src/event/batch.h"
#include "src/event/field_ref.h"
#include "tests/testing/alloc/allocation_counter.h"

namespace logship {
namespace {

class TemplateTest : public ::testing::Test {
 protected:
  TemplateTest() {
    batch_.host_name = "web-1";
    batch_.sources().push_back(BatchSource{1, "/var/log/app.log", 10});
    Event& e = batch_.AddEvent();
    e.message = "hello";
    e.timestamp_ns = 1795515330000000000;
    e.source = 0;
    e.offset = 7;
  }
  Event& event() { return batch_.events()[0]; }
  void Set(const std::string& path, Value v) {
    SetField(batch_, event(), refs_.emplace_back(path), v);
  }
  // Renders `text`; `complete` receives Render's result.
  std::string Render(std::string_view text, bool* complete = nullptr) {
    Result<Template> t = Template::Parse(text);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) return "<parse error>";
    std::string out = "stale";
    bool ok = t->Render(batch_, event(), out);
    if (complete != nullptr) *complete = ok;
    return out;
  }
  std::string ParseError(std::string_view text) {
    Result<Template> t = Template::Parse(text);
    EXPECT_FALSE(t.ok()) << text;
    return t.ok() ? "" : t.status().ToString();
  }

  Batch batch_;
  std::deque<FieldRef> refs_;
};

TEST_F(TemplateTest, ParsesLiteralsAndReferences) {
  Result<Template> literal = Template::Parse("logs-app");
  ASSERT_TRUE(literal.ok());
  EXPECT_TRUE(literal->literal());
  EXPECT_EQ(literal->text(), "logs-app");

  Result<Template> t = Template::Parse("logs-{{service}}-{{ log.level }}{{x}}");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->literal());
  ASSERT_EQ(t->fields().size(), 3u);
  EXPECT_EQ(t->fields()[0].path(), "service");
  EXPECT_EQ(t->fields()[1].path(), "log.level") << "spaces inside the braces are trimmed";
  EXPECT_EQ(t->fields()[2].path(), "x");
  EXPECT_EQ(t->text(), "logs-{{service}}-{{ log.level }}{{x}}");

  Result<Template> empty = Template::Parse("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->literal());
}

TEST_F(TemplateTest, RendersBuiltinsAndDynamicFields) {
  Set("service", Value::String("api"));
  Set("status", Value::Int(503));
  Set("ratio", Value::Double(2));
  Set("ok", Value::Bool(false));
  Set("raw", Value::Json("[1,2]"));
  EXPECT_EQ(Render("{{host.name}}:{{log.file.path}}@{{log.offset}} {{message}}"),
            "web-1:/var/log/app.log@7 hello");
  EXPECT_EQ(Render("{{@timestamp}}"), "1795515330000000000");
  EXPECT_EQ(Render("{{service}}/{{status}}/{{ratio}}/{{ok}}/{{raw}}"), "api/503/2.0/false/[1,2]");
  EXPECT_EQ(Render("{{service}}{{service}}"), "apiapi");
  EXPECT_EQ(Render("plain"), "plain");
  EXPECT_EQ(Render("}} and { alone"), "}} and { alone");
}

TEST_F(TemplateTest, DynamicFieldsShadowBuiltins) {
  Set("host.name", Value::String("override"));
  EXPECT_EQ(Render("{{host.name}}"), "override");
}

TEST_F(TemplateTest, MissingFieldsRenderEmptyAndReportIt) {
  bool complete = true;
  EXPECT_EQ(Render("logs-{{service}}-x", &complete), "logs--x");
  EXPECT_FALSE(complete);
  EXPECT_EQ(Render("logs-{{message}}", &complete), "logs-hello");
  EXPECT_TRUE(complete);
  // An object is not a value: it renders empty too.
  Set("http.method", Value::String("GET"));
  EXPECT_EQ(Render("[{{http}}]", &complete), "[]");
  EXPECT_FALSE(complete);
  event().error_type = "json";
  event().error_message = "bad";
  EXPECT_EQ(Render("{{error.type}}: {{error.message}}", &complete), "json: bad");
  EXPECT_TRUE(complete);
}

TEST_F(TemplateTest, ParseErrorsNameTheTemplate) {
  EXPECT_EQ(ParseError("logs-{{service"),
            "invalid argument: template 'logs-{{service': '{{' at 5 has no closing '}}'");
  EXPECT_EQ(ParseError("a {{}} b"), "invalid argument: template 'a {{}} b': '{{}}' names no field");
  EXPECT_EQ(ParseError("{{   }}"), "invalid argument: template '{{   }}': '{{}}' names no field");
  // A second "{{" before the "}}" means the first was never closed.
  EXPECT_EQ(ParseError("{{a{{b}}"),
            "invalid argument: template '{{a{{b}}': '{{' at 0 has no closing '}}'");
}

TEST_F(TemplateTest, RenderingAllocatesNothingOnceTheBufferHasGrown) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "no allocation counting here";
  Set("service", Value::String("payments"));
  Set("status", Value::Int(-9223372036854775807 - 1));
  Set("latency", Value::Double(-1.2345678901234568e-300));
  Result<Template> t =
      Template::Parse("logs-{{service}}-{{status}}-{{latency}}-{{log.offset}}-{{missing}}");
  ASSERT_TRUE(t.ok());
  std::string out;
  t->Render(batch_, event(), out);  // warm
  testing::StartCountingAllocations();
  for (int i = 0; i < 1000; ++i) t->Render(batch_, event(), out);
  uint64_t allocations = testing::StopCountingAllocations();
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(out, "logs-payments--9223372036854775808--1.2345678901234568e-300-7-");
}

}  // namespace
}  // namespace logship
