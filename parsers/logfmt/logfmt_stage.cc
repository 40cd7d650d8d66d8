// SPDX-License-Identifier: Apache-2.0
#include "parsers/logfmt/logfmt_stage.h"

#include <array>
#include <charconv>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>

#include "src/base/status_macros.h"
#include "src/config/config_reader.h"
#include "src/event/field_ref.h"
#include "src/event/parsed_field.h"

namespace logship {
namespace {

// Bytes up to ' ' (and every control byte) separate pairs.
inline bool IsSpace(unsigned char c) { return c <= ' '; }
// A key runs up to a separator, '=' or '"' (the Go logfmt package's identifier bytes).
inline bool IsKeyByte(unsigned char c) { return c > ' ' && c != '=' && c != '"'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads 4 hex digits at s[i..]; -1 when they are not there.
int Hex4(std::string_view s, size_t i) {
  if (s.size() < i + 4) return -1;
  int v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    int h = HexValue(s[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

char* AppendUtf8(char* out, uint32_t cp) {
  if (cp < 0x80) {
    *out++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out++ = static_cast<char>(0xC0 | (cp >> 6));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (cp >> 12));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (cp >> 18));
    *out++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// Unescapes the inside of a quoted value into the arena. The result is never longer than `raw`
// (the longest escape, \uXXXX, becomes at most 3 bytes; a surrogate pair's 12 become 4). An
// unknown or broken escape is kept as written.
std::string_view Unescape(std::string_view raw, Arena& arena) {
  char* begin = arena.Allocate(raw.size());
  char* out = begin;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      *out++ = c;
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        *out++ = e;
        break;
      case 'n':
        *out++ = '\n';
        break;
      case 't':
        *out++ = '\t';
        break;
      case 'r':
        *out++ = '\r';
        break;
      case 'b':
        *out++ = '\b';
        break;
      case 'f':
        *out++ = '\f';
        break;
      case 'u': {
        int cp = Hex4(raw, i + 1);
        if (cp < 0) {
          *out++ = '\\';
          *out++ = 'u';
          break;
        }
        i += 4;
        uint32_t code = static_cast<uint32_t>(cp);
        if (code >= 0xD800 && code <= 0xDBFF && i + 2 < raw.size() && raw[i + 1] == '\\' &&
            raw[i + 2] == 'u') {
          int low = Hex4(raw, i + 3);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            code = 0x10000 + ((code - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
            i += 6;
          }
        }
        if (code >= 0xD800 && code <= 0xDFFF) code = 0xFFFD;  // a lone surrogate
        out = AppendUtf8(out, code);
        break;
      }
      default:
        *out++ = '\\';
        *out++ = e;
        break;
    }
  }
  return std::string_view(begin, static_cast<size_t>(out - begin));
}

// The first problem found in a line: a static reason and where.
struct Problem {
  std::string_view reason;
  size_t offset = 0;
};

// Parses `text`, calling emit(key, Value) for each pair in order. Quoted values with escapes are
// unescaped into `arena`. Returns the first problem, if any; parsing goes on after a problem
// wherever the rest can still be read (an unterminated quote ends it).
template <class Emit>
std::optional<Problem> ParseLogfmt(std::string_view text, Arena& arena, Emit&& emit) {
  std::optional<Problem> problem;
  auto report = [&](std::string_view reason, size_t offset) {
    if (!problem) problem = Problem{reason, offset};
  };
  const size_t n = text.size();
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  auto skip_token = [&](size_t i) {
    while (i < n && !IsSpace(byte(i))) ++i;
    return i;
  };
  // Index of the quote closing the one at `open`, or n.
  auto closing_quote = [&](size_t open, bool* escaped) {
    size_t i = open + 1;
    while (i < n) {
      char c = text[i];
      if (c == '"') return i;
      if (c == '\\') {
        *escaped = true;
        i += 2;
        continue;
      }
      ++i;
    }
    return n;
  };
  size_t pos = 0;
  while (pos < n) {
    while (pos < n && IsSpace(byte(pos))) ++pos;
    if (pos == n) break;
    size_t key_start = pos;
    while (pos < n && IsKeyByte(byte(pos))) ++pos;
    std::string_view key = text.substr(key_start, pos - key_start);
    if (key.empty()) {
      if (text[pos] == '=') {
        report("a value without a key", pos);
        pos = skip_token(pos);
      } else {  // '"': a quoted string without a key; skip it whole
        report("a quoted string without a key", pos);
        bool escaped = false;
        size_t close = closing_quote(pos, &escaped);
        if (close == n) return problem;
        pos = close + 1;
      }
      continue;
    }
    if (pos == n || IsSpace(byte(pos))) {
      emit(key, Value::Bool(true));  // a bare key is a flag
      continue;
    }
    if (text[pos] == '"') {
      report("a quote inside a key", pos);
      pos = skip_token(pos);
      continue;
    }
    ++pos;  // '='
    if (pos < n && text[pos] == '"') {
      bool escaped = false;
      size_t close = closing_quote(pos, &escaped);
      if (close == n) {
        report("an unterminated quoted value", pos);
        return problem;
      }
      std::string_view raw = text.substr(pos + 1, close - pos - 1);
      emit(key, Value::String(escaped ? Unescape(raw, arena) : raw));
      pos = close + 1;
      if (pos < n && !IsSpace(byte(pos))) {
        report("text right after a quoted value", pos);
        pos = skip_token(pos);
      }
      continue;
    }
    size_t value_start = pos;
    pos = skip_token(pos);
    emit(key, Value::String(text.substr(value_start, pos - value_start)));
  }
  return problem;
}

// Threads: Process runs on one pipeline thread at a time (Stage's contract).
class LogfmtStage final : public Stage {
 public:
  explicit LogfmtStage(LogfmtStageOptions options)
      : options_(std::move(options)),
        field_(options_.field, options_.keep_original),
        not_set_message_("field '" + options_.field + "' is not set"),
        not_text_message_("field '" + options_.field + "' is not text") {
    static constexpr std::string_view kBuiltins[] = {"@timestamp",   "message",   "log.file.path",
                                                     "log.offset",   "host.name", "error.type",
                                                     "error.message"};
    for (std::string_view b : kBuiltins) builtins_.emplace_back(std::string(b));
  }

  void Process(Batch& batch, const EventSelection& selected) override {
    ForEachSelected(batch, selected, [&](Event& event, size_t) {
      std::optional<Value> value = GetField(batch, event, field_.ref());
      if (!value || (value->kind != ValueKind::kString && value->kind != ValueKind::kJson)) {
        TagError(event, "logfmt", value ? not_text_message_ : not_set_message_);
        return;
      }
      const uint32_t fields_before = static_cast<uint32_t>(batch.fields().size());
      bool wrote_field = false;
      std::optional<Problem> problem =
          ParseLogfmt(value->s, batch.arena(), [&](std::string_view key, Value v) {
            wrote_field = Set(batch, event, key, v) || wrote_field;
          });
      if (!problem) {
        field_.Consume(batch, event, value->s, fields_before, wrote_field);
      } else {
        char digits[24];
        auto r = std::to_chars(digits, digits + sizeof(digits), problem->offset);
        if (event.error_type.empty()) {
          TagError(event, "logfmt",
                   batch.arena().Concat(
                       {problem->reason, " at offset ", std::string_view(digits, r.ptr - digits)}));
        }
      }
    });
  }

 private:
  // Sets one pair. Returns true when its key is the parsed field itself (written, or kept
  // without overwrite: either way the parse decides that field).
  bool Set(Batch& batch, Event& event, std::string_view key, Value v) {
    if (!options_.target.empty()) key = batch.arena().Concat({options_.target, ".", key});
    const bool names_field = field_.Names(key);
    for (const FieldRef& b : builtins_) {
      if (b.path() == key) {
        SetField(batch, event, b, v, options_.overwrite);
        return names_field;
      }
    }
    if (!options_.overwrite && batch.FindField(event, key) != nullptr) return names_field;
    // With overwrite the new field is appended: the last one of a name is the field's value.
    batch.AddField(event, key, v);
    return names_field;
  }

  const LogfmtStageOptions options_;
  const ParsedField field_;
  const std::string not_set_message_;  // error.message values: they live as long as the stage
  const std::string not_text_message_;
  std::vector<FieldRef> builtins_;  // keys that name an event's built-in fields
};

}  // namespace

Result<LogfmtStageOptions> ParseLogfmtStageOptions(const ConfigNode& node, PluginContext& ctx) {
  LogfmtStageOptions o;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline (EventSelection)
  r.Optional("field", &o.field, std::string("message"));
  r.Optional("target", &o.target, std::string());
  r.Optional("overwrite", &o.overwrite, true);
  r.Optional("keep_original", &o.keep_original, false);
  r.Check(!o.field.empty(), "field", "must not be empty");
  r.Check(o.target.empty() || (o.target.front() != '.' && o.target.back() != '.' &&
                               o.target.find("..") == std::string::npos),
          "target", "must be a dotted field name such as 'app' or 'app.context'");
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Stage>> MakeLogfmtStage(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN(LogfmtStageOptions options, ParseLogfmtStageOptions(node, ctx));
  return std::unique_ptr<Stage>(std::make_unique<LogfmtStage>(std::move(options)));
}

}  // namespace logship
