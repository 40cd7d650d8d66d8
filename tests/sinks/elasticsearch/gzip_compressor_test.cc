// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/gzip_compressor.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace logship {
namespace {

// Inflates a gzip member (what an HTTP server does with Content-Encoding: gzip).
std::string Gunzip(std::string_view in) {
  z_stream s{};
  EXPECT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
  std::string out(in.size() * 20 + 1024, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  inflateEnd(&s);
  return out;
}

TEST(GzipCompressorTest, RoundTripsAndResetsBetweenBodies) {
  GzipCompressor gz(1);
  OutputBuffer out;
  std::string body;
  for (int i = 0; i < 2000; ++i) {
    body += "{\"index\":{\"_index\":\"logs\"}}\n{\"message\":\"line " + std::to_string(i) + "\"}\n";
  }
  ASSERT_TRUE(gz.Compress(body, out).ok());
  EXPECT_EQ(static_cast<unsigned char>(out.data()[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(out.data()[1]), 0x8b);
  EXPECT_LT(out.size(), body.size() / 4);
  EXPECT_EQ(Gunzip(out.view()), body);
  ASSERT_TRUE(gz.Compress("second\n", out).ok());
  EXPECT_EQ(Gunzip(out.view()), "second\n");
  ASSERT_TRUE(gz.Compress("", out).ok());
  EXPECT_EQ(Gunzip(out.view()), "");
}

}  // namespace
}  // namespace logship
