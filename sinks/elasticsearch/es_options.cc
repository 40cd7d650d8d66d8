// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/es_options.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "sinks/elasticsearch/index_pattern.h"
#include "src/config/config_reader.h"

namespace logship {
namespace {

// Splits "scheme://host[:port][/path]" into an endpoint; "" on success, else why not.
std::string ParseEndpoint(std::string_view text, EsEndpoint* out) {
  EsEndpoint e;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return "expected http://HOST[:PORT] or https://HOST[:PORT]";
  e.scheme = std::string(text.substr(0, sep));
  if (e.scheme != "http" && e.scheme != "https") {
    return "scheme '" + e.scheme + "' is not supported (http or https)";
  }
  std::string_view rest = text.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return "a URL with a query or fragment is not supported (use the `pipeline` option)";
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    // Credentials in a URL end up in logs and process listings; auth keeps them out of both.
    return "credentials in the URL are not allowed: use auth.basic or auth.api_key";
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return "unclosed '[' in the host";
    e.host = std::string(authority.substr(0, close + 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "unexpected text after the IPv6 host";
      port_text = after.substr(1);
      if (port_text.empty()) return "empty port";
    }
  } else {
    size_t colon = authority.rfind(':');
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return "empty port";
    }
  }
  if (e.host.empty() || e.host == "[]") return "no host";
  e.port = 9200;  // Elasticsearch's port, as Beats assume when none is given
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return "port '" + std::string(port_text) + "' is not a number from 1 to 65535";
    }
    e.port = port;
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  e.path = std::string(path);
  e.url = e.scheme + "://" + std::string(authority) + e.path;
  *out = std::move(e);
  return "";
}

void ReadAuth(ConfigReader& parent, const ConfigNode& node, EsAuthOptions* auth) {
  if (node.IsNull()) return;
  ConfigReader r(node, parent.errors());
  ConfigNode basic;
  r.Optional("api_key", &auth->api_key, std::string());
  r.Optional("basic", &basic, ConfigNode());
  r.Optional("bearer", &auth->bearer, std::string());
  int kinds = 0;
  if (node.IsMap() && !node.Get("api_key").IsNull()) {
    auth->kind = EsAuthKind::kApiKey;
    ++kinds;
    r.Check(!auth->api_key.empty(), "api_key", "must not be empty");
  }
  if (!basic.IsNull()) {
    auth->kind = EsAuthKind::kBasic;
    ++kinds;
    ConfigReader b(basic, parent.errors());
    b.Required("user", &auth->user);
    b.Required("password", &auth->password);
    if (basic.IsMap() && !basic.Get("user").IsNull()) {
      b.Check(!auth->user.empty(), "user", "must not be empty");
      b.Check(auth->user.find(':') == std::string::npos, "user",
              "must not contain ':' (HTTP Basic cannot carry it)");
    }
    b.Finish();
  }
  if (node.IsMap() && !node.Get("bearer").IsNull()) {
    auth->kind = EsAuthKind::kBearer;
    ++kinds;
    r.Check(!auth->bearer.empty(), "bearer", "must not be empty");
  }
  if (node.IsMap() && kinds != 1) {
    r.Error("", kinds == 0 ? "option 'auth': expected one of api_key, basic or bearer"
                           : "option 'auth': api_key, basic and bearer are mutually exclusive");
  }
  r.Finish();
}

void ReadTls(ConfigReader& parent, const ConfigNode& node, PluginContext& ctx, EsTlsOptions* tls) {
  if (node.IsNull()) return;
  ConfigReader r(node, parent.errors());
  std::string ca_file, cert_file, key_file;
  r.Optional("ca_file", &ca_file, std::string());
  r.Optional("cert_file", &cert_file, std::string());
  r.Optional("key_file", &key_file, std::string());
  r.Optional("key_password", &tls->key_password, std::string());
  r.Optional("server_name", &tls->server_name, std::string());
  r.Optional("verify", &tls->verify, true);
  r.Check(key_file.empty() || !cert_file.empty(), "key_file", "needs cert_file");
  r.Check(tls->server_name.find_first_of(":/ ") == std::string::npos, "server_name",
          "must be a host name");
  r.Finish();
  if (!ca_file.empty()) tls->ca_file = ctx.ResolvePath(ca_file);
  if (!cert_file.empty()) tls->cert_file = ctx.ResolvePath(cert_file);
  if (!key_file.empty()) tls->key_file = ctx.ResolvePath(key_file);
}

