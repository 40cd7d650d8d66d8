// SPDX-License-Identifier: Apache-2.0
#pragma once

// Options of the `elasticsearch` sink, read and checked once when the pipeline file is loaded.
// Parsing is pure (no I/O, no network), so `logship validate` and the unit tests need no server.
// Secret values (passwords, API keys, bearer tokens) are kept here only to build the
// Authorization header; they never appear in a message: Describe() names the auth kind only.
//
//   - type: elasticsearch
//     urls: ["https://es-1:9200", "https://es-2:9200"]   # requests are spread; a failing URL is
//                                                        # skipped until its backoff ends
//     index: "logs-app-%Y.%m.%d"    # strftime over @timestamp (UTC) and/or {{field}} templates
//     data_stream: logs-app-default # instead of index: op_type create
//     pipeline: my-pipeline         # ingest pipeline (?pipeline=)
//     id: none                      # or offset: _id "<file key hex>-<log.offset>", op_type create
//     auth: {api_key: ...} | {basic: {user, password}} | {bearer: TOKEN}
//     tls: {ca_file, cert_file, key_file, key_password, server_name, verify: true}
//     compression: none             # or gzip (compression_level 1..9, default 1)
//     batch: {max_bytes: 5MiB, max_events: 5000, timeout: 1s}
//     concurrency: 4
//     request_timeout: 60s
//     connect_timeout: 10s
//     retry: {initial_backoff: 1s, max_backoff: 60s, max_item_attempts: 0}
//     dead_letter: {path: ./dlq/app}

#include <cstdint>
#include <string>
#include <vector>

#include "src/base/result.h"
#include "src/config/byte_size.h"
#include "src/config/config_node.h"
#include "src/config/duration.h"
#include "src/pipeline/dead_letter.h"
#include "src/pipeline/plugin_context.h"

namespace logship {

// One configured Elasticsearch URL, split once at load time.
struct EsEndpoint {
  std::string url;     // as configured, without a trailing '/': "https://es-1:9200"
  std::string scheme;  // "http" or "https"
  std::string host;    // "es-1", "127.0.0.1", "[::1]"
  int port = 0;        // explicit, or 9200 when the URL has none
  std::string path;    // "" or "/prefix" (a reverse proxy's)
  bool https() const { return scheme == "https"; }
};

enum class EsIdMode : uint8_t { kNone, kOffset };
enum class EsAuthKind : uint8_t { kNone, kApiKey, kBasic, kBearer };
enum class EsCompression : uint8_t { kNone, kGzip };

struct EsAuthOptions {
  EsAuthKind kind = EsAuthKind::kNone;
  std::string api_key;  // "id:key" (encoded here) or the already base64-encoded form
  std::string user;
  std::string password;
  std::string bearer;
};

struct EsTlsOptions {
  std::string ca_file;    // absolute; empty: the system's CA store
  std::string cert_file;  // client certificate (mTLS), absolute
  std::string key_file;   // its private key, absolute (may be inside cert_file)
  std::string key_password;
  std::string server_name;  // name used for SNI and certificate checks instead of the URL's host
  bool verify = true;
};

struct EsSinkOptions {
  std::vector<EsEndpoint> urls;
  std::string index;        // the target pattern when data_stream is empty
  std::string data_stream;  // when set, documents go there with op_type create
  std::string pipeline;
  EsIdMode id = EsIdMode::kNone;
  EsAuthOptions auth;
  EsTlsOptions tls;
  EsCompression compression = EsCompression::kNone;
  int compression_level = 1;
  ByteSize batch_max_bytes = ByteSize::MiB(5);
  int batch_max_events = 5000;
  Duration batch_timeout = Duration::Seconds(1);
  int concurrency = 4;
  Duration request_timeout = Duration::Seconds(60);
  Duration connect_timeout = Duration::Seconds(10);
  Duration retry_initial_backoff = Duration::Seconds(1);
  Duration retry_max_backoff = Duration::Seconds(60);
  int retry_max_item_attempts = 0;  // 0: retry 429/5xx items until they are indexed
  DeadLetterOptions dead_letter;

  // The target pattern documents go to: data_stream when set, else index.
  const std::string& target() const { return data_stream.empty() ? index : data_stream; }
  // True when every document is sent with the `create` action.
  bool uses_create() const { return !data_stream.empty() || id == EsIdMode::kOffset; }
};

// Reads and validates the sink's options (every problem goes to ctx.errors with its position,
// then InvalidArgument(component, "invalid options")). Relative TLS file paths resolve against
// ctx.base_dir; the dead-letter path is claimed in ctx.claims. No I/O.
Result<EsSinkOptions> ParseEsSinkOptions(const ConfigNode& node, PluginContext& ctx);

// One line for the start-up log: URLs, target, auth kind, TLS and compression. Never a secret.
std::string Describe(const EsSinkOptions& options);

// The value of the Authorization header ("ApiKey …", "Basic …", "Bearer …"), or "" without
// auth. It holds a secret: callers hand it to libcurl and never log it.
std::string AuthorizationHeader(const EsAuthOptions& auth);

// Standard base64 with padding (RFC 4648), for Basic and ApiKey credentials.
std::string Base64Encode(std::string_view data);

}  // namespace logship
