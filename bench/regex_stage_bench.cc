// SPDX-License-Identifier: Apache-2.0
// The regex stage in ns/event over batches of 1024 lines: nginx_combined on generated nginx lines
// (bench/gen/nginx_log_lines.h), the syslog patterns on real-looking syslog lines, a patterns list
// whose match comes third, and the two engines alone on one nginx line (the fast matcher, and RE2
// as the stage would call it without one).

#include <benchmark/benchmark.h>
#include <re2/re2.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/gen/nginx_log_lines.h"
#include "parsers/regex/fast_matcher.h"
#include "parsers/regex/regex_stage.h"
#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/pipeline/plugin_context.h"

namespace logship {
namespace {

constexpr int kBatch = 1024;

std::vector<std::string> NginxLines() {
  bench::NginxLogLines gen(42);
  std::vector<std::string> lines;
  for (int i = 0; i < kBatch; ++i) lines.push_back(gen.Next());
  return lines;
}

std::vector<std::string> Cycle(const std::vector<std::string>& some) {
  std::vector<std::string> lines;
  for (int i = 0; i < kBatch; ++i) lines.push_back(some[static_cast<size_t>(i) % some.size()]);
  return lines;
}

std::vector<std::string> Rfc3164Lines() {
  return Cycle({
      "Nov 24 10:15:30 web-1 sshd[1234]: Accepted publickey for deploy from 192.0.2.10 port 52144 "
      "ssh2: ED25519 SHA256:abc",
      "Nov 24 10:15:31 web-1 systemd[1]: Started Daily apt download activities.",
      "Nov 24 10:15:32 web-1 kernel: [12345.678901] EXT4-fs (vda1): re-mounted. Opts: (null)",
      "Nov 24 10:15:33 web-1 CRON[2211]: (root) CMD (command -v debian-sa1 > /dev/null && "
      "debian-sa1 1 1)",
      "Nov  4 09:05:02 db-2 postfix/smtpd[30111]: NOQUEUE: reject: RCPT from "
      "unknown[198.51.100.23]: 554 5.7.1 <spam@example.com>: Relay access denied",
      "2026-11-24T10:15:38.123456+00:00 web-1 sshd[1301]: Disconnected from user deploy "
      "192.0.2.10 port 52144",
  });
}

std::vector<std::string> Rfc5424Lines() {
  return Cycle({
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
      "iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] An application event log entry",
      "<14>1 2026-11-24T10:15:30.123456Z web-1 nginx 980 - - 2026/11/24 10:15:30 [notice] "
      "980#980: signal process started",
      "<86>1 2026-11-24T10:15:31Z web-1 sshd 1234 - [meta sequenceId=\"17\"] Accepted publickey "
      "for deploy from 192.0.2.10 port 52144 ssh2",
  });
}

// Runs `yaml`'s stage over `lines`, resetting the events between iterations (the field table
// keeps its capacity, as a pooled batch's does).
void RunStage(benchmark::State& state, const std::string& yaml,
              const std::vector<std::string>& lines) {
  ConfigErrors errors;
  PluginContext ctx;
  ctx.errors = &errors;
  Result<ConfigNode> node = ConfigNode::Parse(yaml, "bench.yaml");
  Result<std::unique_ptr<Stage>> stage = MakeRegexStage(*node, ctx);
  if (!stage.ok()) {
    state.SkipWithError(errors.ToString().c_str());
    return;
  }
  Batch batch;
  size_t bytes = 0;
  for (const std::string& line : lines) {
    batch.AddEvent().message = batch.arena().Copy(line);
    bytes += line.size();
  }
  const std::vector<Event> fresh = batch.events();
  for (auto _ : state) {
    batch.events() = fresh;
    batch.fields().clear();
    (*stage)->Process(batch, EventSelection::All());
    benchmark::DoNotOptimize(batch.fields().data());
  }
  for (const Event& e : batch.events()) {
    if (!e.error_type.empty()) {
      state.SkipWithError(("unmatched: " + std::string(e.message)).c_str());
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["ns/event"] =
      benchmark::Counter(static_cast<double>(state.iterations() * lines.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_NginxCombined(benchmark::State& state) {
  RunStage(state, "type: regex\npattern: nginx_combined\n", NginxLines());
}
BENCHMARK(BM_NginxCombined);

void BM_SyslogRfc3164(benchmark::State& state) {
  RunStage(state, "type: regex\npattern: syslog_rfc3164\n", Rfc3164Lines());
}
BENCHMARK(BM_SyslogRfc3164);

void BM_SyslogRfc5424(benchmark::State& state) {
  RunStage(state, "type: regex\npattern: syslog_rfc5424\n", Rfc5424Lines());
}
BENCHMARK(BM_SyslogRfc5424);

// Two patterns fail before nginx_combined matches: the cost of a patterns list.
void BM_NginxThirdInList(benchmark::State& state) {
  RunStage(state, "type: regex\npatterns: [syslog_rfc5424, apache_combined, nginx_combined]\n",
           NginxLines());
}
BENCHMARK(BM_NginxThirdInList);

const std::string& NginxPattern() {
  static const std::string* pattern = [] {
    ConfigErrors errors;
    PluginContext ctx;
    ctx.errors = &errors;
    Result<ConfigNode> node = ConfigNode::Parse("pattern: nginx_combined\n", "bench.yaml");
    Result<RegexStageOptions> o = ParseRegexStageOptions(*node, ctx);
    return new std::string(o->patterns[0].regex);
  }();
  return *pattern;
}

void BM_FastMatcherOneNginxLine(benchmark::State& state) {
  std::unique_ptr<FastMatcher> m = FastMatcher::Compile(NginxPattern(), true);
  std::string line = NginxLines()[1];
  std::vector<std::string_view> groups(m->group_count() + 1);
  for (auto _ : state) {
    auto outcome = m->Match(line, groups.data(), static_cast<int>(groups.size()));
    benchmark::DoNotOptimize(outcome);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
}
BENCHMARK(BM_FastMatcherOneNginxLine);

void BM_Re2OneNginxLine(benchmark::State& state) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  RE2 re(NginxPattern(), options);
  std::string line = NginxLines()[1];
  int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n));
  for (auto _ : state) {
    bool ok = re.Match(line, 0, line.size(), RE2::UNANCHORED, groups.data(), n);
    benchmark::DoNotOptimize(ok);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
}
BENCHMARK(BM_Re2OneNginxLine);

}  // namespace
}  // namespace logship

BENCHMARK_MAIN();
