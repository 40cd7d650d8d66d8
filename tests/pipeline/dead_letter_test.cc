// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/dead_letter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/testing/spool_reader.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using ::testing::HasSubstr;

struct Fixture {
  testing::TempDir dir;
  ConfigErrors errors;
  ResourceClaims claims;
  PluginContext ctx;
  Fixture() {
    ctx.pipeline = "app";
    ctx.component = "pipelines.app.sinks[1]";
    ctx.base_dir = dir.path();
    ctx.data_dir = dir.Sub("data/app");
    ctx.sink_index = 1;
    ctx.errors = &errors;
    ctx.claims = &claims;
    ctx.clock = &RealClock();
  }
  Result<DeadLetterOptions> Parse(const std::string& yaml) {
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "p.yaml");
    EXPECT_TRUE(node.ok());
    return ParseDeadLetterOptions(*node, ctx);
  }
};

TEST(DeadLetterTest, DefaultPathIsUnderThePipelinesDataDir) {
  Fixture f;
  Result<DeadLetterOptions> o = f.Parse("type: kafka\n");
  ASSERT_TRUE(o.ok()) << f.errors.ToString();
  EXPECT_EQ(o->spool.dir, f.dir.Sub("data/app/dead_letter/1"));
}

TEST(DeadLetterTest, PathResolvesAndIsClaimed) {
  Fixture f;
  Result<DeadLetterOptions> o = f.Parse("dead_letter: {path: dlq/app, max_file_bytes: 1MiB}\n");
  ASSERT_TRUE(o.ok()) << f.errors.ToString();
  EXPECT_EQ(o->spool.dir, f.dir.Sub("dlq/app"));
  EXPECT_EQ(o->spool.max_file_bytes, 1u << 20);
  f.ctx.component = "pipelines.app.sinks[2]";
  f.ctx.sink_index = 2;
  EXPECT_FALSE(f.Parse("dead_letter: {path: dlq/app}\n").ok());
  EXPECT_THAT(f.errors.ToString(), HasSubstr("is already used by pipelines.app.sinks[1]"));
}

TEST(DeadLetterTest, BadOptionsHavePositions) {
  Fixture f;
  EXPECT_FALSE(f.Parse("dead_letter:\n  pathh: x\n").ok());
  EXPECT_THAT(f.errors.ToString(), HasSubstr("p.yaml:2:3: unknown option 'pathh'"));
}

TEST(DeadLetterTest, CommittedLettersCarryTheEventAndWhy) {
  Fixture f;
  Result<DeadLetterOptions> o = f.Parse("{}\n");
  ASSERT_TRUE(o.ok());
  DeadLetterSpool spool("pipelines.app.sinks[1]", *o, RealClock(), PosixFileSystem());
  ASSERT_TRUE(spool.Open().ok());
  spool.Add(R"({"message":"too big"})", "message size too large (1200000 > 1000000)", 0);
  spool.Add(R"({"message":"bad \"mapping\""})", "mapper_parsing_exception: failed to parse", 400);
  EXPECT_EQ(spool.written(), 0u);
  ASSERT_TRUE(spool.Commit().ok());
  EXPECT_EQ(spool.written(), 2u);
  ASSERT_TRUE(spool.Commit().ok());  // nothing more to write
  std::vector<testing::SpooledEvent> letters = testing::ReadSpool(o->spool.dir);
  ASSERT_EQ(letters.size(), 2u);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(letters[1].raw);
  EXPECT_EQ(std::string_view(doc["sink"]), "pipelines.app.sinks[1]");
  EXPECT_EQ(std::string_view(doc["reason"]), "mapper_parsing_exception: failed to parse");
  EXPECT_EQ(int64_t(doc["status"]), 400);
  EXPECT_EQ(std::string_view(doc["event"]["message"]), "bad \"mapping\"");
  EXPECT_THAT(letters[0].raw, Not(HasSubstr("\"status\"")));
}

}  // namespace
}  // namespace logship
