// SPDX-License-Identifier: Apache-2.0
#include "sinks/kafka/kafka_options.h"

#include <librdkafka/rdkafka.h>

#include <memory>

#include "src/config/config_reader.h"

namespace logship {
namespace {

// Properties that logship sets from its own options, or that would break the delivery contract.
struct Reserved {
  std::string_view property;
  std::string_view why;
};
constexpr Reserved kReserved[] = {
    {"bootstrap.servers", "set by the sink's 'brokers' option"},
    {"metadata.broker.list", "set by the sink's 'brokers' option"},
    {"acks", "set by the sink's 'acks' option"},
    {"request.required.acks", "set by the sink's 'acks' option"},
    {"compression.codec", "set by the sink's 'compression' option"},
    {"compression.type", "set by the sink's 'compression' option"},
    {"delivery.report.only.error",
     "logship acknowledges a batch only from successful delivery reports, so it needs all of them"},
};

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};

bool IsTopicChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// The first character outside a topic name's alphabet in the literal parts of template `text`
// (outside "{{...}}"), or '\0'.
char BadTopicTemplateChar(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (text.compare(pos, 2, "{{") == 0) {
      size_t close = text.find("}}", pos + 2);
      if (close == std::string_view::npos) return '\0';  // Template::Parse reports it
      pos = close + 2;
      continue;
    }
    if (!IsTopicChar(text[pos])) return text[pos];
    ++pos;
  }
  return '\0';
}

std::string ShowChar(char c) {
  if (c == ' ') return "a space";
  if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
    return "a control or non-ASCII character";
  }
  return "'" + std::string(1, c) + "'";
}

// Sets `name` = `value` on `conf`; returns librdkafka's complaint, or an empty string.
std::string TrySet(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                   rd_kafka_conf_res_t* res) {
  char errstr[512] = {};
  *res = rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr));
  return *res == RD_KAFKA_CONF_OK ? std::string() : std::string(errstr);
}

// Checks the `options` map property by property with librdkafka, appending the good ones to
// `o.properties`. Returns the value given for enable.idempotence, or "" when not given.
std::string ReadLibrdkafkaOptions(const ConfigNode& options, ConfigReader& r, rd_kafka_conf_t* conf,
                                  KafkaSinkOptions& o) {
  std::string idempotence;
  if (!options.IsMap()) {
    r.Error("options",
            "expected a map of librdkafka properties, got " + std::string(options.KindName()));
    return idempotence;
  }
  for (const auto& [key, value_node] : options.Entries()) {
    if (!key.IsScalar()) {
      r.errors().Add(key.position(), "options: property names must be plain words");
      continue;
    }
    std::string name = key.Scalar();
    bool secret = IsSecretOptionName(name);
    std::string value;
    if (!r.ExpandScalar(value_node, &value)) continue;
    bool reserved = false;
    for (const Reserved& res : kReserved) {
      if (name == res.property) {
        r.errors().Add(key.position(), "options: property '" + name +
                                           "' cannot be set here: " + std::string(res.why));
        reserved = true;
      }
    }
    if (reserved) continue;
    rd_kafka_conf_res_t res;
    std::string complaint = TrySet(conf, name, value, &res);
    if (res == RD_KAFKA_CONF_UNKNOWN) {
      r.errors().Add(key.position(), "options: unknown librdkafka property '" + name + "'");
      continue;
    }
    if (res != RD_KAFKA_CONF_OK) {
      // librdkafka quotes the value in its message: never for a secret.
      r.errors().Add(value_node.position(),
                     "options: property '" + name +
                         "': " + (secret ? std::string("invalid value <redacted>") : complaint));
      continue;
    }
    if (secret && !value.empty()) o.secret_values.push_back(value);
    if (name == "enable.idempotence") idempotence = value;
    o.properties.emplace_back(std::move(name), std::move(value));
  }
  return idempotence;
}

// Parses a template option; records an error at `key` and returns false when it is malformed.
bool ReadTemplate(ConfigReader& r, std::string_view key, const std::string& text, Template* out) {
  Result<Template> t = Template::Parse(text);
  if (!t.ok()) {
    r.Error(key, t.status().message());
    return false;
  }
  *out = std::move(t).value();
  return true;
}

void CheckTopic(ConfigReader& r, const KafkaSinkOptions& o, bool topic_ok) {
  if (!topic_ok) return;
  const std::string& text = o.topic.text();
  if (o.topic.literal()) {
    r.Check(IsValidTopicName(text), "topic",
            "'" + text +
                "' is not a valid Kafka topic name (1 to 249 of A-Z a-z 0-9 . _ -, "
                "not '.' or '..')");
    return;
  }
  char bad = BadTopicTemplateChar(text);
  r.Check(bad == '\0', "topic",
          "template '" + text + "' contains " + ShowChar(bad) +
              ", which is not allowed in a Kafka topic name (A-Z a-z 0-9 . _ -)");
}

}  // namespace

