// SPDX-License-Identifier: Apache-2.0
#include "parsers/regex/regex_stage.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "parsers/builtin_parsers.h"
#include "parsers/regex/builtin_patterns.h"
#include "src/event/field_ref.h"
#include "tests/testing/alloc/allocation_counter.h"
#include "tests/testing/stage_harness.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using testing::StageHarness;

// The sample lines kept for a shipped pattern: tests/data/patterns/<name>.log.
std::vector<std::string> SampleLines(const std::string& name) {
  std::string text = testing::ReadFileOrEmpty(std::string(LOGSHIP_SOURCE_DIR) +
                                              "/tests/data/patterns/" + name + ".log");
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::optional<Value> Get(StageHarness& h, size_t i, const std::string& path) {
  return GetField(h.batch(), h.batch().events()[i], FieldRef(path));
}

// Runs the stage built from `yaml` over `lines`; fails the test when the stage does not build.
// The stage is returned: field names and error messages live in it, as they live in the
// configuration of a running pipeline, so it must outlive the batch.
std::unique_ptr<Stage> RunStage(StageHarness& h, std::string_view yaml,
                                const std::vector<std::string>& lines) {
  std::unique_ptr<Stage> stage = h.Build(&MakeRegexStage, yaml);
  EXPECT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines(lines);
  if (stage != nullptr) stage->Process(b, EventSelection::All());
  return stage;
}

std::string ErrorType(StageHarness& h, size_t i) {
  return std::string(h.batch().events()[i].error_type);
}
std::string ErrorMessage(StageHarness& h, size_t i) {
  return std::string(h.batch().events()[i].error_message);
}

// --- shipped patterns ---------------------------------------------------------------------------

TEST(RegexStageTest, EveryShippedPatternIsListedAndLoads) {
  std::vector<std::string> names;
  for (const BuiltinPattern& p : BuiltinPatterns()) names.emplace_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"apache_combined", "apache_common", "nginx_combined",
                                             "syslog_rfc3164", "syslog_rfc5424"}));
  for (const std::string& name : names) {
    StageHarness h;
    EXPECT_NE(h.Build(&MakeRegexStage, "type: regex\npattern: " + name + "\n"), nullptr)
        << name << ": " << h.ErrorText();
    EXPECT_NE(FindBuiltinPattern(name), nullptr);
  }
  EXPECT_EQ(FindBuiltinPattern("nginx"), nullptr);
}

TEST(RegexStageTest, EveryShippedPatternMatchesEveryLineOfItsSample) {
  for (const BuiltinPattern& p : BuiltinPatterns()) {
    std::string name(p.name);
    std::vector<std::string> lines = SampleLines(name);
    ASSERT_GE(lines.size(), 15u) << name;
    StageHarness h;
    auto stage = RunStage(h, "type: regex\npattern: " + name + "\n", lines);
    for (size_t i = 0; i < lines.size(); ++i) {
      EXPECT_EQ(ErrorType(h, i), "") << name << " line " << i + 1 << ": " << lines[i] << "\n"
                                     << ErrorMessage(h, i);
    }
  }
}

TEST(RegexStageTest, ShippedPatternsDoNotMatchEachOthersLines) {
  // A patterns list relies on this: an nginx line must not be taken for syslog, and so on.
  const std::vector<std::pair<std::string, std::string>> disjoint = {
      {"nginx_combined", "syslog_rfc3164"}, {"nginx_combined", "syslog_rfc5424"},
      {"apache_common", "syslog_rfc5424"},  {"syslog_rfc5424", "nginx_combined"},
      {"syslog_rfc3164", "syslog_rfc5424"}, {"apache_common", "apache_combined"}};
  for (const auto& [pattern, sample] : disjoint) {
    StageHarness h;
    std::vector<std::string> lines = SampleLines(sample);
    auto stage = RunStage(h, "type: regex\npattern: " + pattern + "\n", lines);
    for (size_t i = 0; i < lines.size(); ++i) {
      EXPECT_EQ(ErrorType(h, i), "regex") << pattern << " matched " << sample << ": " << lines[i];
    }
  }
}

