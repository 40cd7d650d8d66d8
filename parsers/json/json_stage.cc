// SPDX-License-Identifier: Apache-2.0
#include "parsers/json/json_stage.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/config/config_reader.h"
#include "src/event/field_ref.h"
#include "src/event/parsed_field.h"

namespace logship {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Parser and scratch capacity is kept for inputs up to this size. A longer line (a 10 MB JSON
// line needs about 6 times its size in parser buffers) is parsed, then the memory is given back,
// so one huge line does not pin tens of megabytes for the life of the pipeline.
constexpr size_t kRetainedInputBytes = 256 * 1024;
constexpr size_t kInitialInputBytes = 16 * 1024;
constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

constexpr std::string_view kEmptyObject = "{}";
constexpr std::string_view kErrorType = "json";
constexpr std::string_view kTrailingText = "invalid JSON: unexpected text after the object";
constexpr std::string_view kEndOfInput = "invalid JSON: unexpected end of input";
constexpr std::string_view kBadNumber = "invalid JSON: malformed number";
constexpr std::string_view kBlank = "not a JSON object: the text is blank";
constexpr std::string_view kNoBrace = "not a JSON object: the text does not start with '{'";
constexpr std::string_view kBadLiteral =
    "invalid JSON: invalid literal (expected true, false or null)";

// The built-in event fields (see field_ref.h). A JSON key with one of these names goes through
// SetField, which knows how each built-in is replaced or shadowed; every other key is a plain
// dynamic field, handled here without building a FieldRef per key.
constexpr std::array<std::string_view, 7> kBuiltinNames = {
    "@timestamp", "message",    "log.file.path", "log.offset",
    "host.name",  "error.type", "error.message"};

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimTrailingSpace(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && IsJsonSpace(s[n - 1])) --n;
  return s.substr(0, n);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// SWAR search, eight bytes per step: the strings of a log line are short, so a call to memchr
// costs more than the scan, and a byte loop was a quarter of the parse. Both functions may read
// up to 7 bytes past the range, which the padded scratch copy always has.
static_assert(std::endian::native == std::endian::little, "LoadWord puts the first byte lowest");
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

// High bit set in each byte of `word` equal to `c` (exact for the lowest such byte).
inline uint64_t BytesEqual(uint64_t word, char c) {
  const uint64_t x = word ^ (kOnes * static_cast<uint8_t>(c));
  return (x - kOnes) & ~x & kHighs;
}

inline uint64_t LoadWord(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

// True when [p, p + n) holds a backslash.
inline bool HasBackslash(const char* p, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t hits = BytesEqual(LoadWord(p + i), '\\');
    if (n - i < 8) hits &= (uint64_t{1} << ((n - i) * 8)) - 1;
    if (hits != 0) return true;
  }
  return false;
}

// The first '"' or backslash at or after p (one exists before the padding ends).
inline const char* FindQuoteOrBackslash(const char* p) {
  for (;; p += 8) {
    const uint64_t word = LoadWord(p);
    const uint64_t hits = BytesEqual(word, '"') | BytesEqual(word, '\\');
    if (hits != 0) return p + (std::countr_zero(hits) >> 3);
  }
}

// memcpy for the short keys of a log line, inline: a library call per key part was a tenth of the
// parse with a target. Copies exactly n bytes (overlapping word moves, never past dst + n).
inline void CopyShort(char* dst, const char* src, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t head = LoadWord(src);
    uint64_t tail = LoadWord(src + n - 8);
    std::memcpy(dst, &head, 8);
    std::memcpy(dst + n - 8, &tail, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t head;
    uint32_t tail;
    std::memcpy(&head, src, 4);
    std::memcpy(&tail, src + n - 4, 4);
    std::memcpy(dst, &head, 4);
    std::memcpy(dst + n - 4, &tail, 4);
  } else if (n < 4) {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  } else {
    std::memcpy(dst, src, n);
  }
}

// True when `s` is exactly one JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
// simdjson's on-demand API checks a number only when it converts it, and the stage never converts
// (the text is kept, so 1e400 and 20-digit ids survive), so the grammar is checked here.
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i == n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i == n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  return i == n;
}

// A reason a user can act on, for each simdjson error the stage can meet.
std::string_view Describe(error_code e) {
  switch (e) {
    case simdjson::UTF8_ERROR:
      return "invalid JSON: invalid UTF-8";
    case simdjson::UNESCAPED_CHARS:
      return "invalid JSON: unescaped control character in a string";
    case simdjson::UNCLOSED_STRING:
      return "invalid JSON: unterminated string";
    case simdjson::STRING_ERROR:
      return "invalid JSON: invalid escape sequence in a string";
    case simdjson::EMPTY:
      return kBlank;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return kEndOfInput;
    case simdjson::TAPE_ERROR:
      return "invalid JSON: unexpected character (a comma, colon, quote or bracket is missing or "
             "misplaced)";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
    case simdjson::INCORRECT_TYPE:
      return kBadLiteral;
    case simdjson::NUMBER_ERROR:
      return kBadNumber;
    case simdjson::MEMALLOC:
      return "out of memory while parsing JSON";
    default:
      return simdjson::error_message(e);  // static text
  }
}

// For a text that starts with '{' but whose structure simdjson rejected: says whether it was cut
// short or has text after the object, which simdjson reports alike, the latter only when the
// failure was found at `error_at` (an offset in text) past the root's end. Otherwise returns
// `fallback`. Brackets are counted, not matched: this only chooses the message.
std::string_view DiagnoseStructure(std::string_view text, std::string_view fallback,
                                   size_t error_at) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      if (error_at <= i) return fallback;
      for (size_t j = i + 1; j < text.size(); ++j) {
        if (!IsJsonSpace(text[j])) return kTrailingText;
      }
      return fallback;
    }
  }
  return kEndOfInput;
}