bool IsValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    if (!IsTopicChar(c)) return false;
  }
  return true;
}

std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets) {
  static constexpr std::string_view kRedacted = "<redacted>";
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
      text.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return text;
}

Result<KafkaSinkOptions> ParseKafkaSinkOptions(const ConfigNode& node, PluginContext& ctx) {
  KafkaSinkOptions o;
  size_t errors_before = ctx.errors->size();
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");         // read by the pipeline, which routes events (Batch::RoutedTo)
  r.Ignore("dead_letter");  // read by ParseDeadLetterOptions below
  std::string topic, key, format, compression, acks;
  ConfigNode options;
  r.Required("brokers", &o.brokers);
  r.Required("topic", &topic);
  r.Optional("topic_fallback", &o.topic_fallback, std::string());
  r.Optional("key", &key, std::string());
  r.OptionalEnum("format", &format, "json", {"json", "raw"});
  r.OptionalEnum("compression", &compression, "none", {"none", "gzip", "snappy", "lz4", "zstd"});
  r.OptionalEnum("acks", &acks, "all", {"all", "-1", "1", "0"});
  r.Optional("options", &options, ConfigNode());
  r.Optional("queue_batches", &o.queue_batches, 4);
  r.Optional("max_batches_in_flight", &o.max_batches_in_flight, 8);

  bool has_brokers = node.Get("brokers").IsScalar();
  r.Check(!has_brokers || !o.brokers.empty(), "brokers", "must not be empty");
  bool topic_ok = node.Get("topic").IsScalar() && ReadTemplate(r, "topic", topic, &o.topic);
  r.Check(!node.Get("topic").IsScalar() || !topic.empty(), "topic", "must not be empty");
  CheckTopic(r, o, topic_ok && !topic.empty());
  r.Check(o.topic_fallback.empty() || IsValidTopicName(o.topic_fallback), "topic_fallback",
          "'" + o.topic_fallback +
              "' is not a valid Kafka topic name (1 to 249 of A-Z a-z 0-9 . _ "
              "-, not '.' or '..')");
  o.has_key = !node.Get("key").IsNull();
  if (o.has_key) {
    r.Check(!key.empty(), "key", "must not be empty (leave it out for messages without a key)");
    if (!key.empty()) ReadTemplate(r, "key", key, &o.key);
  }
  o.format = format == "raw" ? KafkaFormat::kRaw : KafkaFormat::kJson;
  r.Check(o.queue_batches >= 1 && o.queue_batches <= 1024, "queue_batches",
          "must be between 1 and 1024");
  r.Check(o.max_batches_in_flight >= 1 && o.max_batches_in_flight <= 1024, "max_batches_in_flight",
          "must be between 1 and 1024");

  // librdkafka checks each property as it is set; the sink's own settings go first, so that a
  // codec missing from this librdkafka build is reported at `compression`.
  std::unique_ptr<rd_kafka_conf_t, ConfDeleter> conf(rd_kafka_conf_new());
  o.properties = {{"bootstrap.servers", o.brokers},
                  {"client.id", "logship"},
                  {"enable.idempotence", "true"},
                  {"acks", acks == "-1" ? "all" : acks},
                  {"compression.codec", compression}};
  for (const auto& [name, value] : o.properties) {
    rd_kafka_conf_res_t res;
    std::string complaint = TrySet(conf.get(), name, value, &res);
    if (res == RD_KAFKA_CONF_OK) continue;
    std::string_view at = name == "acks"                ? "acks"
                          : name == "compression.codec" ? "compression"
                                                        : "brokers";
    r.Error(at, complaint);
  }
  std::string idempotence;
  if (!options.IsNull()) idempotence = ReadLibrdkafkaOptions(options, r, conf.get(), o);
  bool idempotent = idempotence.empty() || (idempotence != "false" && idempotence != "0");
  r.Check(!idempotent || acks == "all" || acks == "-1", "acks",
          "acks " + acks +
              " needs `options: {enable.idempotence: false}`: the idempotent producer (the "
              "default, which keeps retries from duplicating messages) requires acks all");

  bool ok = r.Finish();
  Result<DeadLetterOptions> dead_letter = ParseDeadLetterOptions(node, ctx);
  if (dead_letter.ok()) o.dead_letter = std::move(dead_letter).value();
  if (!ok || !dead_letter.ok() || ctx.errors->size() != errors_before) {
    return Status::InvalidArgument(ctx.component, "invalid options");
  }
  return o;
}

}  // namespace logship