void ReadBatch(ConfigReader& parent, const ConfigNode& node, EsSinkOptions* o) {
  ConfigReader r(node, parent.errors());
  r.Optional("max_bytes", &o->batch_max_bytes, ByteSize::MiB(5));
  r.Optional("max_events", &o->batch_max_events, 5000);
  r.Optional("timeout", &o->batch_timeout, Duration::Seconds(1));
  r.Check(o->batch_max_bytes.bytes >= 1024 && o->batch_max_bytes.bytes <= (uint64_t{1} << 30),
          "max_bytes", "must be between 1KiB and 1GiB");
  r.Check(o->batch_max_events >= 1 && o->batch_max_events <= 1'000'000, "max_events",
          "must be between 1 and 1000000");
  r.Check(o->batch_timeout.nanos > 0, "timeout", "must be more than 0");
  r.Finish();
}

void ReadRetry(ConfigReader& parent, const ConfigNode& node, EsSinkOptions* o) {
  ConfigReader r(node, parent.errors());
  r.Optional("initial_backoff", &o->retry_initial_backoff, Duration::Seconds(1));
  r.Optional("max_backoff", &o->retry_max_backoff, Duration::Seconds(60));
  r.Optional("max_item_attempts", &o->retry_max_item_attempts, 0);
  r.Check(o->retry_initial_backoff.nanos >= Duration::Millis(1).nanos, "initial_backoff",
          "must be at least 1ms");
  r.Check(o->retry_max_backoff.nanos >= o->retry_initial_backoff.nanos, "max_backoff",
          "must be at least initial_backoff");
  r.Check(o->retry_max_item_attempts >= 0, "max_item_attempts", "must be 0 (no limit) or more");
  r.Finish();
}

}  // namespace

Result<EsSinkOptions> ParseEsSinkOptions(const ConfigNode& node, PluginContext& ctx) {
  EsSinkOptions o;
  size_t errors_before = ctx.errors->size();
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which routes events (Batch::RoutedTo)
  std::vector<std::string> urls;
  std::string id, compression;
  ConfigNode auth, tls, batch, retry;
  r.Required("urls", &urls);
  r.Optional("index", &o.index, std::string());
  r.Optional("data_stream", &o.data_stream, std::string());
  r.Optional("pipeline", &o.pipeline, std::string());
  r.OptionalEnum("id", &id, "none", {"none", "offset"});
  r.Optional("auth", &auth, ConfigNode());
  r.Optional("tls", &tls, ConfigNode());
  r.OptionalEnum("compression", &compression, "none", {"none", "gzip"});
  r.Optional("compression_level", &o.compression_level, 1);
  r.Optional("batch", &batch, ConfigNode());
  r.Optional("concurrency", &o.concurrency, 4);
  r.Optional("request_timeout", &o.request_timeout, Duration::Seconds(60));
  r.Optional("connect_timeout", &o.connect_timeout, Duration::Seconds(10));
  r.Optional("retry", &retry, ConfigNode());
  r.Ignore("dead_letter");  // ParseDeadLetterOptions below
  o.id = id == "offset" ? EsIdMode::kOffset : EsIdMode::kNone;
  o.compression = compression == "gzip" ? EsCompression::kGzip : EsCompression::kNone;

  ConfigNode urls_node = node.IsMap() ? node.Get("urls") : ConfigNode();
  r.Check(urls_node.IsNull() || !urls.empty(), "urls", "must name at least one URL");
  std::vector<ConfigNode> url_nodes =
      urls_node.IsSequence() ? urls_node.Elements() : std::vector<ConfigNode>{urls_node};
  for (size_t i = 0; i < urls.size(); ++i) {
    EsEndpoint e;
    std::string why = ParseEndpoint(urls[i], &e);
    if (!why.empty()) {
      // Never echo the URL text: it may hold credentials (rejected, but still secret).
      ctx.errors->Add(url_nodes[std::min(i, url_nodes.size() - 1)].position(),
                      "option 'urls[" + std::to_string(i) + "]': " + why);
      continue;
    }
    o.urls.push_back(std::move(e));
  }

  if (!o.index.empty() && !o.data_stream.empty()) {
    r.Error("data_stream", "index and data_stream are mutually exclusive");
  }
  if (o.index.empty() && o.data_stream.empty()) o.index = "logship-%Y.%m.%d";
  std::string_view target_key = o.data_stream.empty() ? "index" : "data_stream";
  Result<IndexPattern> pattern = IndexPattern::Parse(o.target());
  if (!pattern.ok()) r.Error(target_key, pattern.status().message());
  r.Check(o.pipeline.find_first_of("/?&#% ") == std::string::npos, "pipeline",
          "must be an ingest pipeline's name");
  r.Check(o.compression_level >= 1 && o.compression_level <= 9, "compression_level",
          "must be between 1 and 9");
  r.Check(o.concurrency >= 1 && o.concurrency <= 128, "concurrency", "must be between 1 and 128");
  r.Check(o.request_timeout.nanos >= Duration::Millis(1).nanos, "request_timeout",
          "must be at least 1ms");
  r.Check(o.connect_timeout.nanos >= Duration::Millis(1).nanos, "connect_timeout",
          "must be at least 1ms");
  ReadAuth(r, auth, &o.auth);
  ReadTls(r, tls, ctx, &o.tls);
  ReadBatch(r, batch, &o);
  ReadRetry(r, retry, &o);
  r.Finish();
  Result<DeadLetterOptions> dead_letter = ParseDeadLetterOptions(node, ctx);
  if (dead_letter.ok()) o.dead_letter = std::move(dead_letter).value();
  if (ctx.errors->size() != errors_before) {
    return Status::InvalidArgument(ctx.component, "invalid options");
  }
  return o;
}

