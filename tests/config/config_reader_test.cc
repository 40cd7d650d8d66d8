// SPDX-License-Identifier: Apache-2.0
#include "src/config/config_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace logship {
namespace {

using ::testing::ElementsAre;

EnvLookup FakeEnv() {
  static const std::map<std::string, std::string> kVars = {
      {"LOG_DIR", "/var/log/app"}, {"BATCH", "500"}, {"SIZE", "2MiB"}, {"BROKER", "kafka-1:9092"}};
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = kVars.find(name);
    if (it == kVars.end()) return std::nullopt;
    return it->second;
  };
}

ConfigNode MustParse(std::string_view text) {
  Result<ConfigNode> node = ConfigNode::Parse(text, "p.yaml");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return node.ok() ? *node : ConfigNode();
}

// Every error as "LINE:COL: message", in the order recorded.
std::vector<std::string> Messages(const ConfigErrors& errors) {
  std::vector<std::string> out;
  for (const ConfigError& e : errors.all()) {
    out.push_back(std::to_string(e.where.line) + ":" + std::to_string(e.where.column) + ": " +
                  e.message);
  }
  return out;
}

struct FileOptions {
  std::string path;
  ByteSize max_file_bytes;
  bool compress = false;
  int64_t max_files = 0;
  uint64_t batch_events = 0;
  int level = 0;
  double ratio = 0;
  Duration flush_interval;
  std::vector<std::string> brokers;
  std::string start_at;
};

// Reads FileOptions the way a plugin's Parse…Options does.
bool ReadFileOptions(const ConfigNode& node, ConfigErrors& errors, FileOptions* o) {
  ConfigReader r(node, errors, FakeEnv());
  r.Required("path", &o->path);
  r.Optional("max_file_bytes", &o->max_file_bytes, ByteSize::MiB(64));
  r.Optional("compress", &o->compress, false);
  r.Optional("max_files", &o->max_files, 10);
  r.Optional("batch_events", &o->batch_events, 100u);
  r.Optional("level", &o->level, 3);
  r.Optional("ratio", &o->ratio, 0.5);
  r.Optional("flush_interval", &o->flush_interval, Duration::Seconds(1));
  r.Optional("brokers", &o->brokers, std::vector<std::string>{"localhost:9092"});
  r.OptionalEnum("start_at", &o->start_at, "end", {"beginning", "end"});
  return r.Finish();
}

TEST(ConfigReaderTest, ReadsEveryOptionType) {
  ConfigNode node = MustParse(
      "path: /tmp/out.log\n"
      "max_file_bytes: 1 KiB\n"
      "compress: yes\n"
      "max_files: -3\n"
      "batch_events: 18446744073709551615\n"
      "level: 9\n"
      "ratio: 0.25\n"
      "flush_interval: 1m30s\n"
      "brokers: [a:9092, b:9092]\n"
      "start_at: beginning\n");
  ConfigErrors errors;
  FileOptions o;
  ASSERT_TRUE(ReadFileOptions(node, errors, &o)) << errors.ToString();
  EXPECT_EQ(o.path, "/tmp/out.log");
  EXPECT_EQ(o.max_file_bytes, ByteSize::KiB(1));
  EXPECT_TRUE(o.compress);
  EXPECT_EQ(o.max_files, -3);
  EXPECT_EQ(o.batch_events, 18446744073709551615u);
  EXPECT_EQ(o.level, 9);
  EXPECT_DOUBLE_EQ(o.ratio, 0.25);
  EXPECT_EQ(o.flush_interval, Duration::Seconds(90));
  EXPECT_THAT(o.brokers, ElementsAre("a:9092", "b:9092"));
  EXPECT_EQ(o.start_at, "beginning");
}

TEST(ConfigReaderTest, AppliesDefaultsForMissingAndNullOptions) {
  ConfigNode node = MustParse("path: /x\nmax_file_bytes:\ncompress: ~\n");
  ConfigErrors errors;
  FileOptions o;
  ASSERT_TRUE(ReadFileOptions(node, errors, &o)) << errors.ToString();
  EXPECT_EQ(o.max_file_bytes, ByteSize::MiB(64));
  EXPECT_FALSE(o.compress);
  EXPECT_EQ(o.max_files, 10);
  EXPECT_EQ(o.batch_events, 100u);
  EXPECT_EQ(o.level, 3);
  EXPECT_DOUBLE_EQ(o.ratio, 0.5);
  EXPECT_EQ(o.flush_interval, Duration::Seconds(1));
  EXPECT_THAT(o.brokers, ElementsAre("localhost:9092"));
  EXPECT_EQ(o.start_at, "end");
}