TEST(RegexStageTest, NginxCombinedFields) {
  StageHarness h;
  std::vector<std::string> lines = SampleLines("nginx_combined");
  auto stage = RunStage(h, "type: regex\npattern: nginx_combined\n", lines);
  // 1: IPv4, '-' user and referer (unset), typed status and size.
  EXPECT_EQ(h.Text(0, "remote_addr"), "203.0.113.7");
  EXPECT_EQ(h.Text(0, "remote_user"), std::nullopt);
  EXPECT_EQ(h.Text(0, "time_local"), "24/Nov/2026:10:15:30 +0000");
  EXPECT_EQ(h.Text(0, "method"), "GET");
  EXPECT_EQ(h.Text(0, "path"), "/index.html");
  EXPECT_EQ(h.Text(0, "protocol"), "HTTP/1.1");
  EXPECT_EQ(h.Text(0, "request"), std::nullopt);
  EXPECT_EQ(Get(h, 0, "status")->kind, ValueKind::kInt);
  EXPECT_EQ(Get(h, 0, "status")->i, 200);
  EXPECT_EQ(Get(h, 0, "body_bytes_sent")->i, 5123);
  EXPECT_EQ(h.Text(0, "http_referer"), std::nullopt);
  EXPECT_EQ(h.Text(0, "http_user_agent"),
            "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0");
  EXPECT_EQ(h.Text(0, "http_x_forwarded_for"), std::nullopt);
  // 2: IPv6 client with a user, HTTP/2.
  EXPECT_EQ(h.Text(1, "remote_addr"), "2001:db8::1");
  EXPECT_EQ(h.Text(1, "remote_user"), "alice");
  EXPECT_EQ(h.Text(1, "method"), "POST");
  EXPECT_EQ(h.Text(1, "protocol"), "HTTP/2.0");
  EXPECT_EQ(h.Text(1, "http_referer"), "https://shop.example.com/cart");
  // 4: quotes as nginx escapes them (\x22), kept as written.
  EXPECT_EQ(h.Text(3, "path"), R"(/search?q=\x22blue shoes\x22)");
  EXPECT_EQ(h.Text(3, "http_user_agent"), R"(Mozilla/5.0 \x22quoted\x22 agent)");
  // 5: a TLS handshake sent to the plain-HTTP port: no method/path/protocol, the raw request kept.
  EXPECT_EQ(h.Text(4, "method"), std::nullopt);
  EXPECT_EQ(h.Text(4, "path"), std::nullopt);
  EXPECT_EQ(h.Text(4, "protocol"), std::nullopt);
  EXPECT_EQ(h.Text(4, "request"), R"(\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03\xB8\x9A\x1C)");
  EXPECT_EQ(Get(h, 4, "status")->i, 400);
  EXPECT_EQ(h.Text(4, "http_user_agent"), std::nullopt);
  // 9: IPv6 loopback, request "-": nothing set for it.
  EXPECT_EQ(h.Text(8, "remote_addr"), "::1");
  EXPECT_EQ(h.Text(8, "request"), std::nullopt);
  EXPECT_EQ(h.Text(8, "method"), std::nullopt);
  // 15: the official image's "main" format adds $http_x_forwarded_for.
  EXPECT_EQ(h.Text(14, "http_x_forwarded_for"), "203.0.113.50, 10.0.0.2");
  EXPECT_EQ(h.Text(14, "path"), "/graphql");
  // 17: "PRI * HTTP/2.0" (an HTTP/2 preface sent to an HTTP/1 port) still splits.
  EXPECT_EQ(h.Text(16, "method"), "PRI");
  EXPECT_EQ(h.Text(16, "path"), "*");
  // 18: an x_forwarded_for of '-' is unset.
  EXPECT_EQ(h.Text(17, "http_x_forwarded_for"), std::nullopt);
  EXPECT_EQ(h.Text(17, "http_user_agent").value_or("").substr(0, 11), "Mozilla/5.0");
  // The message, now held by the captures, is removed; the captures point into the line's bytes
  // in the arena (no copy), which the event's message view still names.
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_FALSE(h.batch().events()[i].has_message) << i;
  const Event& e = h.batch().events()[1];
  EXPECT_EQ(e.message, lines[1]);
  std::string_view ua = Get(h, 1, "http_user_agent")->s;
  EXPECT_GE(ua.data(), e.message.data());
  EXPECT_LE(ua.data() + ua.size(), e.message.data() + e.message.size());
}

TEST(RegexStageTest, NginxPathRunsToTheLastProtocol) {
  // nginx logs the raw request line: a path may hold spaces, even " HTTP/1.0 ".
  StageHarness h;
  auto stage = RunStage(
      h, "type: regex\npattern: nginx_combined\n",
      {R"(192.0.2.44 - - [24/Nov/2026:10:15:32 +0000] "GET /a b HTTP/1.0 c HTTP/1.1" 400 157 "-" "-")",
       R"(192.0.2.44 - - [24/Nov/2026:10:15:32 +0000] "GET /no-protocol" 400 157 "-" "-")"});
  EXPECT_EQ(ErrorType(h, 0), "");
  EXPECT_EQ(h.Text(0, "method"), "GET");
  EXPECT_EQ(h.Text(0, "path"), "/a b HTTP/1.0 c");
  EXPECT_EQ(h.Text(0, "protocol"), "HTTP/1.1");
  EXPECT_EQ(h.Text(0, "request"), std::nullopt);
  EXPECT_EQ(h.Text(1, "request"), "GET /no-protocol");
  EXPECT_EQ(h.Text(1, "method"), std::nullopt);
}

TEST(RegexStageTest, NginxJsonOutput) {
  StageHarness h;
  auto stage =
      RunStage(h, "type: regex\npattern: nginx_combined\n", {SampleLines("nginx_combined")[2]});
  std::string json = h.Json(0);
  EXPECT_NE(json.find(R"("remote_addr":"198.51.100.23")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("status":304,"body_bytes_sent":0)"), std::string::npos) << json;
  EXPECT_EQ(json.find("remote_user"), std::string::npos) << json;
  EXPECT_EQ(json.find("\"message\""), std::string::npos) << json;
}

TEST(RegexStageTest, ApacheCommonFields) {
  StageHarness h;
  std::vector<std::string> lines = SampleLines("apache_common");
  auto stage = RunStage(h, "type: regex\npattern: apache_common\n", lines);
  // The example from Apache's documentation.
  EXPECT_EQ(h.Text(0, "remote_host"), "127.0.0.1");
  EXPECT_EQ(h.Text(0, "remote_logname"), std::nullopt);
  EXPECT_EQ(h.Text(0, "remote_user"), "frank");
  EXPECT_EQ(h.Text(0, "time"), "10/Oct/2000:13:55:36 -0700");
  EXPECT_EQ(h.Text(0, "method"), "GET");
  EXPECT_EQ(h.Text(0, "path"), "/apache_pb.gif");
  EXPECT_EQ(h.Text(0, "protocol"), "HTTP/1.0");
  EXPECT_EQ(Get(h, 0, "status")->i, 200);
  EXPECT_EQ(Get(h, 0, "bytes_sent")->i, 2326);
  // %b writes '-' for no body: unset.
  EXPECT_EQ(h.Text(2, "remote_host"), "2001:db8::1");
  EXPECT_EQ(h.Text(2, "bytes_sent"), std::nullopt);
  EXPECT_EQ(Get(h, 2, "status")->i, 302);
  // Quotes as Apache escapes them (\"), kept as written.
  EXPECT_EQ(h.Text(4, "request"), R"(GET /search?q=\"blue shoes\" HTTP/1.1)");
  // TLS garbage and "-" requests.
  EXPECT_EQ(h.Text(5, "request"), R"(\x16\x03\x01\x02)");
  EXPECT_EQ(h.Text(5, "method"), std::nullopt);
  EXPECT_EQ(h.Text(6, "request"), std::nullopt);
  EXPECT_EQ(Get(h, 6, "status")->i, 408);
  // A host name (HostnameLookups On), an identd logname.
  EXPECT_EQ(h.Text(7, "remote_host"), "www.example.net");
  EXPECT_EQ(h.Text(8, "remote_logname"), "identd");
  // An escaped backslash inside the path.
  EXPECT_EQ(h.Text(9, "path"), R"(/files/a\\b.txt)");
}

