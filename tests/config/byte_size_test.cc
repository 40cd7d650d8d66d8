// SPDX-License-Identifier: Apache-2.0
#include "src/config/byte_size.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

uint64_t Bytes(std::string_view text) {
  Result<ByteSize> size = ParseByteSize(text);
  EXPECT_TRUE(size.ok()) << text << ": " << size.status().ToString();
  return size.ok() ? size->bytes : 0;
}

std::string ErrorOf(std::string_view text) {
  Result<ByteSize> size = ParseByteSize(text);
  EXPECT_FALSE(size.ok()) << text << " parsed as " << (size.ok() ? size->bytes : 0);
  if (size.ok()) return "";
  EXPECT_EQ(size.status().code(), Status::Code::kInvalidArgument);
  return std::string(size.status().message());
}

TEST(ByteSizeTest, ParsesPlainIntegerAsBytes) {
  EXPECT_EQ(Bytes("0"), 0u);
  EXPECT_EQ(Bytes("1024"), 1024u);
  EXPECT_EQ(Bytes("512B"), 512u);
}

TEST(ByteSizeTest, ParsesBinaryUnits) {
  EXPECT_EQ(Bytes("1KiB"), 1024u);
  EXPECT_EQ(Bytes("1MiB"), 1048576u);
  EXPECT_EQ(Bytes("2GiB"), 2147483648u);
  EXPECT_EQ(Bytes("4K"), 4096u);
  EXPECT_EQ(Bytes("3M"), 3u << 20);
  EXPECT_EQ(Bytes("1G"), 1u << 30);
}

TEST(ByteSizeTest, ParsesDecimalUnits) {
  EXPECT_EQ(Bytes("1KB"), 1000u);
  EXPECT_EQ(Bytes("64MB"), 64000000u);
  EXPECT_EQ(Bytes("2GB"), 2000000000u);
}

TEST(ByteSizeTest, AcceptsSpacesAndAnyCaseInUnits) {
  EXPECT_EQ(Bytes("1 KiB"), 1024u);
  EXPECT_EQ(Bytes(" 64 MB "), 64000000u);
  EXPECT_EQ(Bytes("1mib"), 1048576u);
  EXPECT_EQ(Bytes("1kb"), 1000u);
}

TEST(ByteSizeTest, ConstantsMatchParsedValues) {
  EXPECT_EQ(ByteSize::KiB(4), ByteSize{Bytes("4KiB")});
  EXPECT_EQ(ByteSize::MiB(64), ByteSize{Bytes("64MiB")});
  EXPECT_EQ(ByteSize::GiB(1), ByteSize{Bytes("1GiB")});
}

TEST(ByteSizeTest, RejectsTextWithoutNumber) {
  EXPECT_EQ(ErrorOf("abc"), "expected a size like 64MiB, got 'abc'");
  EXPECT_EQ(ErrorOf(""), "expected a size like 64MiB, got ''");
  EXPECT_EQ(ErrorOf("MiB"), "expected a size like 64MiB, got 'MiB'");
}

TEST(ByteSizeTest, RejectsUnknownUnits) {
  EXPECT_EQ(ErrorOf("10XB"), "unknown unit 'XB' in size '10XB' (use B, KB, MB, GB, KiB, MiB, GiB)");
  EXPECT_EQ(ErrorOf("1 MiB!"),
            "unknown unit 'MiB!' in size '1 MiB!' (use B, KB, MB, GB, KiB, MiB, GiB)");
}

TEST(ByteSizeTest, RejectsFractionsAndSeparatedDigits) {
  EXPECT_EQ(ErrorOf("1.5MiB"),
            "expected a size like 64MiB (a whole number and a unit), got '1.5MiB'");
  EXPECT_EQ(ErrorOf("1 000"),
            "expected a size like 64MiB (a whole number and a unit), got '1 000'");
}

TEST(ByteSizeTest, RejectsNegativeSizes) {
  EXPECT_EQ(ErrorOf("-1MiB"), "size '-1MiB' is negative");
  EXPECT_EQ(ErrorOf("-5"), "size '-5' is negative");
}

TEST(ByteSizeTest, RejectsOverflow) {
  EXPECT_EQ(Bytes("18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(ErrorOf("18446744073709551616"),
            "size '18446744073709551616' is too large (at most 18446744073709551615 bytes)");
  EXPECT_EQ(Bytes("17179869183GiB"), 17179869183u << 30);
  EXPECT_EQ(ErrorOf("17179869184GiB"),
            "size '17179869184GiB' is too large (at most 18446744073709551615 bytes)");
  EXPECT_FALSE(ParseByteSize("99999999999999999999999999MiB").ok());
}

}  // namespace
}  // namespace logship