TEST(ConfigReaderTest, ReportsUnknownKeyWithPosition) {
  ConfigNode sink = MustParse(
                        "sinks:\n"
                        "  - type: file\n"
                        "    pathh: /tmp/x\n"
                        "    max_file_bytes: 1MiB\n")
                        .Get("sinks")
                        .Elements()
                        .at(0);
  ConfigErrors errors;
  ConfigReader r(sink, errors, FakeEnv());
  r.Ignore("type");
  std::string path;
  ByteSize max_file_bytes;
  r.Optional("path", &path, "");
  r.Optional("max_file_bytes", &max_file_bytes, ByteSize::MiB(64));
  EXPECT_FALSE(r.Finish());
  ASSERT_EQ(errors.size(), 1u);
  const ConfigError& e = errors.all()[0];
  EXPECT_EQ(e.where.file, "p.yaml");
  EXPECT_EQ(e.where.line, 3);
  EXPECT_EQ(e.where.column, 5);
  EXPECT_EQ(e.message,
            "unknown option 'pathh' (known: type, path, max_file_bytes); did you mean 'path'?");
  EXPECT_EQ(e.ToString(),
            "p.yaml:3:5: unknown option 'pathh' (known: type, path, max_file_bytes); did you mean "
            "'path'?");
}

TEST(ConfigReaderTest, SuggestsOnlyCloseKeys) {
  ConfigNode node = MustParse("path: /x\nmax_file_byte: 1\nmax_flie_bytes: 2\ncolour: red\nx: 1\n");
  ConfigErrors errors;
  ConfigReader r(node, errors, FakeEnv());
  std::string path;
  ByteSize size;
  r.Required("path", &path);
  r.Optional("max_file_bytes", &size, ByteSize());
  r.Optional("id", &path, "");
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(Messages(errors),
              ElementsAre("2:1: unknown option 'max_file_byte' (known: path, max_file_bytes, id); "
                          "did you mean 'max_file_bytes'?",
                          "3:1: unknown option 'max_flie_bytes' (known: path, max_file_bytes, id); "
                          "did you mean 'max_file_bytes'?",
                          "4:1: unknown option 'colour' (known: path, max_file_bytes, id)",
                          "5:1: unknown option 'x' (known: path, max_file_bytes, id)"));
}

TEST(ConfigReaderTest, ReportsMissingRequiredOptionAtTheMap) {
  ConfigNode sink = MustParse(
                        "sinks:\n"
                        "  - type: stdout\n"
                        "  - type: file\n"
                        "    compress: true\n")
                        .Get("sinks")
                        .Elements()
                        .at(1);
  ConfigErrors errors;
  FileOptions o;
  ConfigReader r(sink, errors, FakeEnv());
  r.Ignore("type");
  r.Required("path", &o.path);
  r.Optional("compress", &o.compress, false);
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(Messages(errors), ElementsAre("3:5: missing required option 'path'"));
  EXPECT_TRUE(o.compress);
}

TEST(ConfigReaderTest, ReportsWrongTypesWithPositions) {
  ConfigNode node = MustParse(
      "path:\n"              // 1
      "  nested: map\n"      // 2
      "brokers: {a: 1}\n"    // 3
      "compress: [true]\n"   // 4
      "start_at: [end]\n");  // 5
  ConfigErrors errors;
  FileOptions o;
  EXPECT_FALSE(ReadFileOptions(node, errors, &o));
  EXPECT_THAT(Messages(errors),
              ElementsAre("2:3: option 'path': expected a value, got a map",
                          "4:11: option 'compress': expected a value, got a list",
                          "3:10: option 'brokers': expected a list, got a map",
                          "5:11: option 'start_at': expected a value, got a list"));
}

