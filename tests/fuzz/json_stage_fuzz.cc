// SPDX-License-Identifier: Apache-2.0
// The json stage on one event whose message is the input, in four configurations (keys under a
// target; at the root with overwrite; at the root without overwrite and max_depth 3; under a
// target with keep_original). Aborts unless:
// - the event as JsonWriter writes it is valid JSON (simdjson dom; numbers it cannot convert,
//   such as 1e400, are checked by the strict validator below instead);
// - the stage succeeds exactly when the input is one JSON object within max_depth (judged by the
//   strict validator, an independent RFC 8259 reader), and on failure the event keeps its message,
//   gains no field and is tagged error.type "json";
// - under a target, success removes the message (no key can write it) and, with keep_original,
//   keeps the input as event.original, a view of the message's bytes;
// - nothing the event holds points into the stage's scratch space (the next line reuses it).

#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "parsers/json/json_stage.h"
#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"
#include "src/pipeline/plugin_context.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

// A strict JSON reader: UTF-8 checked everywhere, control characters rejected in strings, escapes
// and surrogate pairs checked (a lone or reversed surrogate is an error, as in simdjson), numbers
// by the RFC grammar with no range limit. Records the deepest nesting (the root container is 1)
// and gives up past kGiveUpDepth, which is deeper than any configuration here.
class StrictJson {
 public:
  static constexpr int kGiveUpDepth = 1100;

  explicit StrictJson(std::string_view s) : s_(s) {}

  // True when the text is one JSON value with only whitespace around it.
  bool Valid() {
    if (!ValidUtf8()) return false;
    SkipSpace();
    if (!ParseValue(1)) return false;
    SkipSpace();
    return pos_ == s_.size();
  }
  bool root_is_object() const { return !s_.empty() && first_ == '{'; }
  int max_depth() const { return max_depth_; }

 private:
  bool ValidUtf8() const {
    size_t i = 0;
    while (i < s_.size()) {
      const unsigned char c = static_cast<unsigned char>(s_[i]);
      if (c < 0x80) {
        ++i;
        continue;
      }
      int n;
      uint32_t cp;
      if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        cp = c & 0x1f;
      } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        cp = c & 0x0f;
      } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        cp = c & 0x07;
      } else {
        return false;
      }
      if (i + static_cast<size_t>(n) >= s_.size()) return false;  // cut short
      for (int k = 1; k <= n; ++k) {
        const unsigned char d = static_cast<unsigned char>(s_[i + static_cast<size_t>(k)]);
        if ((d & 0xc0) != 0x80) return false;
        cp = (cp << 6) | (d & 0x3f);
      }
      if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
          (cp >= 0xd800 && cp <= 0xdfff)) {
        return false;
      }
      i += static_cast<size_t>(n) + 1;
    }
    return true;
  }

  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool ParseValue(int depth) {
    if (pos_ >= s_.size()) return false;
    if (depth == 1) first_ = s_[pos_];
    switch (s_[pos_]) {
      case '{':
      case '[': {
        if (depth > kGiveUpDepth) return false;
        if (depth > max_depth_) max_depth_ = depth;
        const bool object = s_[pos_] == '{';
        const char close = object ? '}' : ']';
        ++pos_;
        SkipSpace();
        if (Eat(close)) return true;
        for (;;) {
          if (object) {
            if (!ParseString()) return false;
            SkipSpace();
            if (!Eat(':')) return false;
            SkipSpace();
          }
          if (!ParseValue(depth + 1)) return false;
          SkipSpace();
          if (Eat(close)) return true;
          if (!Eat(',')) return false;
          SkipSpace();
        }
      }
      case '"':
        return ParseString();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return ParseNumber();
    }
  }

  bool Digits() {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }
  bool ParseNumber() {
    Eat('-');
    if (Eat('0')) {
      // no more integer digits
    } else if (pos_ < s_.size() && s_[pos_] >= '1' && s_[pos_] <= '9') {
      Digits();
    } else {
      return false;
    }
    if (Eat('.') && !Digits()) return false;
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (!Eat('+')) Eat('-');
      if (!Digits()) return false;
    }
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return false;
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    *out = v;
    return true;
  }
  bool ParseString() {
    if (!Eat('"')) return false;
    while (pos_ < s_.size()) {
      const unsigned char c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      if (e == 'u') {
        uint32_t cp;
        if (!Hex4(&cp)) return false;
        if (cp >= 0xdc00 && cp <= 0xdfff) return false;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          uint32_t low;
          if (!Literal("\\u") || !Hex4(&low) || low < 0xdc00 || low > 0xdfff) return false;
        }
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
  char first_ = 0;
  int max_depth_ = 0;
};

bool ValidOutput(std::string_view json) {
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::error_code e = parser.parse(json.data(), json.size()).get(root);
  if (e == simdjson::SUCCESS) return true;
  // simdjson rejects numbers it cannot represent (1e400, 20-digit ids); the stage keeps them.
  if (e == simdjson::NUMBER_ERROR) return StrictJson(json).Valid();
  return false;
}

struct Config {
  const char* yaml;
  int max_depth;
};
constexpr Config kConfigs[] = {
    {"type: json\ntarget: j\n", 64},
    {"type: json\n", 64},
    {"type: json\noverwrite: false\nmax_depth: 3\n", 3},
    {"type: json\ntarget: j\nkeep_original: true\n", 64},
};
constexpr size_t kConfigCount = sizeof(kConfigs) / sizeof(kConfigs[0]);

std::unique_ptr<logship::Stage> Build(const char* yaml) {
  logship::ConfigErrors errors;
  logship::ResourceClaims claims;
  logship::PluginContext ctx;
  ctx.pipeline = "fuzz";
  ctx.component = "pipelines.fuzz.stages[0]";
  ctx.errors = &errors;
  ctx.claims = &claims;
  logship::Result<logship::ConfigNode> node = logship::ConfigNode::Parse(yaml, "fuzz.yaml");
  if (!node.ok()) std::abort();
  logship::Result<std::unique_ptr<logship::Stage>> stage = logship::MakeJsonStage(*node, ctx);
  if (!stage.ok()) std::abort();
  return std::move(*stage);
}

logship::Event& OneEvent(logship::Batch& batch, std::string_view message) {
  batch.Clear();
  batch.host_name = "fuzz-host";
  batch.sources().push_back(logship::BatchSource{1, batch.arena().Copy("/var/log/fuzz.log"), 0});
  logship::Event& e = batch.AddEvent();
  e.message = batch.arena().Copy(message);
  e.timestamp_ns = 1795515330000000000;
  e.source = 0;
  return e;
}

}  // namespace

