// SPDX-License-Identifier: Apache-2.0
// The `multiline:` option of a file input: defaults, both spellings, and every mistake reported
// with its position.

#include "src/tail/file_input_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace logship {
namespace {

using ::testing::HasSubstr;

class FileInputOptionsTest : public ::testing::Test {
 protected:
  // Parses a file input whose map is `text` (YAML, one option per line at column 1).
  Result<FileInputOptions> Parse(const std::string& text) {
    Result<ConfigNode> node = ConfigNode::Parse("include: [\"/logs/*.log\"]\n" + text, "p.yaml");
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    ctx_.component = "pipelines.app.inputs[0]";
    ctx_.base_dir = "/etc/logship";
    ctx_.errors = &errors_;
    return ParseFileInputOptions(*node, ctx_, 0);
  }
  std::string Errors() const { return errors_.ToString(); }

  PluginContext ctx_;
  ConfigErrors errors_;
};

TEST_F(FileInputOptionsTest, NoMultilineByDefault) {
  Result<FileInputOptions> o = Parse("");
  ASSERT_TRUE(o.ok()) << Errors();
  EXPECT_FALSE(o->multiline.has_value());
}

TEST_F(FileInputOptionsTest, MultilineStartWithDefaults) {
  Result<FileInputOptions> o = Parse("multiline: {start: '^\\d{4}-'}\n");
  ASSERT_TRUE(o.ok()) << Errors();
  ASSERT_TRUE(o->multiline.has_value());
  EXPECT_EQ(o->multiline->mode, MultilineOptions::Mode::kStart);
  EXPECT_EQ(o->multiline->pattern, "^\\d{4}-");
  EXPECT_NE(o->multiline->regex, nullptr);
  EXPECT_EQ(o->multiline->max_lines, 500u);
  EXPECT_EQ(o->multiline->max_bytes, uint64_t{1} << 20);
  EXPECT_EQ(o->multiline->timeout_ns, 2'000'000'000);
}

TEST_F(FileInputOptionsTest, MultilineContinueWithLimits) {
  Result<FileInputOptions> o = Parse(
      "multiline:\n"
      "  continue: '^\\s'\n"
      "  max_lines: 50\n"
      "  max_bytes: 64KiB\n"
      "  timeout: 200ms\n");
  ASSERT_TRUE(o.ok()) << Errors();
  ASSERT_TRUE(o->multiline.has_value());
  EXPECT_EQ(o->multiline->mode, MultilineOptions::Mode::kContinue);
  EXPECT_EQ(o->multiline->max_lines, 50u);
  EXPECT_EQ(o->multiline->max_bytes, 64u << 10);
  EXPECT_EQ(o->multiline->timeout_ns, 200'000'000);
}

TEST_F(FileInputOptionsTest, BadRegexIsReportedAtItsPosition) {
  Result<FileInputOptions> o = Parse(
      "multiline:\n"
      "  start: '(unclosed'\n");
  EXPECT_FALSE(o.ok());
  EXPECT_THAT(Errors(), HasSubstr("p.yaml:3:10: option 'start': invalid regular expression "
                                  "'(unclosed': missing )"));
}

TEST_F(FileInputOptionsTest, BothStartAndContinueIsAnError) {
  Result<FileInputOptions> o = Parse("multiline: {start: a, continue: b}\n");
  EXPECT_FALSE(o.ok());
  EXPECT_THAT(Errors(), HasSubstr("p.yaml:2:12: option 'multiline': set 'start' or 'continue', "
                                  "not both"));
}

TEST_F(FileInputOptionsTest, NeitherStartNorContinueIsAnError) {
  Result<FileInputOptions> o = Parse("multiline: {max_lines: 10}\n");
  EXPECT_FALSE(o.ok());
  EXPECT_THAT(Errors(), HasSubstr("p.yaml:2:12: option 'multiline': set 'start'"));
}

TEST_F(FileInputOptionsTest, LimitsAndUnknownKeysAreChecked) {
  Result<FileInputOptions> o = Parse(
      "multiline:\n"
      "  start: x\n"
      "  max_lines: 0\n"
      "  max_bytes: 10\n"
      "  timeout: 0s\n"
      "  negate: true\n");
  EXPECT_FALSE(o.ok());
  std::string e = Errors();
  EXPECT_THAT(e, HasSubstr("p.yaml:4:14: option 'max_lines': must be between 1 and 1000000"));
  EXPECT_THAT(e, HasSubstr("p.yaml:5:14: option 'max_bytes': must be between 64B and 1GiB"));
  EXPECT_THAT(e, HasSubstr("p.yaml:6:12: option 'timeout': must be at least 1ms"));
  EXPECT_THAT(e, HasSubstr("p.yaml:7:3: unknown option 'negate'"));
}

TEST_F(FileInputOptionsTest, EmptyPatternAndWrongTypesAreErrors) {
  EXPECT_FALSE(Parse("multiline: {start: ''}\n").ok());
  EXPECT_THAT(Errors(), HasSubstr("option 'start': must not be empty"));
  errors_ = ConfigErrors();
  EXPECT_FALSE(Parse("multiline: true\n").ok());
  EXPECT_THAT(Errors(), HasSubstr("expected a map"));
  errors_ = ConfigErrors();
  EXPECT_FALSE(Parse("multiline: {start: [a, b]}\n").ok());
  EXPECT_THAT(Errors(), HasSubstr("option 'start': expected a value, got a list"));
}

}  // namespace
}  // namespace logship