TEST(ConfigReaderTest, ReportsBadValuesWithExactPositions) {
  ConfigNode node = MustParse(
      "path: /x\n"                     // 1
      "max_file_bytes: abc\n"          // 2
      "compress: maybe\n"              // 3
      "max_files: 1.5\n"               // 4
      "batch_events: -1\n"             // 5
      "level: 3000000000\n"            // 6
      "ratio: fast\n"                  // 7
      "flush_interval:   5 parsecs\n"  // 8
      "start_at: middle\n");           // 9
  ConfigErrors errors;
  FileOptions o;
  EXPECT_FALSE(ReadFileOptions(node, errors, &o));
  EXPECT_THAT(
      Messages(errors),
      ElementsAre(
          "2:17: option 'max_file_bytes': expected a size like 64MiB, got 'abc'",
          "3:11: option 'compress': expected true or false, got 'maybe'",
          "4:12: option 'max_files': expected an integer, got '1.5'",
          "5:15: option 'batch_events': expected a non-negative integer, got '-1'",
          "6:8: option 'level': integer 3000000000 is out of range",
          "7:8: option 'ratio': expected a number, got 'fast'",
          "8:19: option 'flush_interval': unknown unit 'parsecs' in duration '5 parsecs' (use "
          "ns, us, ms, s, m, h, d)",
          "9:11: option 'start_at': expected one of beginning, end, got 'middle'"));
  // Failed options keep the value they had.
  EXPECT_EQ(o.max_files, 0);
  EXPECT_EQ(o.start_at, "");
}

TEST(ConfigReaderTest, RejectsTrailingJunkAndOverflowInIntegers) {
  ConfigNode node = MustParse("a: 12abc\nb: 0x10\nc: 99999999999999999999\nd: ''\ne: +7\n");
  ConfigErrors errors;
  ConfigReader r(node, errors, FakeEnv());
  int64_t a = 0, b = 0, c = 0, d = 0, e = 0;
  r.Required("a", &a);
  r.Required("b", &b);
  r.Required("c", &c);
  r.Required("d", &d);
  r.Required("e", &e);
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(Messages(errors),
              ElementsAre("1:4: option 'a': expected an integer, got '12abc'",
                          "2:4: option 'b': expected an integer, got '0x10'",
                          "3:4: option 'c': integer '99999999999999999999' is out of range",
                          "4:4: option 'd': expected an integer, got ''"));
  EXPECT_EQ(e, 7);
}

TEST(ConfigReaderTest, BooleansAcceptYamlSpellings) {
  ConfigNode node = MustParse(
      "a: true\nb: false\nc: yes\nd: no\ne: on\nf: off\ng: TRUE\nh: Off\ni: 'yes'\nj: tRUE\n");
  ConfigErrors errors;
  ConfigReader r(node, errors, FakeEnv());
  bool v[10] = {false, true, false, true, false, true, false, true, false, false};
  const char* keys[10] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  for (int i = 0; i < 10; ++i) r.Required(keys[i], &v[i]);
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(v, ElementsAre(true, false, true, false, true, false, true, false, true, false));
  EXPECT_THAT(Messages(errors),
              ElementsAre("10:4: option 'j': expected true or false, got 'tRUE'"));
}

TEST(ConfigReaderTest, ScalarBecomesOneElementList) {
  ConfigNode node = MustParse("brokers: kafka-1:9092\nempty: []\n");
  ConfigErrors errors;
  ConfigReader r(node, errors, FakeEnv());
  std::vector<std::string> brokers;
  std::vector<std::string> empty = {"x"};
  r.Required("brokers", &brokers);
  r.Required("empty", &empty);
  EXPECT_TRUE(r.Finish()) << errors.ToString();
  EXPECT_THAT(brokers, ElementsAre("kafka-1:9092"));
  EXPECT_TRUE(empty.empty());
}

TEST(ConfigReaderTest, ReportsBadListElementsByIndex) {
  ConfigNode node = MustParse(
      "brokers:\n"
      "  - a\n"
      "  - {host: b}\n"
      "  -\n"
      "  - c\n");
  ConfigErrors errors;
  ConfigReader r(node, errors, FakeEnv());
  std::vector<std::string> brokers = {"unchanged"};
  r.Required("brokers", &brokers);
  EXPECT_FALSE(r.Finish());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors.all()[0].message, "option 'brokers[1]': expected a value, got a map");
  EXPECT_EQ(errors.all()[0].where.line, 3);
  EXPECT_EQ(errors.all()[0].where.column, 5);
  EXPECT_EQ(errors.all()[1].message, "option 'brokers[2]': expected a value, got null");
  EXPECT_THAT(brokers, ElementsAre("unchanged"));
}