TEST(RegexStageTest, ApacheCombinedFields) {
  StageHarness h;
  std::vector<std::string> lines = SampleLines("apache_combined");
  auto stage = RunStage(h, "type: regex\npattern: apache_combined\n", lines);
  EXPECT_EQ(h.Text(0, "referer"), "http://www.example.com/start.html");
  EXPECT_EQ(h.Text(0, "user_agent"), "Mozilla/4.08 [en] (Win98; I ;Nav)");
  EXPECT_EQ(h.Text(1, "referer"), std::nullopt);
  EXPECT_EQ(h.Text(3, "user_agent"), R"(Mozilla/5.0 \"quoted\" agent)");
  EXPECT_EQ(h.Text(4, "request"), R"(\x16\x03\x01\x02)");
  EXPECT_EQ(h.Text(4, "user_agent"), std::nullopt);
  // An escaped backslash right before an escaped quote.
  EXPECT_EQ(h.Text(7, "user_agent"), R"(Mozilla/5.0 (compatible; scanner \\ \"x\"))");
  // Escaped quote-space-quote sequences in both request and referer do not end them early.
  EXPECT_EQ(h.Text(9, "request"), R"(GET /page?ref=\"x\" \"y\" HTTP/1.1)");
  EXPECT_EQ(h.Text(9, "referer"), R"(https://example.org/?q=\"a\" \"b\")");
  EXPECT_EQ(h.Text(9, "user_agent"), "curl/8.5.0");
  EXPECT_EQ(h.Text(15, "remote_host"), "fe80::1ff:fe23:4567:890a");
}

TEST(RegexStageTest, SyslogRfc3164Fields) {
  StageHarness h;
  std::vector<std::string> lines = SampleLines("syslog_rfc3164");
  auto stage = RunStage(h, "type: regex\npattern: syslog_rfc3164\n", lines);
  EXPECT_EQ(h.Text(0, "timestamp"), "Nov 24 10:15:30");
  EXPECT_EQ(h.Text(0, "hostname"), "web-1");
  EXPECT_EQ(h.Text(0, "app_name"), "sshd");
  EXPECT_EQ(h.Text(0, "procid"), "1234");
  // Without a target, the syslog text replaces the event's message (the parse wrote it: it stays).
  EXPECT_TRUE(h.batch().events()[0].has_message);
  EXPECT_EQ(h.batch().events()[0].message,
            "Accepted publickey for deploy from 192.0.2.10 port 52144 ssh2: ED25519 SHA256:abc");
  EXPECT_EQ(h.Text(0, "priority"), std::nullopt);
  EXPECT_EQ(h.Text(0, "facility"), std::nullopt);
  // No pid.
  EXPECT_EQ(h.Text(2, "app_name"), "kernel");
  EXPECT_EQ(h.Text(2, "procid"), std::nullopt);
  EXPECT_EQ(h.Text(2, "message"), "[12345.678901] EXT4-fs (vda1): re-mounted. Opts: (null)");
  // A one-digit day, a tag with a slash.
  EXPECT_EQ(h.Text(5, "timestamp"), "Nov  4 09:05:01");
  EXPECT_EQ(h.Text(5, "app_name"), "postfix/smtpd");
  EXPECT_EQ(h.Text(5, "procid"), "30111");
  // <PRI> as received from the network: 34 = facility 4 (auth), severity 2 (critical).
  EXPECT_EQ(Get(h, 7, "priority")->i, 34);
  EXPECT_EQ(Get(h, 7, "facility")->i, 4);
  EXPECT_EQ(Get(h, 7, "severity")->i, 2);
  EXPECT_EQ(h.Text(7, "hostname"), "mymachine");
  EXPECT_EQ(h.Text(7, "app_name"), "su");
  EXPECT_EQ(h.Text(7, "message"), "'su root' failed for lonvick on /dev/pts/8");
  // rsyslog's RFC 3339 timestamp (Debian 12's default file format).
  EXPECT_EQ(h.Text(11, "timestamp"), "2026-11-24T10:15:38.123456+00:00");
  EXPECT_EQ(h.Text(11, "app_name"), "sshd");
  EXPECT_EQ(h.Text(12, "app_name"), "systemd-logind");
  // No tag at all: the message is everything after the host name.
  EXPECT_EQ(h.Text(15, "app_name"), std::nullopt);
  EXPECT_EQ(h.Text(15, "message"), "a message with no tag at all");
}

TEST(RegexStageTest, SyslogRfc5424Fields) {
  StageHarness h;
  std::vector<std::string> lines = SampleLines("syslog_rfc5424");
  auto stage = RunStage(h, "type: regex\npattern: syslog_rfc5424\ntarget: syslog\n", lines);
  // RFC 5424's first example: NILVALUEs are unset, the BOM is not part of the message.
  EXPECT_EQ(Get(h, 0, "syslog.priority")->i, 34);
  EXPECT_EQ(Get(h, 0, "syslog.facility")->i, 4);
  EXPECT_EQ(Get(h, 0, "syslog.severity")->i, 2);
  EXPECT_EQ(Get(h, 0, "syslog.version")->i, 1);
  EXPECT_EQ(h.Text(0, "syslog.timestamp"), "2003-10-11T22:14:15.003Z");
  EXPECT_EQ(h.Text(0, "syslog.hostname"), "mymachine.example.com");
  EXPECT_EQ(h.Text(0, "syslog.app_name"), "su");
  EXPECT_EQ(h.Text(0, "syslog.procid"), std::nullopt);
  EXPECT_EQ(h.Text(0, "syslog.msgid"), "ID47");
  EXPECT_EQ(h.Text(0, "syslog.structured_data"), std::nullopt);
  EXPECT_EQ(h.Text(0, "syslog.message"), "'su root' failed for lonvick on /dev/pts/8");
  // With a target the parse writes syslog.message, not message: the whole line is removed.
  EXPECT_FALSE(h.batch().events()[0].has_message);
  EXPECT_EQ(h.Text(0, "message"), std::nullopt);
  // Structured data, one element and two.
  EXPECT_EQ(h.Text(2, "syslog.structured_data"),
            R"([exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"])");
  EXPECT_EQ(h.Text(2, "syslog.message"), "An application event log entry...");
  EXPECT_EQ(h.Text(3, "syslog.structured_data"),
            R"([exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"])"
            R"([examplePriority@32473 class="high"])");
  EXPECT_EQ(h.Text(3, "syslog.message"), std::nullopt);
  // Escaped quotes and backslashes inside a param value; ']' inside a quoted value.
  EXPECT_EQ(h.Text(8, "syslog.msgid"), "PAYMENT_FAILED");
  EXPECT_EQ(h.Text(8, "syslog.structured_data"),
            R"([order@32473 id="A-17" reason="card \"declined\"" path="C:\\tmp\\x"])");
  EXPECT_EQ(h.Text(8, "syslog.message"), "payment failed for order A-17");
  EXPECT_EQ(h.Text(12, "syslog.structured_data"), R"([sd@1 x="a]b\]c"])");
  // Everything NIL.
  EXPECT_EQ(Get(h, 10, "syslog.priority")->i, 0);
  EXPECT_EQ(h.Text(10, "syslog.hostname"), std::nullopt);
  EXPECT_EQ(h.Text(10, "syslog.message"), "kernel panic? no, just a test");
  // 191: the largest PRI, local7.debug.
  EXPECT_EQ(Get(h, 13, "syslog.facility")->i, 23);
  EXPECT_EQ(Get(h, 13, "syslog.severity")->i, 7);
}

