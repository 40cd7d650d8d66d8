// SPDX-License-Identifier: Apache-2.0
#include "src/config/config_node.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

ConfigNode MustParse(std::string_view text) {
  Result<ConfigNode> node = ConfigNode::Parse(text, "p.yaml");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return node.ok() ? *node : ConfigNode();
}

// "line:column" of a node, for compact assertions.
std::string At(const ConfigNode& node) {
  ConfigPosition where = node.position();
  return std::to_string(where.line) + ":" + std::to_string(where.column);
}

constexpr std::string_view kPipeline =
    "pipelines:\n"                  // 1
    "  app:\n"                      // 2
    "    sinks:\n"                  // 3
    "      - type: stdout\n"        // 4
    "      - type: file\n"          // 5
    "        path: /tmp/out.log\n"  // 6
    "        tags: [a, b]\n";       // 7

TEST(ConfigNodeTest, SyntaxErrorNamesFileLineAndColumn) {
  Result<ConfigNode> node = ConfigNode::Parse("a: 1\nb: [1, 2\nc: 3\n", "pipeline.yaml");
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(node.status().message(), "pipeline.yaml:3:2: end of sequence flow not found");

  node = ConfigNode::Parse("a: 1\n b: 2\n", "pipeline.yaml");
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().message(), "pipeline.yaml:2:3: illegal map value");

  node = ConfigNode::Parse("a: *nope\n", "pipeline.yaml");
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().message(), "pipeline.yaml:1:4: the referenced anchor is not defined");
}

TEST(ConfigNodeTest, PositionsAreOneBased) {
  ConfigNode root = MustParse(kPipeline);
  EXPECT_EQ(At(root), "1:1");
  EXPECT_EQ(root.position().file, "p.yaml");
  ConfigNode sink = root.Get("pipelines").Get("app").Get("sinks").Elements().at(1);
  EXPECT_EQ(At(sink), "5:9");
  EXPECT_EQ(At(sink.Get("path")), "6:15");
  EXPECT_EQ(At(sink.Get("tags").Elements().at(1)), "7:19");
}

TEST(ConfigNodeTest, PathsNameMapKeysAndListIndexes) {
  ConfigNode root = MustParse(kPipeline);
  EXPECT_EQ(root.path(), "");
  ConfigNode sinks = root.Get("pipelines").Get("app").Get("sinks");
  EXPECT_EQ(root.Get("pipelines").path(), "pipelines");
  EXPECT_EQ(sinks.path(), "pipelines.app.sinks");
  ConfigNode sink = sinks.Elements().at(1);
  EXPECT_EQ(sink.path(), "pipelines.app.sinks[1]");
  EXPECT_EQ(sink.Get("path").path(), "pipelines.app.sinks[1].path");
  EXPECT_EQ(sink.Get("tags").Elements().at(0).path(), "pipelines.app.sinks[1].tags[0]");
}

TEST(ConfigNodeTest, MissingChildCarriesParentPositionAndPath) {
  ConfigNode sink = MustParse(kPipeline).Get("pipelines").Get("app").Get("sinks").Elements().at(1);
  ConfigNode missing = sink.Get("max_file_bytes");
  EXPECT_FALSE(missing.defined());
  EXPECT_TRUE(missing.IsNull());
  EXPECT_FALSE(missing.IsMap());
  EXPECT_FALSE(missing.IsScalar());
  EXPECT_EQ(missing.path(), "pipelines.app.sinks[1].max_file_bytes");
  EXPECT_EQ(At(missing), "5:9");
  EXPECT_EQ(missing.Scalar(), "");
  EXPECT_TRUE(missing.Entries().empty());
  // A missing child of a missing child is still positioned at the last node that exists.
  ConfigNode deeper = missing.Get("x");
  EXPECT_EQ(deeper.path(), "pipelines.app.sinks[1].max_file_bytes.x");
  EXPECT_EQ(At(deeper), "5:9");
}

TEST(ConfigNodeTest, GetOnScalarOrListIsUndefinedAndDoesNotThrow) {
  ConfigNode root = MustParse("name: x\nlist: [1]\n");
  EXPECT_FALSE(root.Get("name").Get("key").defined());
  EXPECT_FALSE(root.Get("list").Get("key").defined());
  EXPECT_TRUE(root.Get("name").Elements().empty());
  EXPECT_TRUE(root.Get("name").Entries().empty());
  EXPECT_EQ(root.Get("list").Scalar(), "");
}

TEST(ConfigNodeTest, EmptyValueIsPositionedAtItsKey) {
  ConfigNode root = MustParse("a:\nb: 1\nc: ~\nd:\n");
  EXPECT_TRUE(root.Get("a").defined());
  EXPECT_TRUE(root.Get("a").IsNull());
  EXPECT_EQ(At(root.Get("a")), "1:1");
  EXPECT_EQ(At(root.Get("c")), "3:4");
  EXPECT_EQ(At(root.Get("d")), "4:1");
}