LOGSHIP_FUZZ_TARGET(json_stage) {
  static std::unique_ptr<logship::Stage> stages[kConfigCount];
  static logship::Batch batch;
  static logship::Batch other;
  static logship::JsonWriter writer;
  static logship::OutputBuffer out;
  static logship::OutputBuffer again;
  if (!stages[0]) {
    for (size_t i = 0; i < kConfigCount; ++i) stages[i] = Build(kConfigs[i].yaml);
  }
  const std::string input(reinterpret_cast<const char*>(data), size);
  StrictJson strict(input);
  const bool valid_object = strict.Valid() && strict.root_is_object();
  const std::string filler(size, 'x');

  for (size_t i = 0; i < kConfigCount; ++i) {
    logship::Event& event = OneEvent(batch, input);
    stages[i]->Process(batch, logship::EventSelection::All());
    out.clear();
    writer.WriteEvent(batch, event, out);
    if (!ValidOutput(out.view())) std::abort();

    const bool expect_ok = valid_object && strict.max_depth() <= kConfigs[i].max_depth;
    const bool tagged_by_us = event.error_type == "json" && event.has_message &&
                              event.message == input && event.first_field == logship::kNoIndex;
    if (!expect_ok && !tagged_by_us) std::abort();
    // With a target no key can reach a built-in: success removes the message (its bytes stay in
    // the arena) and leaves the error alone.
    const bool targeted = i == 0 || i == 3;
    if (targeted && expect_ok &&
        (event.has_message || event.message != input || !event.error_type.empty())) {
      std::abort();
    }
    if (i == 3 && expect_ok) {
      const logship::Field* original = batch.FindField(event, "event.original");
      if (original == nullptr || original->value.s.data() != event.message.data() ||
          original->value.s.size() != input.size()) {
        std::abort();
      }
    }

    // The same stage on other text must not change what the first event holds.
    OneEvent(other, filler);
    stages[i]->Process(other, logship::EventSelection::All());
    again.clear();
    writer.WriteEvent(batch, event, again);
    if (again.view() != out.view()) std::abort();
  }
  return 0;
}