TEST(ConfigReaderTest, ExpandsEnvironmentInEveryScalar) {
  ConfigNode node = MustParse(
      "path: ${LOG_DIR}/out.log\n"
      "max_file_bytes: ${SIZE}\n"
      "batch_events: ${BATCH}\n"
      "max_files: ${MISSING:-7}\n"
      "flush_interval: ${MISSING:-250ms}\n"
      "brokers: [\"${BROKER}\", \"$${literal}\"]\n"
      "start_at: ${MISSING:-beginning}\n");
  ConfigErrors errors;
  FileOptions o;
  ASSERT_TRUE(ReadFileOptions(node, errors, &o)) << errors.ToString();
  EXPECT_EQ(o.path, "/var/log/app/out.log");
  EXPECT_EQ(o.max_file_bytes, ByteSize::MiB(2));
  EXPECT_EQ(o.batch_events, 500u);
  EXPECT_EQ(o.max_files, 7);
  EXPECT_EQ(o.flush_interval, Duration::Millis(250));
  EXPECT_THAT(o.brokers, ElementsAre("kafka-1:9092", "${literal}"));
  EXPECT_EQ(o.start_at, "beginning");
}

TEST(ConfigReaderTest, ReportsUnsetVariableWithOptionAndPosition) {
  ConfigNode node = MustParse(
      "sink:\n"
      "  user: admin\n"
      "  password: ${KAFKA_PASSWORD}\n"
      "  topic: \"logs-${ENV\"\n");
  ConfigErrors errors;
  ConfigReader r(node.Get("sink"), errors, FakeEnv());
  std::string user, password = "unchanged", topic;
  r.Required("user", &user);
  r.Required("password", &password);
  r.Required("topic", &topic);
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(Messages(errors),
              ElementsAre("3:13: option 'password': environment variable 'KAFKA_PASSWORD' is not "
                          "set (use ${KAFKA_PASSWORD:-default} for a default)",
                          "4:10: option 'topic': unterminated reference '${ENV' (missing '}')"));
  EXPECT_EQ(password, "unchanged");
}

TEST(ConfigReaderTest, CheckAndErrorPointAtTheOptionOrTheMap) {
  ConfigNode node = MustParse(
      "output:\n"
      "  path: /x\n"
      "  max_file_bytes: 1KiB\n");
  ConfigErrors errors;
  ConfigReader r(node.Get("output"), errors, FakeEnv());
  std::string path;
  ByteSize size;
  r.Required("path", &path);
  r.Optional("max_file_bytes", &size, ByteSize::MiB(64));
  r.Check(size.bytes >= 4096, "max_file_bytes", "must be at least 4KiB");
  r.Check(true, "path", "never reported");
  r.Check(false, "rotate_bytes", "must be set when rotating");
  r.Error("", "sink 'out' is defined twice");
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(Messages(errors), ElementsAre("3:19: option 'max_file_bytes': must be at least 4KiB",
                                            "2:3: option 'rotate_bytes': must be set when rotating",
                                            "2:3: sink 'out' is defined twice"));
}

TEST(ConfigReaderTest, FinishCountsOnlyThisReadersErrors) {
  ConfigNode root = MustParse("a:\n  x: 1\nb:\n  y: bad\n");
  ConfigErrors errors;
  {
    ConfigReader a(root.Get("a"), errors, FakeEnv());
    int x = 0;
    a.Required("x", &x);
    a.Required("z", &x);
    EXPECT_FALSE(a.Finish());
  }
  ASSERT_EQ(errors.size(), 1u);
  {
    ConfigReader b(root.Get("b"), errors, FakeEnv());
    std::string y;
    b.Required("y", &y);
    EXPECT_TRUE(b.Finish());
  }
  EXPECT_EQ(errors.size(), 1u);
}

TEST(ConfigReaderTest, NonMapNodeIsReportedOnce) {
  ConfigNode root = MustParse("sinks:\n  - a\n  - b\n");
  ConfigErrors errors;
  ConfigReader r(root.Get("sinks"), errors, FakeEnv());
  std::string path;
  r.Required("path", &path);
  r.Optional("name", &path, "x");
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(Messages(errors), ElementsAre("2:3: 'sinks': expected a map, got a list"));
}

TEST(ConfigReaderTest, NullNodeReadsAsEmptyMap) {
  ConfigNode root = MustParse("options:\n");
  ConfigErrors errors;
  ConfigReader r(root.Get("options"), errors, FakeEnv());
  int level = 0;
  r.Optional("level", &level, 4);
  EXPECT_TRUE(r.Finish());
  EXPECT_EQ(level, 4);

  ConfigReader missing(root.Get("nothing"), errors, FakeEnv());
  std::string path;
  missing.Required("path", &path);
  EXPECT_FALSE(missing.Finish());
  EXPECT_THAT(Messages(errors), ElementsAre("1:1: missing required option 'path'"));
}