bool IsFieldPath(std::string_view path) {
  return !path.empty() && path.front() != '.' && path.back() != '.' &&
         path.find("..") == std::string_view::npos;
}

class JsonStage final : public Stage {
 public:
  explicit JsonStage(JsonStageOptions options);

  void Process(Batch& batch, const EventSelection& selected) override;

 private:
  // One member of the JSON text, applied to the event only once the whole text has parsed.
  struct Member {
    std::string_view key;  // lives as long as the batch
    Value value;
  };

  void ProcessEvent(Batch& batch, Event& event);
  static void Tag(Batch& batch, Event& event, std::string_view reason);

  // Parses `text` into members_. On failure returns false with the reason in failure_.
  bool Parse(std::string_view text);
  // Why doc_, whose text does not start with '{', is not an object: what it is when it is one
  // other JSON value, so the reason is never misleading for a plain-text line such as
  // "2026-11-24 boot" (which starts like a number).
  std::string_view NotAnObject(std::string_view text);
  // Adds the members of `object` (at nesting depth `depth`, the root being 1) under the key prefix
  // key_prefix_[0, prefix_len).
  bool ParseObject(od::object& object, size_t prefix_len, int depth);
  // Adds the member `key` whose value is an object or an array.
  bool ParseContainer(od::value& value, char open, std::string_view key, bool key_in_scratch,
                      size_t prefix_len, int depth);
  // Reads a scalar from its token (the value's text up to the next structural character); the
  // value itself is only needed for strings with escapes, which are unescaped into the arena when
  // `keep` is set. Inlined: it runs for most values, and out of line the compiler builds and
  // copies simdjson's iterator structs in memory, which cost more than the work itself.
  [[gnu::always_inline]] inline bool ParseScalar(od::value& value, std::string_view token,
                                                 bool keep, Value* out);
  [[gnu::noinline]] bool UnescapeString(od::value& value, bool keep, Value* out);
  [[gnu::noinline]] bool UnescapeKey(od::field& field, std::string_view* key);
  // Checks an array's contents, which are kept as their text (`depth`: the array's own).
  bool ValidateArray(od::array& array, int depth);
  bool ValidateValue(od::value& value, int depth);
  // The key of `field`: a range of the scratch copy when it has no escape (*in_scratch set), else
  // unescaped by simdjson into its string buffer, valid until the next parse.
  [[gnu::always_inline]] inline bool ReadKey(od::field& field, std::string_view* key,
                                             bool* in_scratch);
  // The full key (prefix + key), living as long as the batch.
  [[gnu::always_inline]] inline std::string_view MakeKey(std::string_view key, bool in_scratch,
                                                         size_t prefix_len);