// --- options and behaviour ----------------------------------------------------------------------

TEST(RegexStageTest, TypedConversions) {
  StageHarness h;
  auto stage = RunStage(
      h,
      "type: regex\n"
      R"(pattern: '^(?P<status>\S+) (?P<bytes>\S+) (?P<latency>\S+) (?P<ok>\S+) (?P<s>\S+)$')"
      "\ntypes: {status: int, bytes: int, latency: float, ok: bool, s: string}\n",
      {"200 5123 0.25 true 42", "-17 0 1e-3 NO x", "404 1 3 Yes y", "500 9 -2.5 0 z"});
  EXPECT_EQ(Get(h, 0, "status")->kind, ValueKind::kInt);
  EXPECT_EQ(Get(h, 0, "status")->i, 200);
  EXPECT_EQ(Get(h, 0, "latency")->kind, ValueKind::kDouble);
  EXPECT_DOUBLE_EQ(Get(h, 0, "latency")->d, 0.25);
  EXPECT_EQ(Get(h, 0, "ok")->kind, ValueKind::kBool);
  EXPECT_TRUE(Get(h, 0, "ok")->b);
  EXPECT_EQ(Get(h, 0, "s")->kind, ValueKind::kString);
  EXPECT_EQ(Get(h, 1, "status")->i, -17);
  EXPECT_DOUBLE_EQ(Get(h, 1, "latency")->d, 0.001);
  EXPECT_FALSE(Get(h, 1, "ok")->b);
  EXPECT_TRUE(Get(h, 2, "ok")->b);
  EXPECT_DOUBLE_EQ(Get(h, 2, "latency")->d, 3.0);
  EXPECT_FALSE(Get(h, 3, "ok")->b);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(ErrorType(h, i), "") << i;
  EXPECT_NE(h.Json(0).find(R"("status":200,"bytes":5123,"latency":0.25,"ok":true,"s":"42")"),
            std::string::npos)
      << h.Json(0);
}

TEST(RegexStageTest, FailedConversionKeepsTheStringAndTags) {
  StageHarness h;
  auto stage =
      RunStage(h,
               "type: regex\n"
               R"(pattern: '^(?P<status>\S+) (?P<bytes>\S+) (?P<latency>\S+) (?P<ok>\S*)$')"
               "\ntypes: {status: int, bytes: int, latency: float, ok: bool}\n",
               {"200 abc 0.5 true", "99999999999999999999 1 x maybe", "1 2 inf true",
                "1 2 3 " + std::string(100, 'n'), "1 2 3 "});
  EXPECT_EQ(ErrorType(h, 0), "regex");
  EXPECT_EQ(ErrorMessage(h, 0), "field 'bytes': not an int: 'abc'");
  EXPECT_EQ(Get(h, 0, "bytes")->kind, ValueKind::kString);
  EXPECT_EQ(h.Text(0, "bytes"), "abc");
  EXPECT_EQ(Get(h, 0, "status")->i, 200);  // the other fields still convert
  EXPECT_EQ(Get(h, 0, "ok")->b, true);
  // Overflow is a failure; the first failure is the one reported.
  EXPECT_EQ(ErrorMessage(h, 1), "field 'status': not an int: '99999999999999999999'");
  EXPECT_EQ(h.Text(1, "latency"), "x");
  EXPECT_EQ(h.Text(1, "ok"), "maybe");
  // Non-finite numbers are not floats JSON can carry.
  EXPECT_EQ(ErrorMessage(h, 2), "field 'latency': not a float: 'inf'");
  // Long values are cut in the message.
  EXPECT_EQ(ErrorMessage(h, 3), "field 'ok': not a bool: '" + std::string(64, 'n') + "...'");
  // An empty capture is not a bool either.
  EXPECT_EQ(ErrorMessage(h, 4), "field 'ok': not a bool: ''");
  EXPECT_EQ(h.Text(4, "ok"), "");
  // A tagged event keeps its message, for the operator to read beside the error.
  EXPECT_EQ(h.Text(0, "message"), "200 abc 0.5 true");
  EXPECT_EQ(h.Text(4, "message"), "1 2 3 ");
}

TEST(RegexStageTest, TypesOverrideTheShippedPatternsOwn) {
  StageHarness h;
  auto stage = RunStage(
      h, "type: regex\npattern: nginx_combined\ntypes: {status: string, remote_user: string}\n",
      {SampleLines("nginx_combined")[0]});
  EXPECT_EQ(Get(h, 0, "status")->kind, ValueKind::kString);
  EXPECT_EQ(Get(h, 0, "body_bytes_sent")->kind, ValueKind::kInt);
}

