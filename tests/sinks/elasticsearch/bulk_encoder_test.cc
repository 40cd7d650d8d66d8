// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/bulk_encoder.h"

#include <gtest/gtest.h>

#include <string>

#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"

namespace logship {
namespace {

constexpr int64_t kTs = 1'795'552'446'123'000'000;  // 2026-11-24T20:34:06.123Z

EsSinkOptions Options(std::string index, std::string data_stream = "",
                      EsIdMode id = EsIdMode::kNone) {
  EsSinkOptions o;
  o.index = std::move(index);
  o.data_stream = std::move(data_stream);
  o.id = id;
  return o;
}

class BulkEncoderTest : public ::testing::Test {
 protected:
  BulkEncoderTest() {
    batch_.sources().push_back(BatchSource{7, "/var/log/app.log", 100, 0x00ab'cdef'0123'4567ULL});
    Event& e = batch_.AddEvent();
    e.message = "hello \"world\"";
    e.timestamp_ns = kTs;
    e.offset = 42;
    e.source = 0;
    batch_.AddField(e, "service", Value::String("api"));
  }
  std::string SourceLine() {
    OutputBuffer out;
    JsonWriter().WriteEvent(batch_, batch_.events()[0], out);
    return std::string(out.view()) + "\n";
  }
  Batch batch_;
};

TEST_F(BulkEncoderTest, IndexActionThenTheEventAsJsonWriterWritesIt) {
  BulkEncoder enc(Options("logs-app-%Y.%m.%d"));
  OutputBuffer body;
  EXPECT_EQ(enc.Append(batch_, batch_.events()[0], body), BulkEncoder::Encoded::kPlain);
  EXPECT_EQ(std::string(body.view()),
            "{\"index\":{\"_index\":\"logs-app-2026.11.24\"}}\n" + SourceLine());
}

TEST_F(BulkEncoderTest, DataStreamsUseCreate) {
  BulkEncoder enc(Options("", "logs-app-default"));
  OutputBuffer body;
  EXPECT_EQ(enc.Append(batch_, batch_.events()[0], body), BulkEncoder::Encoded::kPlain);
  EXPECT_EQ(std::string(body.view()),
            "{\"create\":{\"_index\":\"logs-app-default\"}}\n" + SourceLine());
}

TEST_F(BulkEncoderTest, OffsetIdsAreFileKeyInHexAndOffset) {
  BulkEncoder enc(Options("logs", "", EsIdMode::kOffset));
  OutputBuffer body;
  EXPECT_EQ(enc.Append(batch_, batch_.events()[0], body), BulkEncoder::Encoded::kWithId);
  EXPECT_EQ(std::string(body.view()),
            "{\"create\":{\"_index\":\"logs\",\"_id\":\"00abcdef01234567-42\"}}\n" + SourceLine());
  // Twice the same event, twice the same bytes: the id is deterministic.
  OutputBuffer again;
  enc.Append(batch_, batch_.events()[0], again);
  EXPECT_EQ(again.view(), body.view());
}

TEST_F(BulkEncoderTest, EventsNotFromAFileGetNoId) {
  Event& e = batch_.AddEvent();
  e.message = "metric";
  e.timestamp_ns = kTs;
  BulkEncoder enc(Options("logs", "", EsIdMode::kOffset));
  OutputBuffer body;
  EXPECT_EQ(enc.Append(batch_, batch_.events()[1], body), BulkEncoder::Encoded::kPlain);
  EXPECT_EQ(std::string(body.view()).substr(0, 33), "{\"create\":{\"_index\":\"logs\"}}\n{\"@t");
}

TEST_F(BulkEncoderTest, MissingTemplateFieldAppendsNothing) {
  BulkEncoder enc(Options("logs-{{team}}"));
  OutputBuffer body;
  EXPECT_EQ(enc.Append(batch_, batch_.events()[0], body), BulkEncoder::Encoded::kNoIndex);
  EXPECT_TRUE(body.empty());
}

TEST_F(BulkEncoderTest, IndexFollowsEachEventsTimestamp) {
  Event& e = batch_.AddEvent();
  e.message = "next day";
  e.timestamp_ns = kTs + 86'400'000'000'000;
  BulkEncoder enc(Options("logs-%Y.%m.%d"));
  OutputBuffer body;
  enc.Append(batch_, batch_.events()[0], body);
  enc.Append(batch_, batch_.events()[1], body);
  std::string text(body.view());
  EXPECT_NE(text.find("{\"index\":{\"_index\":\"logs-2026.11.24\"}}\n"), std::string::npos);
  EXPECT_NE(text.find("{\"index\":{\"_index\":\"logs-2026.11.25\"}}\n"), std::string::npos);
}

}  // namespace
}  // namespace logship