  // The range of the caller's text that `s` (a range of scratch_) was copied from.
  std::string_view Rebase(std::string_view s) const {
    return std::string_view(text_.data() + (s.data() - scratch_.get()), s.size());
  }
  bool Fail(std::string_view reason) {
    failure_ = reason;
    return false;
  }
  bool Fail(error_code e) { return Fail(Describe(e)); }

  // Adds members_ to the event. Returns true when a member names the parsed field itself.
  bool Apply(Batch& batch, Event& event, uint32_t fields_before);
  const FieldRef* BuiltinRef(std::string_view key) const;
  void ReleaseLargeBuffers();
  // Sizes the parser for typical lines up front; a failure is left to iterate(), which allocates
  // again and tags the line if that fails too. simdjson's own depth limit sits past ours, so that
  // ours is the one that reports (a debug build of simdjson asserts past its limit).
  void Preallocate() {
    [[maybe_unused]] error_code e =
        parser_.allocate(kInitialInputBytes, static_cast<size_t>(options_.max_depth) + 2);
  }

  const JsonStageOptions options_;
  const ParsedField field_;
  std::array<FieldRef, kBuiltinNames.size()> builtins_;
  const std::string not_set_message_;
  const std::string not_text_message_;
  const std::string empty_message_;
  const std::string depth_message_;

  od::parser parser_;
  od::document doc_;
  // The text being parsed, copied with simdjson's padding after it: the caller's text may be any
  // string that lives as long as the batch, and only the batch arena promises the padding. Every
  // range kept from the parse is rebased onto text_, so no value points into the scratch copy.
  std::unique_ptr<char[]> scratch_;
  size_t scratch_capacity_ = 0;  // without the padding
  std::string_view text_;
  Batch* batch_ = nullptr;  // the batch of the event being parsed (its arena holds new keys)
  std::vector<Member> members_;
  std::string key_prefix_;  // target and enclosing object keys, each followed by '.'
  std::string_view failure_;
};

JsonStage::JsonStage(JsonStageOptions options)
    : options_(std::move(options)),
      field_(options_.field, options_.keep_original),
      not_set_message_("field '" + options_.field + "' is not set"),
      not_text_message_("field '" + options_.field + "' is not a string"),
      empty_message_("field '" + options_.field + "' is empty"),
      depth_message_("JSON nested deeper than max_depth " + std::to_string(options_.max_depth)) {
  for (size_t i = 0; i < kBuiltinNames.size(); ++i) {
    builtins_[i] = FieldRef(std::string(kBuiltinNames[i]));
    LOGSHIP_CHECK(builtins_[i].builtin() != BuiltinField::kNone)
        << kBuiltinNames[i] << " is no longer a built-in field";
  }
  Preallocate();
  members_.reserve(64);
  key_prefix_.reserve(256);
}

void JsonStage::Process(Batch& batch, const EventSelection& selected) {
  ForEachSelected(batch, selected, [&](Event& event, size_t) { ProcessEvent(batch, event); });
}

void JsonStage::Tag(Batch& batch, Event& event, std::string_view reason) {
  if (!event.error_type.empty()) return;  // an earlier stage's failure is the root cause
  // Copied: the reason may live in this stage, and the batch may outlive it in a sink queue.
  TagError(event, kErrorType, batch.arena().Copy(reason));
}

void JsonStage::ProcessEvent(Batch& batch, Event& event) {
  std::string_view text;
  if (field_.ref().builtin() == BuiltinField::kMessage && event.first_field == kNoIndex) {
    // The common case, without a search for a dynamic `message` field that cannot exist.
    if (!event.has_message) return Tag(batch, event, not_set_message_);
    text = event.message;
  } else {
    std::optional<Value> v = GetField(batch, event, field_.ref());
    if (!v) return Tag(batch, event, not_set_message_);
    if (v->kind != ValueKind::kString && v->kind != ValueKind::kJson) {
      return Tag(batch, event, not_text_message_);
    }
    text = v->s;
  }
  if (text.empty()) return Tag(batch, event, empty_message_);

  const uint32_t fields_before = static_cast<uint32_t>(batch.fields().size());
  batch_ = &batch;
  if (Parse(text)) {
    const bool wrote_field = Apply(batch, event, fields_before);
    field_.Consume(batch, event, text, fields_before, wrote_field);
  } else {
    Tag(batch, event, failure_);
  }
  batch_ = nullptr;
  if (text.size() > kRetainedInputBytes) ReleaseLargeBuffers();
}

