// SPDX-License-Identifier: Apache-2.0
// The logfmt stage on one event whose message is the input, keys under a target, and again on a
// second event with keys at the root and overwrite off. Aborts unless:
// - each event as JsonWriter writes it is valid JSON (simdjson dom);
// - the first event's message is still the input, and every key is "lf." and a non-empty run of
//   key bytes (no separator, '=' or '"');
// - a string value either is a view into the message (bare, or quoted without escapes) or is no
//   longer than the message (an unescaped copy is never longer than what it came from);
// - an error, when there is one, is error.type "logfmt" with "at offset N" inside the message;
// - the first event keeps its message exactly when it is tagged (under the target no key can
//   write `message`, so a clean parse removes it).

#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "parsers/logfmt/logfmt_stage.h"
#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"
#include "src/pipeline/plugin_context.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

std::unique_ptr<logship::Stage> MakeStage(logship::PluginContext& ctx, std::string_view yaml) {
  auto node = logship::ConfigNode::Parse(yaml, "fuzz.yaml");
  Check(node.ok());
  auto stage = logship::MakeLogfmtStage(*node, ctx);
  Check(stage.ok());
  return std::move(*stage);
}

struct Fixture {
  logship::ConfigErrors errors;
  logship::PluginContext ctx;
  std::unique_ptr<logship::Stage> targeted;
  std::unique_ptr<logship::Stage> root;
  logship::Batch batch;
  logship::JsonWriter writer;
  logship::OutputBuffer out;
  simdjson::dom::parser parser;

  Fixture() {
    ctx.errors = &errors;
    targeted = MakeStage(ctx, "type: logfmt\ntarget: lf\n");
    root = MakeStage(ctx, "type: logfmt\noverwrite: false\n");
  }

  void CheckJson(const logship::Event& e) {
    out.clear();
    writer.WriteEvent(batch, e, out);
    simdjson::padded_string json(out.data(), out.size());
    simdjson::dom::element element;
    Check(parser.parse(json).get(element) == simdjson::SUCCESS);
  }
};

}  // namespace

LOGSHIP_FUZZ_TARGET(logfmt_stage) {
  static Fixture* f = new Fixture();
  std::string_view input(reinterpret_cast<const char*>(data), size);

  f->batch.Clear();
  logship::Event& e = f->batch.AddEvent();
  e.message = f->batch.arena().Copy(input);
  std::string_view message = e.message;
  f->targeted->Process(f->batch, logship::EventSelection::All());
  const logship::Event& done = f->batch.events()[0];
  Check(done.message.data() == message.data() && done.message.size() == message.size());
  f->batch.ForEachField(done, [&](const logship::Field& field) {
    Check(field.key.size() > 3 && field.key.substr(0, 3) == "lf.");
    for (char c : field.key.substr(3)) {
      unsigned char u = static_cast<unsigned char>(c);
      Check(u > ' ' && c != '=' && c != '"');
    }
    if (field.value.kind == logship::ValueKind::kString) {
      const char* p = field.value.s.data();
      bool inside =
          p >= message.data() && p + field.value.s.size() <= message.data() + message.size();
      Check(inside || field.value.s.size() <= message.size());
    } else {
      Check(field.value.kind == logship::ValueKind::kBool && field.value.b);
    }
  });
  if (!done.error_type.empty()) {
    Check(done.error_type == "logfmt");
    size_t at = done.error_message.find(" at offset ");
    Check(at != std::string_view::npos);
    std::string digits(done.error_message.substr(at + 11));
    Check(!digits.empty() && std::strtoull(digits.c_str(), nullptr, 10) < message.size());
  }
  Check(done.has_message == !done.error_type.empty());
  f->CheckJson(done);

  logship::Event& second = f->batch.AddEvent();
  second.message = message;
  std::vector<uint8_t> marks = {0, 1};
  f->root->Process(f->batch, logship::EventSelection(&marks));
  f->CheckJson(f->batch.events()[1]);
  return 0;
}
