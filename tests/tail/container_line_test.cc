// SPDX-License-Identifier: Apache-2.0
#include "src/tail/container_line.h"

#include <gtest/gtest.h>

#include <string>

namespace logship {
namespace {

// 2026-12-07T10:15:30Z in Unix seconds.
constexpr int64_t kSecond = 1'796'638'530;

ContainerLine MustDecode(ContainerLineDecoder& d, std::string_view line,
                         ContainerFormat format = ContainerFormat::kAuto) {
  ContainerLine out;
  EXPECT_TRUE(d.Decode(line, format, &out)) << line << ": " << d.error();
  return out;
}

std::string Error(ContainerLineDecoder& d, std::string_view line,
                  ContainerFormat format = ContainerFormat::kAuto) {
  ContainerLine out;
  EXPECT_FALSE(d.Decode(line, format, &out)) << line;
  return std::string(d.error());
}

TEST(ContainerLineTest, CriFullAndPartialLines) {
  ContainerLineDecoder d;
  ContainerLine l = MustDecode(d, "2026-12-07T10:15:30.123456789Z stdout F GET /index.html 200");
  EXPECT_EQ(l.format, ContainerFormat::kCri);
  EXPECT_EQ(l.time_ns, kSecond * 1'000'000'000 + 123'456'789);
  EXPECT_EQ(l.stream, "stdout");
  EXPECT_EQ(l.text, "GET /index.html 200");
  EXPECT_FALSE(l.partial);

  l = MustDecode(d, "2026-12-07T10:15:30.5Z stderr P first part of a long line ");
  EXPECT_EQ(l.stream, "stderr");
  EXPECT_TRUE(l.partial);
  EXPECT_EQ(l.text, "first part of a long line ") << "a part keeps its spaces";
  EXPECT_EQ(l.time_ns, kSecond * 1'000'000'000 + 500'000'000);
}

TEST(ContainerLineTest, CriEdgeCases) {
  ContainerLineDecoder d;
  // An empty line: with or without the space after the tag.
  EXPECT_EQ(MustDecode(d, "2026-12-07T10:15:30Z stdout F ").text, "");
  EXPECT_EQ(MustDecode(d, "2026-12-07T10:15:30Z stdout F").text, "");
  // More tags after ':'.
  EXPECT_TRUE(MustDecode(d, "2026-12-07T10:15:30Z stdout P:x text").partial);
  // CRI-O may write the node's offset: the same instant.
  EXPECT_EQ(MustDecode(d, "2026-12-07T12:15:30.000000001+02:00 stdout F x").time_ns,
            kSecond * 1'000'000'000 + 1);
  // Text that looks like JSON stays text in CRI.
  EXPECT_EQ(MustDecode(d, R"(2026-12-07T10:15:30Z stdout F {"level":"info"})").text,
            R"({"level":"info"})");
}

TEST(ContainerLineTest, CriErrorsSayWhatIsWrong) {
  ContainerLineDecoder d;
  EXPECT_EQ(Error(d, "plain text line"),
            "not a CRI log line: it does not start with an RFC 3339 time");
  EXPECT_EQ(Error(d, "2026-12-07T10:15:30Z"), "not a CRI log line: no space after the time");
  EXPECT_EQ(Error(d, "2026-12-07T10:15:30Z stdin F x"),
            "not a CRI log line: the stream is neither stdout nor stderr");
  EXPECT_EQ(Error(d, "2026-12-07T10:15:30Z stdout X text"),
            "not a CRI log line: the tag is neither P nor F");
  EXPECT_EQ(Error(d, "2026-12-07T10:15:30Z stdout"), "not a CRI log line: no tag after the stream");
  EXPECT_EQ(Error(d, "2026-13-07T10:15:30Z stdout F x"),
            "not a CRI log line: it does not start with an RFC 3339 time");
}

TEST(ContainerLineTest, DockerFullAndPartialLines) {
  ContainerLineDecoder d;
  ContainerLine l = MustDecode(
      d,
      R"({"log":"hello \"world\"\tcaf\u00e9\n","stream":"stderr","time":"2026-12-07T10:15:30.123456789Z"})");
  EXPECT_EQ(l.format, ContainerFormat::kDocker);
  EXPECT_EQ(l.text, "hello \"world\"\tcaf\xC3\xA9") << "unescaped, newline dropped";
  EXPECT_EQ(l.stream, "stderr");
  EXPECT_EQ(l.time_ns, kSecond * 1'000'000'000 + 123'456'789);
  EXPECT_FALSE(l.partial);

  // Docker splits a long line at 16 KiB: the parts before the last have no newline.
  l = MustDecode(d, R"({"log":"part one ","stream":"stdout","time":"2026-12-07T10:15:30Z"})");
  EXPECT_TRUE(l.partial);
  EXPECT_EQ(l.text, "part one ");

  // Keys in any order, and keys Docker adds (attrs) are skipped.
  l = MustDecode(
      d, R"({"time":"2026-12-07T10:15:30Z","attrs":{"a":"b"},"stream":"stdout","log":"x\n"})");
  EXPECT_EQ(l.text, "x");
  EXPECT_FALSE(l.partial);
}

TEST(ContainerLineTest, DockerErrorsSayWhatIsWrong) {
  ContainerLineDecoder d;
  EXPECT_EQ(Error(d, R"({"log":"x\n","stream":"stdout")"),
            "not a Docker json-file line: not one complete JSON object")
      << "truncated";
  EXPECT_EQ(Error(d, R"({"log":"x\n","stream":"stdout"})"),
            "not a Docker json-file line: it needs \"log\", \"stream\" and \"time\"");
  EXPECT_EQ(Error(d, R"({"log":1,"stream":"stdout","time":"2026-12-07T10:15:30Z"})"),
            "not a Docker json-file line: \"log\" is not a string");
  EXPECT_EQ(Error(d, R"({"log":"x","stream":"stdout","time":"yesterday"})"),
            "not a Docker json-file line: \"time\" is not an RFC 3339 time");
  EXPECT_EQ(Error(d, R"({"log":"x","stream":"stdout","time":"2026-12-07T10:15:30Z"} trailing)"),
            "not a Docker json-file line: not one complete JSON object");
  // Forced CRI on a Docker line is a CRI error.
  EXPECT_EQ(Error(d, R"({"log":"x\n","stream":"stdout","time":"2026-12-07T10:15:30Z"})",
                  ContainerFormat::kCri),
            "not a CRI log line: no space after the time");
}

TEST(ContainerLineTest, Rfc3339) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseRfc3339Nanos("1970-01-01T00:00:00Z", &ns));
  EXPECT_EQ(ns, 0);
  ASSERT_TRUE(ParseRfc3339Nanos("1969-12-31T23:59:59.999999999Z", &ns));
  EXPECT_EQ(ns, -1);
  ASSERT_TRUE(ParseRfc3339Nanos("2026-12-07T10:15:30.1234567891Z", &ns)) << "extra digits cut";
  EXPECT_EQ(ns, kSecond * 1'000'000'000 + 123'456'789);
  EXPECT_FALSE(ParseRfc3339Nanos("2026-12-07T10:15:30", &ns)) << "no zone";
  EXPECT_FALSE(ParseRfc3339Nanos("2026-12-07T10:15:30.Z", &ns));
  EXPECT_FALSE(ParseRfc3339Nanos("2026-02-30T10:15:30Z", &ns));
  EXPECT_FALSE(ParseRfc3339Nanos("2026-12-07T10:15:30Zx", &ns));
}

}  // namespace
}  // namespace logship