bool JsonStage::Parse(std::string_view text) {
  size_t first = 0;
  while (first < text.size() && IsJsonSpace(text[first])) ++first;
  if (first == text.size()) return Fail(kBlank);
  if (scratch_capacity_ < text.size()) {
    scratch_capacity_ = std::max(text.size(), kInitialInputBytes);
    scratch_ = std::make_unique_for_overwrite<char[]>(scratch_capacity_ + kPadding);
  }
  std::memcpy(scratch_.get(), text.data(), text.size());
  // Zeros past the end: simdjson may look there, and a zero can never pass for JSON structure.
  std::memset(scratch_.get() + text.size(), 0, kPadding);
  text_ = text;
  members_.clear();

  error_code e = parser_.iterate(scratch_.get(), text.size(), text.size() + kPadding).get(doc_);
  if (text[first] != '{') return Fail(e ? kNoBrace : NotAnObject(text));
  if (e) return Fail(e);
  od::object root;
  if ((e = doc_.get_object().get(root))) {
    // Found before any walking: where it went wrong is unknown.
    return Fail(DiagnoseStructure(text, Describe(e), text.size()));
  }
  key_prefix_.clear();
  if (!options_.target.empty()) {
    key_prefix_.append(options_.target);
    key_prefix_.push_back('.');
  }
  if (!ParseObject(root, key_prefix_.size(), 1)) {
    if (failure_ == Describe(simdjson::TAPE_ERROR)) {
      // The iterator stands just past the token it rejected.
      const char* at = nullptr;
      size_t error_at = text.size();
      if (doc_.current_location().get(at) == simdjson::SUCCESS) {
        error_at = static_cast<size_t>(at - scratch_.get());
      }
      failure_ = DiagnoseStructure(text, failure_, error_at);
    }
    return false;
  }
  // simdjson stops at the root's closing brace; anything after it is an error of its own.
  const char* rest = nullptr;
  if (doc_.current_location().get(rest) == simdjson::SUCCESS) return Fail(kTrailingText);
  return true;
}

std::string_view JsonStage::NotAnObject(std::string_view text) {
  od::json_type type;
  std::string_view token;
  if (doc_.type().get(type) || doc_.raw_json_token().get(token)) return kNoBrace;
  if (type == od::json_type::array) return "not a JSON object: the text is an array";
  // A scalar only when its token is the whole text.
  token = TrimTrailingSpace(token);
  if (static_cast<size_t>(token.data() - scratch_.get()) + token.size() !=
      TrimTrailingSpace(text).size()) {
    return kNoBrace;
  }
  switch (type) {
    case od::json_type::string:
      if (token.size() >= 2 && token.back() == '"') {
        return "not a JSON object: the text is a string";
      }
      break;
    case od::json_type::number:
      if (IsJsonNumber(token)) return "not a JSON object: the text is a number";
      break;
    case od::json_type::boolean:
      if (token == "true" || token == "false") return "not a JSON object: the text is a boolean";
      break;
    case od::json_type::null:
      if (token == "null") return "not a JSON object: the text is null";
      break;
    default:
      break;
  }
  return kNoBrace;
}

bool JsonStage::ParseObject(od::object& object, size_t prefix_len, int depth) {
  for (auto result : object) {
    if (error_code e = result.error()) return Fail(e);
    od::field& field = result.value_unsafe();
    std::string_view key;
    bool key_in_scratch = false;
    if (!ReadKey(field, &key, &key_in_scratch)) return false;
    od::value& value = field.value();
    const std::string_view token = value.raw_json_token();
    if (token[0] == '{' || token[0] == '[') {
      if (!ParseContainer(value, token[0], key, key_in_scratch, prefix_len, depth)) return false;
      continue;
    }
    Value v;
    if (!ParseScalar(value, token, true, &v)) return false;
    members_.push_back({MakeKey(key, key_in_scratch, prefix_len), v});
  }
  return true;
}

bool JsonStage::ReadKey(od::field& field, std::string_view* key, bool* in_scratch) {
  // Stage 1 found the closing quote, so the scan stops inside the text.
  const char* raw = field.key().raw();
  const char* p = FindQuoteOrBackslash(raw);
  if (*p == '\\') {
    *in_scratch = false;
    return UnescapeKey(field, key);
  }
  *key = std::string_view(raw, static_cast<size_t>(p - raw));
  *in_scratch = true;
  return true;
}

