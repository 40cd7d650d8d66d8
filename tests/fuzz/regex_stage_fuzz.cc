// SPDX-License-Identifier: Apache-2.0
// The regex stage on one event whose message is the input, with every shipped pattern in one
// `patterns:` list (fields under a target, typed as the patterns say), then the fast matcher
// checked against RE2. Aborts unless:
// - the event as JsonWriter writes it is valid JSON (simdjson dom); its message is the input when
//   the event is tagged, and removed otherwise (under the target no group writes `message`);
// - every string field the stage set is a view into the line's bytes (zero copy), and a line
//   either gains fields or is tagged error.type "regex";
// - on the input, each shipped pattern's FastMatcher gives RE2's answer (same spans) or gives up;
// - when the input holds a '\n', the text before it, taken as a regex (Latin-1 or UTF-8 by its
//   length's parity), gives the same answers from both engines on the text after it.

#include <re2/re2.h>
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/regex/builtin_patterns.h"
#include "parsers/regex/fast_matcher.h"
#include "parsers/regex/regex_stage.h"
#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"
#include "src/pipeline/plugin_context.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

using logship::FastMatcher;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Compares the two engines on `text`; aborts when the fast matcher answers differently.
void CheckSameAnswer(const RE2& re, const FastMatcher& fast, std::string_view text) {
  int n = re.NumberOfCapturingGroups() + 1;
  Check(fast.group_count() + 1 == n);
  std::vector<re2::StringPiece> pieces(static_cast<size_t>(n));
  std::vector<std::string_view> views(static_cast<size_t>(n));
  FastMatcher::Outcome outcome = fast.Match(text, views.data(), n);
  if (outcome == FastMatcher::Outcome::kGiveUp) return;
  bool matched = re.Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                          RE2::UNANCHORED, pieces.data(), n);
  Check(matched == (outcome == FastMatcher::Outcome::kMatch));
  if (!matched) return;
  for (int g = 0; g < n; ++g) {
    Check((pieces[g].data() == nullptr) == (views[g].data() == nullptr));
    if (pieces[g].data() == nullptr) continue;
    Check(pieces[g].data() == views[g].data() && pieces[g].size() == views[g].size());
  }
}

struct Engines {
  std::unique_ptr<RE2> re2;
  std::unique_ptr<FastMatcher> fast;
};

struct Fixture {
  logship::ConfigErrors errors;
  logship::PluginContext ctx;
  std::unique_ptr<logship::Stage> stage;
  std::vector<Engines> shipped;
  logship::Batch batch;
  logship::JsonWriter writer;
  logship::OutputBuffer out;
  simdjson::dom::parser parser;

  Fixture() {
    ctx.pipeline = "fuzz";
    ctx.component = "pipelines.fuzz.stages[0]";
    ctx.errors = &errors;
    std::string yaml = "type: regex\ntarget: rx\npatterns: [";
    for (const logship::BuiltinPattern& p : logship::BuiltinPatterns()) {
      yaml += std::string(p.name) + ", ";
    }
    yaml += "'^(?P<level>[A-Z]+) (?P<n>\\d+)'] \ntypes: {n: int}\n";
    auto node = logship::ConfigNode::Parse(yaml, "fuzz.yaml");
    Check(node.ok());
    auto options = logship::ParseRegexStageOptions(*node, ctx);
    Check(options.ok());
    for (const logship::RegexPattern& p : options->patterns) {
      if (p.name.empty()) continue;
      RE2::Options o;
      o.set_encoding(RE2::Options::EncodingLatin1);
      Engines e{std::make_unique<RE2>(p.regex, o), FastMatcher::Compile(p.regex, true)};
      Check(e.re2->ok() && e.fast != nullptr);
      shipped.push_back(std::move(e));
    }
    auto made = logship::MakeRegexStage(*node, ctx);
    Check(made.ok());
    stage = std::move(*made);
  }
};

}  // namespace

LOGSHIP_FUZZ_TARGET(regex_stage) {
  static Fixture* f = new Fixture();
  std::string_view input(reinterpret_cast<const char*>(data), size);

  f->batch.Clear();
  logship::Event& e = f->batch.AddEvent();
  e.message = f->batch.arena().Copy(input);
  std::string_view message = e.message;
  f->stage->Process(f->batch, logship::EventSelection::All());
  const logship::Event& done = f->batch.events()[0];
  Check(done.message.data() == message.data() && done.message.size() == input.size());
  Check(!done.dropped);
  bool any_field = false;
  f->batch.ForEachField(done, [&](const logship::Field& field) {
    any_field = true;
    Check(field.key.substr(0, 3) == "rx.");
    if (field.value.kind == logship::ValueKind::kString) {
      const char* p = field.value.s.data();
      Check(p >= message.data() && p + field.value.s.size() <= message.data() + message.size());
    }
  });
  Check(any_field != (done.error_type == "regex" && done.error_message.substr(0, 2) == "no"));
  // A clean match removes the message; no match or a failed conversion keeps it.
  Check(done.has_message == !done.error_type.empty());
  f->out.clear();
  f->writer.WriteEvent(f->batch, done, f->out);
  simdjson::padded_string json(f->out.data(), f->out.size());
  simdjson::dom::element root;
  Check(f->parser.parse(json).get(root) == simdjson::SUCCESS);
  std::string_view written;
  if (done.has_message) {
    Check(root["message"].get(written) == simdjson::SUCCESS);
  } else {
    Check(root["message"].get(written) == simdjson::NO_SUCH_FIELD);
  }

  for (const Engines& engines : f->shipped) CheckSameAnswer(*engines.re2, *engines.fast, input);

  size_t newline = input.find('\n');
  if (newline != std::string_view::npos && newline <= 256) {
    std::string pattern(input.substr(0, newline));
    std::string_view text = input.substr(newline + 1);
    bool latin1 = pattern.size() % 2 == 0;
    RE2::Options o;
    o.set_log_errors(false);
    if (latin1) o.set_encoding(RE2::Options::EncodingLatin1);
    RE2 re(pattern, o);
    if (re.ok()) {
      std::unique_ptr<FastMatcher> fast = FastMatcher::Compile(pattern, latin1);
      if (fast != nullptr) CheckSameAnswer(re, *fast, text);
    }
  }
  return 0;
}