std::string Describe(const EsSinkOptions& o) {
  std::string s;
  for (size_t i = 0; i < o.urls.size(); ++i) {
    if (i > 0) s += ", ";
    s += o.urls[i].url;
  }
  s += o.data_stream.empty() ? " index '" + o.index + "'" : " data stream '" + o.data_stream + "'";
  if (!o.pipeline.empty()) s += ", pipeline '" + o.pipeline + "'";
  if (o.id == EsIdMode::kOffset) s += ", id: offset";
  static constexpr const char* kAuth[] = {"no auth", "auth api_key", "auth basic", "auth bearer"};
  s += std::string(", ") + kAuth[static_cast<int>(o.auth.kind)];
  if (o.auth.kind == EsAuthKind::kBasic) s += " (user '" + o.auth.user + "')";
  bool any_https = false;
  for (const EsEndpoint& e : o.urls) any_https = any_https || e.https();
  if (any_https) {
    s += o.tls.verify ? ", TLS verified" : ", TLS NOT verified";
    if (!o.tls.ca_file.empty()) s += " (CA '" + o.tls.ca_file + "')";
    if (!o.tls.cert_file.empty()) s += ", client certificate '" + o.tls.cert_file + "'";
  }
  s += o.compression == EsCompression::kGzip ? ", gzip" : ", no compression";
  s += ", concurrency " + std::to_string(o.concurrency);
  return s;
}

std::string Base64Encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < data.size()) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string AuthorizationHeader(const EsAuthOptions& auth) {
  switch (auth.kind) {
    case EsAuthKind::kNone:
      return "";
    case EsAuthKind::kApiKey:
      // Kibana shows a key both as "id:api_key" (what Beats take) and base64-encoded; base64
      // never contains ':', so the form tells which one this is.
      return "ApiKey " + (auth.api_key.find(':') != std::string::npos ? Base64Encode(auth.api_key)
                                                                      : auth.api_key);
    case EsAuthKind::kBasic:
      return "Basic " + Base64Encode(auth.user + ":" + auth.password);
    case EsAuthKind::kBearer:
      return "Bearer " + auth.bearer;
  }
  return "";
}

}  // namespace logship