TEST(RegexStageTest, FirstMatchingPatternWins) {
  StageHarness h;
  auto stage = RunStage(h,
                        "type: regex\n"
                        "patterns:\n"
                        "  - '^(?P<a>x+)(?P<rest>.*)$'\n"
                        "  - '^(?P<b>\\w+)=(?P<c>\\d+)$'\n"
                        "  - '^(?P<d>.*)$'\n",
                        {"xxyy", "key=42", "other"});
  EXPECT_EQ(h.Text(0, "a"), "xx");
  EXPECT_EQ(h.Text(0, "rest"), "yy");
  EXPECT_EQ(h.Text(0, "d"), std::nullopt);  // the later patterns never ran
  EXPECT_EQ(h.Text(1, "a"), std::nullopt);
  EXPECT_EQ(h.Text(1, "b"), "key");
  EXPECT_EQ(h.Text(1, "c"), "42");
  EXPECT_EQ(h.Text(1, "d"), std::nullopt);
  EXPECT_EQ(h.Text(2, "d"), "other");
}

TEST(RegexStageTest, ShippedAndOwnPatternsMix) {
  StageHarness h;
  std::vector<std::string> lines = {SampleLines("syslog_rfc5424")[4],
                                    SampleLines("apache_common")[0],
                                    SampleLines("apache_combined")[0], "level=info"};
  auto stage = RunStage(h,
                        "type: regex\n"
                        "patterns: [syslog_rfc5424, apache_combined, apache_common, "
                        "'^level=(?P<level>\\w+)$']\n"
                        "target: parsed\n",
                        lines);
  EXPECT_EQ(h.Text(0, "parsed.app_name"), "nginx");
  EXPECT_EQ(h.Text(1, "parsed.remote_user"), "frank");
  EXPECT_EQ(h.Text(1, "parsed.referer"), std::nullopt);  // common, not combined
  EXPECT_EQ(h.Text(2, "parsed.referer"), "http://www.example.com/start.html");
  EXPECT_EQ(h.Text(3, "parsed.level"), "info");
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(ErrorType(h, i), "") << i;
}

TEST(RegexStageTest, MismatchIsTaggedByDefault) {
  StageHarness h;
  auto stage =
      RunStage(h, "type: regex\npattern: nginx_combined\n", {"not an access log line", ""});
  for (size_t i = 0; i < 2; ++i) {
    const Event& e = h.batch().events()[i];
    EXPECT_FALSE(e.dropped);
    EXPECT_EQ(e.error_type, "regex");
    EXPECT_EQ(e.error_message, "no pattern matched field 'message'");
    EXPECT_EQ(e.first_field, kNoIndex);
  }
  EXPECT_EQ(h.batch().events()[0].message, "not an access log line");
  std::string json = h.Json(0);
  EXPECT_NE(json.find(R"("error":{"message":"no pattern matched field 'message'","type":"regex"})"),
            std::string::npos)
      << json;
}

TEST(RegexStageTest, MismatchCanDrop) {
  StageHarness h;
  auto stage = RunStage(h, "type: regex\npattern: '^(?P<level>[A-Z]+) '\non_mismatch: drop\n",
                        {"INFO ok", "garbage", "WARN hmm"});
  EXPECT_FALSE(h.batch().events()[0].dropped);
  EXPECT_TRUE(h.batch().events()[1].dropped);
  EXPECT_EQ(h.batch().events()[1].error_type, "");
  EXPECT_FALSE(h.batch().events()[2].dropped);
  EXPECT_EQ(h.Text(2, "level"), "WARN");
}

TEST(RegexStageTest, UnanchoredPatternsFindTheFirstMatch) {
  StageHarness h;
  auto stage = RunStage(h, "type: regex\npattern: 'took (?P<ms>\\d+)ms'\ntypes: {ms: int}\n",
                        {"GET / took 12ms, then took 40ms", "no timing here"});
  EXPECT_EQ(Get(h, 0, "ms")->i, 12);
  EXPECT_EQ(ErrorType(h, 1), "regex");
}

TEST(RegexStageTest, OptionalGroupThatDidNotTakePartIsUnset) {
  StageHarness h;
  auto stage = RunStage(h, "type: regex\npattern: '^(?P<a>\\w+)(?: (?P<b>\\w+))?(?P<c>x*)$'\n",
                        {"one", "one two"});
  EXPECT_EQ(h.Text(0, "a"), "one");
  EXPECT_EQ(h.Text(0, "b"), std::nullopt);
  EXPECT_EQ(h.Text(0, "c"), "");  // took part, matched nothing: set, empty
  EXPECT_EQ(h.Text(1, "b"), "two");
}

TEST(RegexStageTest, DashIsOnlyAbsentInTheShippedWebPatterns) {
  StageHarness h;
  auto stage = RunStage(h, "type: regex\npattern: '^(?P<user>\\S+) (?P<n>\\S+)$'\n", {"- -"});
  EXPECT_EQ(h.Text(0, "user"), "-");
  EXPECT_EQ(h.Text(0, "n"), "-");
}

TEST(RegexStageTest, UserPatternsUseUtf8AndShippedOnesBytes) {
  StageHarness h;
  // UTF-8 (RE2's default): '.' is one character, however many bytes.
  auto stage = RunStage(h, "type: regex\npattern: '^(?P<first>.)(?P<rest>.*)$'\n",
                        {"\xC3\xA9t\xC3\xA9", "\xFFx"});
  EXPECT_EQ(h.Text(0, "first"), "\xC3\xA9");
  EXPECT_EQ(h.Text(0, "rest"), "t\xC3\xA9");
  EXPECT_EQ(ErrorType(h, 1), "regex");  // invalid UTF-8 is no character under UTF-8 semantics
  // The shipped patterns match bytes: a user agent with invalid UTF-8 still matches.
  StageHarness h2;
  auto stage2 = RunStage(
      h2, "type: regex\npattern: nginx_combined\n",
      {"192.0.2.1 - - [24/Nov/2026:10:15:30 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"bad \xFF\xFE "
       "agent\""});
  EXPECT_EQ(ErrorType(h2, 0), "");
  EXPECT_EQ(h2.Text(0, "http_user_agent"), "bad \xFF\xFE agent");
}