bool JsonStage::UnescapeKey(od::field& field, std::string_view* key) {
  if (error_code e = field.unescaped_key().get(*key)) return Fail(e);
  return true;
}

std::string_view JsonStage::MakeKey(std::string_view key, bool in_scratch, size_t prefix_len) {
  if (prefix_len == 0 && in_scratch) return Rebase(key);
  char* p = batch_->arena().Allocate(prefix_len + key.size());
  CopyShort(p, key_prefix_.data(), prefix_len);
  CopyShort(p + prefix_len, key.data(), key.size());
  return std::string_view(p, prefix_len + key.size());
}

bool JsonStage::ParseContainer(od::value& value, char open, std::string_view key,
                               bool key_in_scratch, size_t prefix_len, int depth) {
  if (depth >= options_.max_depth) return Fail(depth_message_);
  if (open == '{') {
    od::object child;
    if (error_code e = value.get_object().get(child)) return Fail(e);
    key_prefix_.resize(prefix_len);
    key_prefix_.append(key);
    key_prefix_.push_back('.');
    const size_t before = members_.size();
    if (!ParseObject(child, key_prefix_.size(), depth + 1)) return false;
    // Deeper levels only wrote past prefix_len, so the prefix is still ours.
    if (members_.size() == before) {
      members_.push_back({MakeKey(key, key_in_scratch, prefix_len), Value::Json(kEmptyObject)});
    }
    return true;
  }
  const char* start = value.raw_json_token().data();
  od::array array;
  if (error_code e = value.get_array().get(array)) return Fail(e);
  if (!ValidateArray(array, depth + 1)) return false;
  // The array is consumed, so the document stands on the token after its ']' (the parent's ','
  // or '}': the root's '}' always follows). The text between is the array plus spaces.
  const char* end = nullptr;
  if (error_code e = doc_.current_location().get(end)) return Fail(e);
  std::string_view text =
      TrimTrailingSpace(std::string_view(start, static_cast<size_t>(end - start)));
  members_.push_back({MakeKey(key, key_in_scratch, prefix_len), Value::Json(Rebase(text))});
  return true;
}

bool JsonStage::ParseScalar(od::value& value, std::string_view token, bool keep, Value* out) {
  // The token ends with any spaces before the next structural character.
  token = TrimTrailingSpace(token);
  switch (token[0]) {
    case '"': {
      if (token.size() < 2 || token.back() != '"') return Fail(simdjson::UNCLOSED_STRING);
      const std::string_view raw = token.substr(1, token.size() - 2);
      if (HasBackslash(raw.data(), raw.size())) return UnescapeString(value, keep, out);
      // Consumed, though its text is already known: simdjson skips an unconsumed string by
      // checking for a ':' after it (taking it for a key), which would accept {"a":"b":1}.
      if (error_code e = value.get_raw_json_string().error()) return Fail(e);
      // Stage 1 already checked UTF-8 and control characters: the raw text is the value.
      *out = Value::String(keep ? Rebase(raw) : raw);
      return true;
    }
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      if (!IsJsonNumber(token)) return Fail(kBadNumber);
      *out = Value::Json(keep ? Rebase(token) : token);
      return true;
    case 't':
    case 'f':
      if (token == "true") {
        *out = Value::Bool(true);
      } else if (token == "false") {
        *out = Value::Bool(false);
      } else {
        return Fail(kBadLiteral);
      }
      return true;
    case 'n':
      if (token != "null") return Fail(kBadLiteral);
      *out = Value::Null();
      return true;
    default:
      return Fail(simdjson::TAPE_ERROR);
  }
}

bool JsonStage::UnescapeString(od::value& value, bool keep, Value* out) {
  std::string_view unescaped;
  if (error_code e = value.get_string().get(unescaped)) return Fail(e);
  *out = Value::String(keep ? batch_->arena().Copy(unescaped) : unescaped);
  return true;
}

bool JsonStage::ValidateArray(od::array& array, int depth) {
  for (auto result : array) {
    if (error_code e = result.error()) return Fail(e);
    if (!ValidateValue(result.value_unsafe(), depth)) return false;
  }
  return true;
}