TEST(ConfigNodeTest, EntriesAndElementsKeepFileOrder) {
  ConfigNode root = MustParse("z: 1\na: 2\nm: [x, y, z]\n");
  std::vector<std::string> keys;
  for (const auto& [key, value] : root.Entries()) keys.push_back(key.Scalar());
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m"}));
  EXPECT_EQ(At(root.Entries().at(1).first), "2:1");
  EXPECT_EQ(root.Entries().at(1).second.path(), "a");
  std::vector<std::string> elements;
  for (const ConfigNode& e : root.Get("m").Elements()) elements.push_back(e.Scalar());
  EXPECT_EQ(elements, (std::vector<std::string>{"x", "y", "z"}));
}

TEST(ConfigNodeTest, KindNames) {
  ConfigNode root = MustParse("m: {a: 1}\nl: [1]\ns: x\nn: ~\n");
  EXPECT_EQ(root.Get("m").KindName(), "a map");
  EXPECT_EQ(root.Get("l").KindName(), "a list");
  EXPECT_EQ(root.Get("s").KindName(), "a value");
  EXPECT_EQ(root.Get("n").KindName(), "null");
  EXPECT_EQ(root.Get("missing").KindName(), "null");
  EXPECT_EQ(ConfigNode().KindName(), "null");
}

TEST(ConfigNodeTest, EmptyDocumentIsNull) {
  ConfigNode root = MustParse("");
  EXPECT_TRUE(root.IsNull());
  EXPECT_FALSE(root.IsMap());
  EXPECT_TRUE(root.Entries().empty());
  EXPECT_FALSE(root.Get("x").defined());
}

TEST(ConfigNodeTest, DefaultConstructedNodeIsSafe) {
  ConfigNode node;
  EXPECT_TRUE(node.IsNull());
  EXPECT_EQ(node.file(), "");
  EXPECT_EQ(node.position().line, 0);
  EXPECT_FALSE(node.Get("x").defined());
}

TEST(ConfigNodeTest, AssignmentRebindsInsteadOfWritingIntoTheTree) {
  ConfigNode root = MustParse("x: 1\ny: 2\n");
  ConfigNode node = root.Get("x");
  ConfigNode copy = node;
  node = root.Get("y");
  EXPECT_EQ(node.Scalar(), "2");
  EXPECT_EQ(copy.Scalar(), "1");
  EXPECT_EQ(root.Get("x").Scalar(), "1");
  node = ConfigNode();
  EXPECT_EQ(root.Get("y").Scalar(), "2");
}

TEST(ConfigNodeTest, LoadFileReadsAndPositionsByFileName) {
  testing::TempDir dir;
  std::string path = dir.Sub("pipeline.yaml");
  testing::WriteFile(path, "a: 1\nb:\n  c: [1, 2\n");
  Result<ConfigNode> node = ConfigNode::LoadFile(path);
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().message(), path + ":4:1: end of sequence flow not found");

  testing::WriteFile(path, "a: 1\nb: 2\n");
  node = ConfigNode::LoadFile(path);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ(node->Get("b").position().file, path);
  EXPECT_EQ(node->Get("b").position().line, 2);
}

TEST(ConfigNodeTest, LoadFileOfMissingFileIsNotFound) {
  testing::TempDir dir;
  Result<ConfigNode> node = ConfigNode::LoadFile(dir.Sub("missing.yaml"));
  ASSERT_FALSE(node.ok());
  EXPECT_TRUE(node.status().IsNotFound());
  EXPECT_NE(node.status().message().find("missing.yaml"), std::string_view::npos);
}

TEST(ConfigErrorTest, FormatsPositionWhenKnown) {
  EXPECT_EQ((ConfigError{{"p.yaml", 3, 7}, "bad"}).ToString(), "p.yaml:3:7: bad");
  EXPECT_EQ((ConfigError{{"p.yaml", 3, 0}, "bad"}).ToString(), "p.yaml:3: bad");
  EXPECT_EQ((ConfigError{{"p.yaml", 0, 0}, "bad"}).ToString(), "p.yaml: bad");
  EXPECT_EQ((ConfigError{{"", 0, 0}, "bad"}).ToString(), "bad");
}

TEST(ConfigErrorTest, SortsByFileLineAndColumnStably) {
  ConfigErrors errors;
  errors.Add({"b.yaml", 1, 1}, "b1");
  errors.Add({"a.yaml", 9, 2}, "a9-2");
  errors.Add({"a.yaml", 9, 1}, "a9-1 first");
  errors.Add({"a.yaml", 2, 5}, "a2");
  errors.Add({"a.yaml", 9, 1}, "a9-1 second");
  EXPECT_EQ(errors.size(), 5u);
  EXPECT_EQ(errors.all().front().message, "b1");
  EXPECT_EQ(errors.ToString(),
            "a.yaml:2:5: a2\n"
            "a.yaml:9:1: a9-1 first\n"
            "a.yaml:9:1: a9-1 second\n"
            "a.yaml:9:2: a9-2\n"
            "b.yaml:1:1: b1\n");
}

}  // namespace
}  // namespace logship