TEST(RegexStageTest, TargetPrefixesEveryField) {
  StageHarness h;
  auto stage = RunStage(h, "type: regex\npattern: syslog_rfc3164\ntarget: log.syslog\n",
                        {"<13>Feb  5 17:32:18 10.0.0.99 myapp[42]: Use the BFG!"});
  EXPECT_EQ(h.Text(0, "log.syslog.hostname"), "10.0.0.99");
  EXPECT_EQ(h.Text(0, "log.syslog.message"), "Use the BFG!");
  EXPECT_EQ(Get(h, 0, "log.syslog.facility")->i, 1);
  EXPECT_EQ(Get(h, 0, "log.syslog.severity")->i, 5);
  EXPECT_EQ(h.Text(0, "hostname"), std::nullopt);
  // The target holds the syslog text; the event's message, the whole line, is removed.
  EXPECT_EQ(h.Text(0, "message"), std::nullopt);
  std::string json = h.Json(0);
  EXPECT_NE(json.find(R"("log":{"file":{"path":"/var/log/test.log"},"offset":0,"syslog":{)"),
            std::string::npos)
      << json;
}

TEST(RegexStageTest, OtherFieldAndMissingField) {
  StageHarness h;
  std::unique_ptr<Stage> stage =
      h.Build(&MakeRegexStage, "type: regex\nfield: raw.line\npattern: '^(?P<word>\\w+)'\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"msg one", "msg two", "msg three"});
  b.AddField(b.events()[0], "raw.line", Value::String("hello world"));
  b.AddField(b.events()[2], "raw.line", Value::Int(7));
  stage->Process(b, EventSelection::All());
  EXPECT_EQ(h.Text(0, "word"), "hello");
  // The matched field goes; the message, which this stage did not match, stays.
  EXPECT_EQ(h.Text(0, "raw.line"), std::nullopt);
  EXPECT_EQ(h.Text(0, "message"), "msg one");
  EXPECT_EQ(ErrorType(h, 1), "regex");
  EXPECT_EQ(ErrorMessage(h, 1), "field 'raw.line' is not set");
  EXPECT_EQ(h.Text(1, "message"), "msg two");
  EXPECT_EQ(ErrorMessage(h, 2), "field 'raw.line' is not text");
  EXPECT_EQ(h.Text(2, "raw.line"), "7");
}

// --- what becomes of the matched field ----------------------------------------------------------

TEST(RegexStageTest, MatchRemovesTheMessage) {
  StageHarness h;
  auto stage = RunStage(h, "type: regex\npattern: '^(?P<level>[A-Z]+) (?P<text>.*)$'\n",
                        {"INFO started", "no match here"});
  EXPECT_EQ(h.Text(0, "level"), "INFO");
  EXPECT_EQ(h.Text(0, "text"), "started");
  EXPECT_FALSE(h.batch().events()[0].has_message);
  EXPECT_EQ(h.Json(0), R"({"@timestamp":"2026-11-24T10:15:30.000Z",)"
                       R"("log":{"file":{"path":"/var/log/test.log"},"offset":0},)"
                       R"("host":{"name":"test-host"},"level":"INFO","text":"started"})");
  // No match: the message stays as it was, tagged.
  EXPECT_EQ(ErrorType(h, 1), "regex");
  EXPECT_EQ(h.Text(1, "message"), "no match here");
}

TEST(RegexStageTest, AGroupNamedMessageKeepsItsCapture) {
  StageHarness h;
  auto stage = RunStage(h,
                        "type: regex\npatterns:\n"
                        "  - '^(?P<level>[A-Z]+): (?P<message>.*)$'\n"
                        "  - '^(?P<message>=.*)$'\n"
                        "  - '^(?P<level>[a-z]+)(?:: (?P<message>.*))?$'\n",
                        {"WARN: disk almost full", "=whole line", "debug"});
  EXPECT_EQ(h.Text(0, "level"), "WARN");
  EXPECT_EQ(h.Text(0, "message"), "disk almost full");
  // A capture of the whole line is still the parse's own value of message.
  EXPECT_TRUE(h.batch().events()[1].has_message);
  EXPECT_EQ(h.Text(1, "message"), "=whole line");
  // A message group that took no part wrote nothing: the line is removed like any parsed one.
  EXPECT_EQ(h.Text(2, "level"), "debug");
  EXPECT_EQ(h.Text(2, "message"), std::nullopt);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(ErrorType(h, i), "") << i;
}

TEST(RegexStageTest, KeepOriginalPutsTheMatchedTextInEventOriginal) {
  StageHarness h;
  const std::string line = "<13>Feb  5 17:32:18 10.0.0.99 myapp[42]: Use the BFG!";
  auto stage = RunStage(h, "type: regex\npattern: syslog_rfc3164\nkeep_original: true\n",
                        {line, "not syslog at all"});
  EXPECT_EQ(h.Text(0, "message"), "Use the BFG!");
  EXPECT_EQ(h.Text(0, "event.original"), line);
  // A view of the line's bytes in the arena, not a copy: the captured message lies inside it.
  const Field* original = h.batch().FindField(h.batch().events()[0], "event.original");
  ASSERT_NE(original, nullptr);
  std::string_view raw = original->value.s;
  std::string_view message = h.batch().events()[0].message;
  EXPECT_GE(message.data(), raw.data());
  EXPECT_LE(message.data() + message.size(), raw.data() + raw.size());
  EXPECT_NE(h.Json(0).find(R"("event":{"original":"<13>Feb  5 17:32:18 10.0.0.99 myapp[42]: )"
                           R"(Use the BFG!"})"),
            std::string::npos)
      << h.Json(0);
  // No match: no event.original, the message is the line as it was.
  EXPECT_EQ(ErrorType(h, 1), "regex");
  EXPECT_EQ(h.Text(1, "message"), "not syslog at all");
  EXPECT_EQ(h.Text(1, "event.original"), std::nullopt);
}

TEST(RegexStageTest, KeepOriginalWithATargetAndWithoutAMessageGroup) {
  StageHarness h;
  const std::string line =
      R"(192.0.2.1 - - [24/Nov/2026:10:15:30 +0000] "GET / HTTP/1.1" 200 1 "-" "-")";
  auto stage = RunStage(
      h, "type: regex\npattern: nginx_combined\ntarget: nginx\nkeep_original: true\n", {line});
  EXPECT_EQ(h.Text(0, "nginx.method"), "GET");
  EXPECT_EQ(h.Text(0, "message"), std::nullopt);
  EXPECT_EQ(h.Text(0, "event.original"), line);
}