bool JsonStage::ValidateValue(od::value& value, int depth) {
  const std::string_view token = value.raw_json_token();
  if (token[0] == '{') {
    if (depth >= options_.max_depth) return Fail(depth_message_);
    od::object child;
    if (error_code e = value.get_object().get(child)) return Fail(e);
    for (auto result : child) {
      if (error_code e = result.error()) return Fail(e);
      od::field& field = result.value_unsafe();
      std::string_view key;
      bool in_scratch = false;
      if (!ReadKey(field, &key, &in_scratch)) return false;  // checks the escapes
      if (!ValidateValue(field.value(), depth + 1)) return false;
    }
    return true;
  }
  if (token[0] == '[') {
    if (depth >= options_.max_depth) return Fail(depth_message_);
    od::array child;
    if (error_code e = value.get_array().get(child)) return Fail(e);
    return ValidateArray(child, depth + 1);
  }
  Value ignored;
  return ParseScalar(value, token, false, &ignored);
}

const FieldRef* JsonStage::BuiltinRef(std::string_view key) const {
  // A cheap filter first: most keys are not built-in names.
  if (key.size() < 7 || key.size() > 13) return nullptr;
  const char c = key[0];
  if (c != '@' && c != 'm' && c != 'l' && c != 'h' && c != 'e') return nullptr;
  for (size_t i = 0; i < kBuiltinNames.size(); ++i) {
    if (key == kBuiltinNames[i]) return &builtins_[i];
  }
  return nullptr;
}

bool JsonStage::Apply(Batch& batch, Event& event, uint32_t fields_before) {
  // Collisions are with what the event had before this stage ran; among the JSON's own members
  // the last one wins, as JSON readers expect, and as FindField and JsonWriter read duplicates.
  const bool had_fields = event.first_field != kNoIndex;
  bool wrote_field = false;
  for (const Member& m : members_) {
    // Written or, without overwrite, skipped: either way the parse decides that field.
    wrote_field = wrote_field || field_.Names(m.key);
    if (const FieldRef* ref = BuiltinRef(m.key)) {
      SetField(batch, event, *ref, m.value, options_.overwrite);
      continue;
    }
    if (had_fields) {
      // Chains run in insertion order, so the fields from before this stage come first.
      Field* existing = nullptr;
      std::vector<Field>& fields = batch.fields();
      for (uint32_t i = event.first_field; i != kNoIndex && i < fields_before; i = fields[i].next) {
        if (!fields[i].removed && fields[i].key == m.key) existing = &fields[i];
      }
      if (existing != nullptr) {
        if (options_.overwrite) existing->value = m.value;
        continue;
      }
    }
    batch.AddField(event, m.key, m.value);
  }
  return wrote_field;
}

void JsonStage::ReleaseLargeBuffers() {
  doc_ = od::document();
  parser_ = od::parser();
  Preallocate();
  scratch_.reset();
  scratch_capacity_ = 0;
  if (members_.capacity() > 4096) {
    std::vector<Member>().swap(members_);
    members_.reserve(64);
  }
  if (key_prefix_.capacity() > 4096) {
    std::string().swap(key_prefix_);
    key_prefix_.reserve(256);
  }
}

}  // namespace

Result<JsonStageOptions> ParseJsonStageOptions(const ConfigNode& node, PluginContext& ctx) {
  JsonStageOptions o;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which selects the events (EventSelection)
  r.Optional("field", &o.field, std::string("message"));
  r.Optional("target", &o.target, std::string());
  r.Optional("overwrite", &o.overwrite, true);
  r.Optional("max_depth", &o.max_depth, 64);
  r.Optional("keep_original", &o.keep_original, false);
  r.Check(IsFieldPath(o.field), "field",
          "must be a field path such as 'message' or 'json.payload'");
  r.Check(node.Get("target").IsNull() || IsFieldPath(o.target), "target",
          "must be a field path such as 'app' or 'json.parsed' (leave it out for the root)");
  r.Check(o.max_depth >= 1 && o.max_depth <= 1024, "max_depth", "must be between 1 and 1024");
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Stage>> MakeJsonStage(const ConfigNode& node, PluginContext& ctx) {
  Result<JsonStageOptions> options = ParseJsonStageOptions(node, ctx);
  if (!options.ok()) return options.status();
  return std::unique_ptr<Stage>(std::make_unique<JsonStage>(std::move(*options)));
}

}  // namespace logship
