// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/bulk_response.h"

#include <gtest/gtest.h>

#include <string>

namespace logship {
namespace {

TEST(BulkResponseTest, ItemTable) {
  EXPECT_EQ(ClassifyItem(201, false), ItemOutcome::kIndexed);
  EXPECT_EQ(ClassifyItem(200, true), ItemOutcome::kIndexed);
  EXPECT_EQ(ClassifyItem(409, true), ItemOutcome::kDuplicate);
  EXPECT_EQ(ClassifyItem(409, false), ItemOutcome::kReject);
  EXPECT_EQ(ClassifyItem(429, false), ItemOutcome::kRetry);
  EXPECT_EQ(ClassifyItem(500, false), ItemOutcome::kRetry);
  EXPECT_EQ(ClassifyItem(503, true), ItemOutcome::kRetry);
  EXPECT_EQ(ClassifyItem(400, false), ItemOutcome::kReject);
  EXPECT_EQ(ClassifyItem(404, false), ItemOutcome::kReject);
}

TEST(BulkResponseTest, RequestTable) {
  EXPECT_EQ(ClassifyRequest(200), RequestOutcome::kItems);
  EXPECT_EQ(ClassifyRequest(413), RequestOutcome::kSplit);
  EXPECT_EQ(ClassifyRequest(400), RequestOutcome::kSplit);
  EXPECT_EQ(ClassifyRequest(401), RequestOutcome::kAuth);
  EXPECT_EQ(ClassifyRequest(403), RequestOutcome::kAuth);
  EXPECT_EQ(ClassifyRequest(0), RequestOutcome::kRetry);
  EXPECT_EQ(ClassifyRequest(429), RequestOutcome::kRetry);
  EXPECT_EQ(ClassifyRequest(502), RequestOutcome::kRetry);
  EXPECT_EQ(ClassifyRequest(404), RequestOutcome::kUnexpected);
}

Status Parse(BulkResponse& r, std::string body, size_t n) {
  return r.Parse(body, body.size(), n);  // copied by the parser: no padding promised
}

TEST(BulkResponseTest, NoErrorsNeedsNoItems) {
  BulkResponse r;
  ASSERT_TRUE(Parse(r, R"({"took":3,"errors":false,"items":[{"index":{"status":201}}]})", 1).ok());
  EXPECT_FALSE(r.errors());
  ASSERT_TRUE(Parse(r, R"({"errors":false})", 5).ok());
  EXPECT_FALSE(r.errors());
}

TEST(BulkResponseTest, ReadsEachItemsStatusAndError) {
  BulkResponse r;
  std::string body = R"({"took":1,"errors":true,"items":[
    {"index":{"_index":"a","_id":"1","status":201}},
    {"create":{"_index":"a","_id":"2","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[2]: version conflict"}}},
    {"index":{"_index":"a","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [n]","caused_by":{"type":"illegal_argument_exception","reason":"For input string: \"x\""}}}},
    {"index":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected"}}},
    {"index":{"status":503}}]})";
  ASSERT_TRUE(Parse(r, body, 5).ok());
  ASSERT_TRUE(r.errors());
  ASSERT_EQ(r.items().size(), 5u);
  EXPECT_EQ(r.items()[0].status, 201);
  EXPECT_EQ(r.items()[1].status, 409);
  EXPECT_EQ(r.items()[3].error_type, "es_rejected_execution_exception");
  EXPECT_EQ(BulkResponse::Reason(r.items()[2]),
            "mapper_parsing_exception: failed to parse field [n] (caused by: "
            "illegal_argument_exception: For input string: \"x\")");
  EXPECT_EQ(BulkResponse::Reason(r.items()[4]), "status 503");
}

TEST(BulkResponseTest, CorruptAnswersAreErrorsNeverGuesses) {
  BulkResponse r;
  EXPECT_TRUE(Parse(r, "<html>", 1).IsCorruption());
  EXPECT_TRUE(Parse(r, "[]", 1).IsCorruption());
  EXPECT_TRUE(Parse(r, R"({"took":1})", 1).IsCorruption());
  EXPECT_TRUE(Parse(r, R"({"errors":true})", 1).IsCorruption());
  EXPECT_TRUE(Parse(r, R"({"errors":true,"items":[{"index":{"status":201}}]})", 2).IsCorruption());
  EXPECT_TRUE(Parse(r, R"({"errors":true,"items":[{"index":{}}]})", 1).IsCorruption());
  EXPECT_TRUE(Parse(r, R"({"errors":true,"items":[{"a":{"status":1},"b":{}}]})", 1).IsCorruption());
}

TEST(BulkResponseTest, ErrorSummaryPrefersElasticsearchsErrorObject) {
  EXPECT_EQ(
      ErrorSummary(
          R"({"error":{"root_cause":[],"type":"security_exception","reason":"missing authentication credentials"},"status":401})"),
      "security_exception: missing authentication credentials");
  EXPECT_EQ(ErrorSummary(R"({"error":"Incorrect HTTP method"})"), "Incorrect HTTP method");
  EXPECT_EQ(ErrorSummary("<html>\n<body>bad gateway</body>"), "<html> <body>bad gateway</body>");
  EXPECT_EQ(ErrorSummary(""), "empty body");
}

TEST(BulkResponseTest, TellsElasticsearchErrorsFromProxyPages) {
  EXPECT_TRUE(IsElasticsearchError(
      R"({"error":{"type":"illegal_argument_exception","reason":"Malformed action"},"status":400})"));
  EXPECT_FALSE(IsElasticsearchError("<html><body>400 Bad Request</body></html>"));
  EXPECT_FALSE(IsElasticsearchError(R"({"error":"Bad Request"})"));
  EXPECT_FALSE(IsElasticsearchError(""));
}

}  // namespace
}  // namespace logship