TEST(ConfigReaderTest, ReportsDuplicateKeys) {
  ConfigNode node = MustParse("path: /a\nlevel: 1\npath: /b\n");
  ConfigErrors errors;
  ConfigReader r(node, errors, FakeEnv());
  std::string path;
  int level = 0;
  r.Required("path", &path);
  r.Required("level", &level);
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(Messages(errors), ElementsAre("3:1: duplicate option 'path'"));
  EXPECT_EQ(path, "/a");
}

TEST(ConfigReaderTest, ReportsNonScalarKeys) {
  ConfigNode node = MustParse("? [a, b]\n: 1\n");
  ConfigErrors errors;
  ConfigReader r(node, errors, FakeEnv());
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(Messages(errors), ElementsAre("1:3: option names must be plain words, got a list"));
}

TEST(ConfigReaderTest, IgnoredAndRawOptionsAreKnown) {
  ConfigNode node = MustParse("type: kafka\nsettings:\n  a: 1\n");
  ConfigErrors errors;
  ConfigReader r(node, errors, FakeEnv());
  ConfigNode settings;
  r.Ignore("type");
  r.Required("settings", &settings);
  EXPECT_TRUE(r.Finish()) << errors.ToString();
  EXPECT_EQ(settings.path(), "settings");
  EXPECT_EQ(settings.Get("a").Scalar(), "1");
}

TEST(ConfigReaderTest, NamesNestedOptionsRelativeToTheReader) {
  ConfigNode sink = MustParse(
                        "pipelines:\n"
                        "  app:\n"
                        "    sinks:\n"
                        "      - type: kafka\n"
                        "        tls:\n"
                        "          verify: sometimes\n")
                        .Get("pipelines")
                        .Get("app")
                        .Get("sinks")
                        .Elements()
                        .at(0);
  ConfigErrors errors;
  ConfigReader r(sink, errors, FakeEnv());
  r.Ignore("type");
  ConfigNode tls;
  r.Required("tls", &tls);
  bool verify = true;
  r.Decode(tls.Get("verify"), &verify);
  EXPECT_FALSE(r.Finish());
  EXPECT_THAT(Messages(errors),
              ElementsAre("6:19: option 'tls.verify': expected true or false, got 'sometimes'"));
  // A reader for the nested map names the option by its own key.
  ConfigReader nested(tls, errors, FakeEnv());
  nested.Required("verify", &verify);
  nested.Required("ca_file", &verify);
  EXPECT_FALSE(nested.Finish());
  EXPECT_EQ(errors.all().back().message, "missing required option 'ca_file'");
  EXPECT_EQ(tls.Get("ca_file").path(), "pipelines.app.sinks[0].tls.ca_file");
}

TEST(ConfigReaderTest, CollectsEveryProblemSortedForValidate) {
  ConfigNode node = MustParse(
      "pathh: /x\n"
      "max_file_bytes: lots\n"
      "start_at: middle\n");
  ConfigErrors errors;
  FileOptions o;
  EXPECT_FALSE(ReadFileOptions(node, errors, &o));
  EXPECT_EQ(errors.ToString(),
            "p.yaml:1:1: missing required option 'path'\n"
            "p.yaml:1:1: unknown option 'pathh' (known: path, max_file_bytes, compress, max_files, "
            "batch_events, level, ratio, flush_interval, brokers, start_at); did you mean "
            "'path'?\n"
            "p.yaml:2:17: option 'max_file_bytes': expected a size like 64MiB, got 'lots'\n"
            "p.yaml:3:11: option 'start_at': expected one of beginning, end, got 'middle'\n");
}

}  // namespace
}  // namespace logship

namespace logship {
namespace {

TEST(ConfigReaderSecretsTest, SecretValuesAreNeverEchoed) {
  EXPECT_TRUE(IsSecretOptionName("sasl.password"));
  EXPECT_TRUE(IsSecretOptionName("api_key"));
  EXPECT_TRUE(IsSecretOptionName("ES_TOKEN"));
  EXPECT_FALSE(IsSecretOptionName("path"));
  Result<ConfigNode> node = ConfigNode::Parse("password: hunter2\nretries: many\n", "f.yaml");
  ASSERT_TRUE(node.ok());
  ConfigErrors errors;
  ConfigReader r(*node, errors);
  int password = 0, retries = 0;
  r.Optional("password", &password, 0);  // the wrong type: the message must not show the value
  r.Optional("retries", &retries, 0);
  EXPECT_FALSE(r.Finish());
  std::string text = errors.ToString();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("<redacted>"), std::string::npos) << text;
  EXPECT_NE(text.find("'many'"), std::string::npos) << text;
}

}  // namespace
}  // namespace logship