TEST(RegexStageTest, MismatchDropOrTagLeavesTheMessage) {
  StageHarness h;
  auto stage = RunStage(
      h, "type: regex\npattern: '^(?P<level>[A-Z]+) '\non_mismatch: drop\nkeep_original: true\n",
      {"INFO ok", "garbage"});
  EXPECT_FALSE(h.batch().events()[0].has_message);
  EXPECT_EQ(h.Text(0, "event.original"), "INFO ok");
  EXPECT_TRUE(h.batch().events()[1].dropped);
  EXPECT_EQ(h.Text(1, "message"), "garbage");
  EXPECT_EQ(h.batch().events()[1].first_field, kNoIndex);
}

TEST(RegexStageTest, ACustomFieldIsRemovedOrReplacedByItsGroup) {
  StageHarness h;
  std::unique_ptr<Stage> stage =
      h.Build(&MakeRegexStage,
              "type: regex\nfield: payload\npattern: '^(?P<n>\\d+)(?: (?P<payload>.+))?$'\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"line one", "line two", "line three"});
  b.AddField(b.events()[0], "payload", Value::String("42 rest of it"));
  b.AddField(b.events()[1], "payload", Value::String("42"));
  b.AddField(b.events()[2], "payload", Value::String("no digits"));
  stage->Process(b, EventSelection::All());
  // The group named payload took part: its capture is the field's new value.
  EXPECT_EQ(h.Text(0, "n"), "42");
  EXPECT_EQ(h.Text(0, "payload"), "rest of it");
  // It took no part: the matched text is removed.
  EXPECT_EQ(h.Text(1, "n"), "42");
  EXPECT_EQ(h.Text(1, "payload"), std::nullopt);
  // No match: kept, tagged.
  EXPECT_EQ(ErrorMessage(h, 2), "no pattern matched field 'payload'");
  EXPECT_EQ(h.Text(2, "payload"), "no digits");
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(b.events()[i].has_message) << i;
}

TEST(RegexStageTest, OnlySelectedAndLiveEventsAreTouched) {
  StageHarness h;
  std::unique_ptr<Stage> stage =
      h.Build(&MakeRegexStage, "type: regex\npattern: '^(?P<word>\\w+)$'\n");
  ASSERT_NE(stage, nullptr) << h.ErrorText();
  Batch& b = h.Lines({"one", "two", "three", "!!!"});
  b.events()[2].dropped = true;
  std::vector<uint8_t> marks = {1, 0, 1, 1};
  stage->Process(b, EventSelection(&marks));
  EXPECT_EQ(h.Text(0, "word"), "one");
  EXPECT_EQ(h.Text(1, "word"), std::nullopt);  // not selected
  EXPECT_EQ(h.Text(2, "word"), std::nullopt);  // dropped earlier
  EXPECT_EQ(ErrorType(h, 1), "");
  EXPECT_EQ(ErrorType(h, 3), "regex");
}

TEST(RegexStageTest, SteadyStateAllocatesNothingPerEvent) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "sanitizer build";
  std::vector<std::string> lines;
  for (const char* name : {"nginx_combined", "syslog_rfc3164", "syslog_rfc5424"}) {
    for (const std::string& l : SampleLines(name)) lines.push_back(l);
  }
  // Removing the message and keeping event.original allocate nothing either.
  for (const char* keep : {"false", "true"}) {
    SCOPED_TRACE(keep);
    StageHarness h;
    std::unique_ptr<Stage> stage =
        h.Build(&MakeRegexStage, std::string("type: regex\npatterns: [syslog_rfc5424, "
                                             "nginx_combined, apache_combined, syslog_rfc3164]\n"
                                             "keep_original: ") +
                                     keep + "\n");
    ASSERT_NE(stage, nullptr) << h.ErrorText();
    Batch& b = h.Lines(lines);
    std::vector<Event> fresh = b.events();
    stage->Process(b, EventSelection::All());  // grows the field table once
    b.events() = fresh;
    b.fields().clear();
    testing::StartCountingAllocations();
    stage->Process(b, EventSelection::All());
    uint64_t allocations = testing::StopCountingAllocations();
    EXPECT_EQ(allocations, 0u);
    for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(ErrorType(h, i), "") << lines[i];
    EXPECT_FALSE(b.events()[0].has_message);  // nginx: no message group
    EXPECT_EQ(h.Text(0, "event.original"),
              std::string(keep) == "true" ? std::optional<std::string>(lines[0]) : std::nullopt);
  }
}

// RE2 runs in time linear in the input. (a+)+$ is the textbook catastrophic pattern for
// backtracking engines: on "aaa…a!" PCRE or std::regex try every way of splitting the a's among
// the iterations of the outer group before failing, 2^n paths for n a's, so a megabyte of them
// would never finish. RE2 simulates all paths at once and answers in one pass.
TEST(RegexStageTest, CatastrophicPatternRunsInLinearTime) {
  StageHarness h;
  std::string as(1 << 20, 'a');
  auto stage = RunStage(h, "type: regex\npattern: '^(?P<run>(a+)+)$'\n",
                        {as + "!", as, "aaaaaaaaaaaaaaaaaaaaaaaaa!"});
  EXPECT_EQ(ErrorType(h, 0), "regex");
  EXPECT_EQ(ErrorType(h, 1), "");
  EXPECT_EQ(h.Text(1, "run")->size(), as.size());
  EXPECT_EQ(ErrorType(h, 2), "regex");
  // The same through the fast matcher's subset: its step budget runs out and RE2 answers.
  StageHarness h2;
  auto stage2 =
      RunStage(h2, "type: regex\npattern: '^(?P<run>a*a*a*a*a*a*a*a*)$'\n", {as + "!", as});
  EXPECT_EQ(ErrorType(h2, 0), "regex");
  EXPECT_EQ(h2.Text(1, "run")->size(), as.size());
}

