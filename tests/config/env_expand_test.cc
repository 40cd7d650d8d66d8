// SPDX-License-Identifier: Apache-2.0
#include "src/config/env_expand.h"

#include <gtest/gtest.h>

#include <map>

namespace logship {
namespace {

EnvLookup FakeEnv() {
  static const std::map<std::string, std::string> kVars = {
      {"HOST", "kafka-1"}, {"PORT", "9092"}, {"EMPTY", ""}, {"DOLLAR", "$"}};
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = kVars.find(name);
    if (it == kVars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Expand(std::string_view text) {
  Result<std::string> out = ExpandEnv(text, FakeEnv());
  EXPECT_TRUE(out.ok()) << text << ": " << out.status().ToString();
  return out.ok() ? *out : "<error>";
}

std::string ErrorOf(std::string_view text) {
  Result<std::string> out = ExpandEnv(text, FakeEnv());
  EXPECT_FALSE(out.ok()) << text << " expanded to " << (out.ok() ? *out : "");
  if (out.ok()) return "";
  EXPECT_EQ(out.status().code(), Status::Code::kInvalidArgument);
  return std::string(out.status().message());
}

TEST(EnvExpandTest, LeavesTextWithoutReferencesAlone) {
  EXPECT_EQ(Expand(""), "");
  EXPECT_EQ(Expand("/var/log/app.log"), "/var/log/app.log");
}

TEST(EnvExpandTest, ExpandsVariables) {
  EXPECT_EQ(Expand("${HOST}"), "kafka-1");
  EXPECT_EQ(Expand("${HOST}:${PORT}"), "kafka-1:9092");
  EXPECT_EQ(Expand("tcp://${HOST}/x"), "tcp://kafka-1/x");
  EXPECT_EQ(Expand("[${EMPTY}]"), "[]");
}

TEST(EnvExpandTest, UsesDefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(Expand("${MISSING:-localhost}"), "localhost");
  EXPECT_EQ(Expand("${EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(Expand("${HOST:-fallback}"), "kafka-1");
  EXPECT_EQ(Expand("${MISSING:-}"), "");
  EXPECT_EQ(Expand("${MISSING:-a:b-c}"), "a:b-c");
}

TEST(EnvExpandTest, ExpandsReferencesInsideDefaults) {
  EXPECT_EQ(Expand("${MISSING:-${HOST}:${PORT}}"), "kafka-1:9092");
  EXPECT_EQ(Expand("${MISSING:-${OTHER:-x}}y"), "xy");
}

TEST(EnvExpandTest, DoubleDollarIsALiteralDollar) {
  EXPECT_EQ(Expand("$$"), "$");
  EXPECT_EQ(Expand("$${HOST}"), "${HOST}");
  EXPECT_EQ(Expand("a$$$$b"), "a$$b");
  EXPECT_EQ(Expand("${DOLLAR}{HOST}"), "${HOST}");  // expanded values are not expanded again
}

TEST(EnvExpandTest, KeepsOtherDollarsAsTheyAre) {
  EXPECT_EQ(Expand("cost $5"), "cost $5");
  EXPECT_EQ(Expand("$HOST"), "$HOST");
  EXPECT_EQ(Expand("trailing $"), "trailing $");
  EXPECT_EQ(Expand("^a.*b$"), "^a.*b$");
}

TEST(EnvExpandTest, ReportsUnsetVariableByName) {
  EXPECT_EQ(ErrorOf("${KAFKA_PASSWORD}"),
            "environment variable 'KAFKA_PASSWORD' is not set (use ${KAFKA_PASSWORD:-default} "
            "for a default)");
  EXPECT_EQ(ErrorOf("${MISSING:-${ALSO_MISSING}}"),
            "environment variable 'ALSO_MISSING' is not set (use ${ALSO_MISSING:-default} for a "
            "default)");
}

TEST(EnvExpandTest, ReportsUnterminatedReference) {
  EXPECT_EQ(ErrorOf("${FOO"), "unterminated reference '${FOO' (missing '}')");
  EXPECT_EQ(ErrorOf("x ${FOO:-bar"), "unterminated reference '${FOO:-bar' (missing '}')");
  EXPECT_EQ(ErrorOf("${"), "unterminated reference '${' (missing '}')");
}

TEST(EnvExpandTest, ReportsInvalidReferences) {
  EXPECT_EQ(ErrorOf("${}"), "invalid reference '${}' (expected ${NAME} or ${NAME:-default})");
  EXPECT_EQ(ErrorOf("${1X}"), "invalid reference '${1X}' (expected ${NAME} or ${NAME:-default})");
  EXPECT_EQ(ErrorOf("${A:?oops}"),
            "invalid reference '${A:?oops}' (expected ${NAME} or ${NAME:-default})");
  EXPECT_EQ(ErrorOf("${A B}"), "invalid reference '${A B}' (expected ${NAME} or ${NAME:-default})");
}

TEST(EnvExpandTest, EmptyLookupTreatsEverythingAsUnset) {
  Result<std::string> out = ExpandEnv("${X:-d}", EnvLookup());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "d");
  EXPECT_FALSE(ExpandEnv("${X}", EnvLookup()).ok());
}

TEST(EnvExpandTest, ProcessEnvReportsUnsetVariables) {
  EXPECT_EQ(ProcessEnv()("LOGSHIP_TEST_VARIABLE_THAT_IS_NEVER_SET_4f1c"), std::nullopt);
}

}  // namespace
}  // namespace logship
