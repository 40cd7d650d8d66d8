// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/es_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "src/config/config_node.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class EsOptionsTest : public ::testing::Test {
 protected:
  EsOptionsTest() {
    ctx_.pipeline = "app";
    ctx_.component = "pipelines.app.sinks[0]";
    ctx_.base_dir = "/etc/logship";
    ctx_.data_dir = "/var/lib/logship/app";
    ctx_.sink_index = 0;
    ctx_.errors = &errors_;
    ctx_.claims = &claims_;
  }

  Result<EsSinkOptions> Parse(std::string_view yaml) {
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "p.yaml");
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    if (!node.ok()) return node.status();
    return ParseEsSinkOptions(*node, ctx_);
  }

  ConfigErrors errors_;
  ResourceClaims claims_;
  PluginContext ctx_;
};

TEST_F(EsOptionsTest, DefaultsFollowTheIssue) {
  Result<EsSinkOptions> o = Parse("type: elasticsearch\nurls: [\"https://es-1:9200\"]\n");
  ASSERT_TRUE(o.ok()) << errors_.ToString();
  ASSERT_EQ(o->urls.size(), 1u);
  EXPECT_EQ(o->urls[0].url, "https://es-1:9200");
  EXPECT_EQ(o->urls[0].host, "es-1");
  EXPECT_EQ(o->urls[0].port, 9200);
  EXPECT_EQ(o->index, "logship-%Y.%m.%d");
  EXPECT_EQ(o->id, EsIdMode::kNone);
  EXPECT_FALSE(o->uses_create());
  EXPECT_EQ(o->compression, EsCompression::kNone);
  EXPECT_EQ(o->batch_max_bytes.bytes, 5u << 20);
  EXPECT_EQ(o->batch_max_events, 5000);
  EXPECT_EQ(o->batch_timeout.nanos, 1'000'000'000);
  EXPECT_EQ(o->concurrency, 4);
  EXPECT_TRUE(o->tls.verify);
  EXPECT_EQ(o->auth.kind, EsAuthKind::kNone);
  EXPECT_EQ(o->dead_letter.spool.dir, "/var/lib/logship/app/dead_letter/0");
}

TEST_F(EsOptionsTest, ReadsTheFullExampleOfTheIssue) {
  ::setenv("LOGSHIP_TEST_ES_API_KEY", "bG9nc2hpcDpzZWNyZXQ=", 1);
  Result<EsSinkOptions> o = Parse(R"(type: elasticsearch
urls: ["https://es-1:9200", "https://es-2:9200/proxy/"]
index: "logs-app-%Y.%m.%d"
pipeline: my-ingest-pipeline
id: offset
auth:
  api_key: "${LOGSHIP_TEST_ES_API_KEY}"
tls:
  ca_file: certs/es-ca.pem
  cert_file: /etc/ssl/client.pem
  key_file: /etc/ssl/client.key
  server_name: es.internal
compression: gzip
batch: {max_bytes: 1MiB, max_events: 1000, timeout: 250ms}
concurrency: 8
dead_letter: {path: ./dlq/app}
)");
  ASSERT_TRUE(o.ok()) << errors_.ToString();
  ASSERT_EQ(o->urls.size(), 2u);
  EXPECT_EQ(o->urls[1].path, "/proxy");
  EXPECT_EQ(o->urls[1].url, "https://es-2:9200/proxy");
  EXPECT_EQ(o->pipeline, "my-ingest-pipeline");
  EXPECT_EQ(o->id, EsIdMode::kOffset);
  EXPECT_TRUE(o->uses_create());
  EXPECT_EQ(o->auth.kind, EsAuthKind::kApiKey);
  EXPECT_EQ(AuthorizationHeader(o->auth), "ApiKey bG9nc2hpcDpzZWNyZXQ=");
  EXPECT_EQ(o->tls.ca_file, "/etc/logship/certs/es-ca.pem");
  EXPECT_EQ(o->tls.server_name, "es.internal");
  EXPECT_EQ(o->compression, EsCompression::kGzip);
  EXPECT_EQ(o->batch_max_bytes.bytes, 1u << 20);
  EXPECT_EQ(o->batch_max_events, 1000);
  EXPECT_EQ(o->batch_timeout.nanos, 250'000'000);
  EXPECT_EQ(o->concurrency, 8);
  EXPECT_EQ(o->dead_letter.spool.dir, "/etc/logship/dlq/app");
}

TEST_F(EsOptionsTest, DataStreamUsesCreate) {
  Result<EsSinkOptions> o = Parse("urls: http://127.0.0.1:9200\ndata_stream: logs-app-default\n");
  ASSERT_TRUE(o.ok()) << errors_.ToString();
  EXPECT_EQ(o->target(), "logs-app-default");
  EXPECT_TRUE(o->uses_create());
  EXPECT_EQ(o->urls[0].port, 9200);
}

TEST_F(EsOptionsTest, AuthorizationHeadersAreExact) {
  EsAuthOptions basic;
  basic.kind = EsAuthKind::kBasic;
  basic.user = "elastic";
  basic.password = "changeme";
  EXPECT_EQ(AuthorizationHeader(basic), "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==");
  EsAuthOptions bearer;
  bearer.kind = EsAuthKind::kBearer;
  bearer.bearer = "tok.en";
  EXPECT_EQ(AuthorizationHeader(bearer), "Bearer tok.en");
  EsAuthOptions key;
  key.kind = EsAuthKind::kApiKey;
  key.api_key = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw";  // Kibana's id:api_key form
  EXPECT_EQ(AuthorizationHeader(key),
            "ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==");
  EXPECT_EQ(AuthorizationHeader(EsAuthOptions{}), "");
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
}

TEST_F(EsOptionsTest, ReportsEveryProblemWithItsPosition) {
  Result<EsSinkOptions> o =
      Parse(R"(urls: ["ftp://x", "https://user:hunter2@es:9200", "https://es:99999"]
index: "Logs-%Q"
data_stream: logs-x
id: maybe
compression: zstd
concurrency: 0
auth: {basic: {user: u, password: p}, bearer: t}
tls: {key_file: k.pem}
batch: {max_events: 0}
bogus: 1
)");
  ASSERT_FALSE(o.ok());
  std::string all = errors_.ToString();
  EXPECT_THAT(all, HasSubstr("p.yaml:1:"));
  EXPECT_THAT(all, HasSubstr("scheme 'ftp' is not supported"));
  EXPECT_THAT(all, HasSubstr("credentials in the URL are not allowed"));
  EXPECT_THAT(all, HasSubstr("port '99999'"));
  EXPECT_THAT(all, HasSubstr("index and data_stream are mutually exclusive"));
  EXPECT_THAT(all, HasSubstr("id"));
  EXPECT_THAT(all, HasSubstr("zstd"));
  EXPECT_THAT(all, HasSubstr("concurrency"));
  EXPECT_THAT(all, HasSubstr("mutually exclusive"));
  EXPECT_THAT(all, HasSubstr("key_file"));
  EXPECT_THAT(all, HasSubstr("max_events"));
  EXPECT_THAT(all, HasSubstr("bogus"));
  // A password in a URL is a secret even when the URL is refused.
  EXPECT_THAT(all, Not(HasSubstr("hunter2")));
}

TEST_F(EsOptionsTest, RejectsIndexPatternsElasticsearchWouldRefuse) {
  for (const char* index : {"Logs", "logs-%Q", "logs/a", "-logs", "logs %Y", "logs-%e", "a{{b"}) {
    errors_ = ConfigErrors();
    std::string yaml = "urls: http://h\nindex: \"" + std::string(index) + "\"\n";
    EXPECT_FALSE(Parse(yaml).ok()) << index;
    EXPECT_THAT(errors_.ToString(), HasSubstr("option 'index'")) << index;
  }
}

TEST_F(EsOptionsTest, DescribeNamesAuthKindButNeverASecret) {
  Result<EsSinkOptions> o = Parse(R"(urls: https://es:9200
auth: {basic: {user: shipper, password: s3cr3t-pw}}
tls: {verify: false}
)");
  ASSERT_TRUE(o.ok()) << errors_.ToString();
  std::string d = Describe(*o);
  EXPECT_THAT(d, HasSubstr("https://es:9200"));
  EXPECT_THAT(d, HasSubstr("auth basic (user 'shipper')"));
  EXPECT_THAT(d, HasSubstr("TLS NOT verified"));
  EXPECT_THAT(d, Not(HasSubstr("s3cr3t-pw")));
}

}  // namespace
}  // namespace logship