TEST(RegexStageTest, RegisteredUnderItsType) {
  Registry registry;
  RegisterBuiltinParsers(registry);
  EXPECT_EQ(registry.FindStage("regex"), &MakeRegexStage);
}

// --- configuration errors -----------------------------------------------------------------------

std::string BuildErrors(std::string_view yaml) {
  StageHarness h;
  EXPECT_EQ(h.Build(&MakeRegexStage, yaml), nullptr) << yaml;
  return h.ErrorText();
}

TEST(RegexStageTest, InvalidRegexIsAConfigErrorWithPosition) {
  std::string e = BuildErrors("type: regex\npattern: '^(?P<status>\\d+'\n");
  EXPECT_NE(e.find("stage.yaml:2:10: option 'pattern': invalid regex"), std::string::npos) << e;
  EXPECT_NE(e.find("missing )"), std::string::npos) << e;
  e = BuildErrors("type: regex\npatterns:\n  - nginx_combined\n  - '(?P<a>x)(?P<b>[z-a])'\n");
  EXPECT_NE(e.find("stage.yaml:4:5: option 'patterns[1]': invalid regex at offset 15: "
                   "invalid character class range: z-a"),
            std::string::npos)
      << e;
  // Perl features RE2 does not have.
  e = BuildErrors("type: regex\npattern: '(?P<a>x)(?=y)'\n");
  EXPECT_NE(e.find("stage.yaml:2:10: option 'pattern': invalid regex"), std::string::npos) << e;
  e = BuildErrors("type: regex\npattern: '(?P<a>x)\\1'\n");
  EXPECT_NE(e.find("invalid escape sequence"), std::string::npos) << e;
}

TEST(RegexStageTest, UnknownPatternNameIsAConfigError) {
  std::string e = BuildErrors("type: regex\npatterns: [apache_common, nginx_combind]\n");
  EXPECT_NE(e.find("stage.yaml:2:27: option 'patterns[1]': unknown pattern 'nginx_combind' "
                   "(shipped: apache_combined, apache_common, nginx_combined, syslog_rfc3164, "
                   "syslog_rfc5424)"),
            std::string::npos)
      << e;
}

TEST(RegexStageTest, UnknownTypeIsAConfigError) {
  std::string e = BuildErrors("type: regex\npattern: nginx_combined\ntypes:\n  status: integer\n");
  EXPECT_NE(e.find("stage.yaml:4:11: option 'types.status': unknown type 'integer' (known: int, "
                   "float, bool, string)"),
            std::string::npos)
      << e;
}

TEST(RegexStageTest, TypeForAGroupNoPatternHasIsAConfigError) {
  std::string e = BuildErrors(
      "type: regex\npatterns: [nginx_combined, '(?P<latency>\\S+)']\ntypes:\n  latency: float\n"
      "  latncy: float\n");
  EXPECT_NE(e.find("stage.yaml:5:3: option 'types.latncy': no pattern has a group named 'latncy'"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("'latency'"), std::string::npos) << e;
}

TEST(RegexStageTest, PatternAndPatternsExcludeEachOther) {
  std::string e = BuildErrors("type: regex\npattern: nginx_combined\npatterns: [apache_common]\n");
  EXPECT_NE(e.find("stage.yaml:3:11: option 'patterns': use either 'pattern' or 'patterns', not "
                   "both"),
            std::string::npos)
      << e;
  e = BuildErrors("type: regex\n");
  EXPECT_NE(e.find("missing option 'pattern'"), std::string::npos) << e;
  e = BuildErrors("type: regex\npatterns: []\n");
  EXPECT_NE(e.find("option 'patterns': must not be empty"), std::string::npos) << e;
  e = BuildErrors("type: regex\npatterns: {a: b}\n");
  EXPECT_NE(e.find("option 'patterns': expected a list"), std::string::npos) << e;
}

TEST(RegexStageTest, PatternWithoutNamedGroupIsAConfigError) {
  std::string e = BuildErrors("type: regex\npattern: '^(\\d+) (\\w+)$'\n");
  EXPECT_NE(e.find("stage.yaml:2:10: option 'pattern': the regex has no named group"),
            std::string::npos)
      << e;
}

TEST(RegexStageTest, OtherOptionErrorsAreCollectedTogether) {
  std::string e = BuildErrors(
      "type: regex\npattern: '(?P<a>x'\non_mismatch: ignore\ntarget: .x\nfeild: message\n"
      "keep_original: maybe\n");
  EXPECT_NE(e.find("invalid regex"), std::string::npos) << e;
  EXPECT_NE(e.find("option 'on_mismatch': expected one of tag, drop, got 'ignore'"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("option 'target': must be a dotted field name"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown option 'feild'"), std::string::npos) << e;
  EXPECT_NE(e.find("stage.yaml:6:16: option 'keep_original': expected true or false"),
            std::string::npos)
      << e;
}

TEST(RegexStageTest, ParseOptionsResolvesShippedPatterns) {
  StageHarness h;
  Result<ConfigNode> node = ConfigNode::Parse(
      "type: regex\npatterns: [nginx_combined, '(?P<x>.)']\ntypes: {x: bool}\n", "stage.yaml");
  ASSERT_TRUE(node.ok());
  Result<RegexStageOptions> o = ParseRegexStageOptions(*node, h.context());
  ASSERT_TRUE(o.ok()) << h.ErrorText();
  ASSERT_EQ(o->patterns.size(), 2u);
  EXPECT_EQ(o->patterns[0].name, "nginx_combined");
  EXPECT_TRUE(o->patterns[0].latin1);
  EXPECT_EQ(o->patterns[0].absent, std::vector<std::string>{"-"});
  EXPECT_EQ(o->patterns[0].types.at("status"), RegexFieldType::kInt);
  EXPECT_EQ(o->patterns[1].name, "");
  EXPECT_EQ(o->patterns[1].regex, "(?P<x>.)");
  EXPECT_FALSE(o->patterns[1].latin1);
  EXPECT_EQ(o->types.at("x"), RegexFieldType::kBool);
  EXPECT_EQ(o->on_mismatch, RegexStageOptions::OnMismatch::kTag);
  EXPECT_EQ(o->field, "message");
  EXPECT_FALSE(o->keep_original);
}

}  // namespace
}  // namespace logship
