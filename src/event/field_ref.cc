// SPDX-License-Identifier: Apache-2.0
#include "src/event/field_ref.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace logship {
namespace {

struct BuiltinName {
  std::string_view name;
  BuiltinField field;
};
constexpr BuiltinName kBuiltins[] = {
    {"@timestamp", BuiltinField::kTimestamp},       {"message", BuiltinField::kMessage},
    {"log.file.path", BuiltinField::kFilePath},     {"log.offset", BuiltinField::kOffset},
    {"host.name", BuiltinField::kHostName},         {"error.type", BuiltinField::kErrorType},
    {"error.message", BuiltinField::kErrorMessage},
};

// True when `key` is `path` or lies below it ("a.b" below "a").
bool AtOrBelow(std::string_view key, std::string_view path) {
  return key.size() >= path.size() && key.compare(0, path.size(), path) == 0 &&
         (key.size() == path.size() || key[path.size()] == '.');
}

std::optional<Value> GetBuiltin(const Batch& batch, const Event& event, BuiltinField field) {
  switch (field) {
    case BuiltinField::kNone:
      return std::nullopt;
    case BuiltinField::kTimestamp:
      return Value::Int(event.timestamp_ns);
    case BuiltinField::kMessage:
      if (!event.has_message) return std::nullopt;
      return Value::String(event.message);
    case BuiltinField::kFilePath:
      if (event.source == kNoIndex) return std::nullopt;
      return Value::String(batch.sources()[event.source].path);
    case BuiltinField::kOffset:
      if (event.source == kNoIndex) return std::nullopt;
      return Value::Int(static_cast<int64_t>(event.offset));
    case BuiltinField::kHostName:
      if (batch.host_name.empty()) return std::nullopt;
      return Value::String(batch.host_name);
    case BuiltinField::kErrorType:
      if (event.error_type.empty()) return std::nullopt;
      return Value::String(event.error_type);
    case BuiltinField::kErrorMessage:
      if (event.error_type.empty()) return std::nullopt;
      return Value::String(event.error_message);
  }
  return std::nullopt;
}

bool IsErrorField(BuiltinField f) {
  return f == BuiltinField::kErrorType || f == BuiltinField::kErrorMessage;
}

BuiltinField BuiltinOf(std::string_view path) {
  for (const BuiltinName& b : kBuiltins) {
    if (b.name == path) return b.field;
  }
  return BuiltinField::kNone;
}

// Stores `value` in the event's member for `field` when that member can hold it: a string
// message, a string error type, or a string error message of an event that has an error type.
// Returns false when the value must be a dynamic field instead.
bool PutBuiltin(Event& event, BuiltinField field, const Value& value) {
  if (value.kind != ValueKind::kString) return false;
  switch (field) {
    case BuiltinField::kMessage:
      event.message = value.s;
      event.has_message = true;
      return true;
    case BuiltinField::kErrorType:
      event.error_type = value.s;
      return true;
    case BuiltinField::kErrorMessage:
      // Without a type the built-in error is not written: keep the message as a dynamic field.
      if (event.error_type.empty()) return false;
      event.error_message = value.s;
      return true;
    default:
      return false;
  }
}

// Marks every live dynamic field at or below `path` removed; returns how many.
int RemoveDynamic(Batch& batch, const Event& event, std::string_view path) {
  int n = 0;
  std::vector<Field>& fields = batch.fields();
  for (uint32_t i = event.first_field; i != kNoIndex; i = fields[i].next) {
    if (!fields[i].removed && AtOrBelow(fields[i].key, path)) {
      fields[i].removed = true;
      ++n;
    }
  }
  return n;
}

// The key `to` + `rest` (rest is empty or starts with '.'), in the batch's arena unless it is `to`.
std::string_view MovedKey(Batch& batch, std::string_view to, std::string_view rest) {
  if (rest.empty()) return to;
  char* key = batch.arena().Allocate(to.size() + rest.size());
  std::memcpy(key, to.data(), to.size());
  std::memcpy(key + to.size(), rest.data(), rest.size());
  return std::string_view(key, to.size() + rest.size());
}

}  // namespace

FieldRef::FieldRef(std::string path) : path_(std::move(path)), builtin_(BuiltinOf(path_)) {}

std::optional<Value> GetField(const Batch& batch, const Event& event, const FieldRef& ref) {
  // A stage's error, once set, wins over a dynamic field of the same name (a parsed
  // {"error":{"type":…}}): JsonWriter writes the built-in error last, so the later value is it.
  if (IsErrorField(ref.builtin()) && !event.error_type.empty()) {
    return GetBuiltin(batch, event, ref.builtin());
  }
  if (const Field* f = batch.FindField(event, ref.path())) return f->value;
  return GetBuiltin(batch, event, ref.builtin());
}

std::optional<std::string_view> GetFieldText(const Batch& batch, const Event& event,
                                             const FieldRef& ref, std::string& scratch) {
  std::optional<Value> v = GetField(batch, event, ref);
  if (!v) return std::nullopt;
  switch (v->kind) {
    case ValueKind::kNull:
      return std::string_view("null");
    case ValueKind::kBool:
      return std::string_view(v->b ? "true" : "false");
    case ValueKind::kString:
    case ValueKind::kJson:
      return v->s;
    case ValueKind::kInt: {
      scratch.resize(24);
      auto r = std::to_chars(scratch.data(), scratch.data() + scratch.size(), v->i);
      scratch.resize(static_cast<size_t>(r.ptr - scratch.data()));
      return std::string_view(scratch);
    }
    case ValueKind::kDouble: {
      if (!std::isfinite(v->d)) return std::string_view("null");
      scratch.resize(32);
      char* end = std::to_chars(scratch.data(), scratch.data() + 30, v->d).ptr;
      // As JsonWriter writes it: 3.0 is "3.0", never "3", so `equals: "3.0"` and templates see
      // the shipped text.
      if (std::find_if(scratch.data(), end, [](char c) { return c == '.' || c == 'e'; }) == end) {
        *end++ = '.';
        *end++ = '0';
      }
      scratch.resize(static_cast<size_t>(end - scratch.data()));
      return std::string_view(scratch);
    }
  }
  return std::nullopt;
}

bool FieldExists(const Batch& batch, const Event& event, const FieldRef& ref) {
  if (GetField(batch, event, ref)) return true;
  bool found = false;
  batch.ForEachField(event, [&](const Field& f) {
    if (!found && AtOrBelow(f.key, ref.path())) found = true;
  });
  if (found) return true;
  // Objects made of built-ins: "log", "log.file", "host", "error".
  for (const BuiltinName& b : kBuiltins) {
    if (b.name.size() > ref.path().size() && AtOrBelow(b.name, ref.path()) &&
        GetBuiltin(batch, event, b.field)) {
      return true;
    }
  }
  return false;
}

bool SetField(Batch& batch, Event& event, const FieldRef& ref, Value value, bool overwrite) {
  if (!overwrite && GetField(batch, event, ref)) return false;
  if (ref.builtin() == BuiltinField::kTimestamp && value.kind == ValueKind::kInt) {
    RemoveDynamic(batch, event, ref.path());
    event.timestamp_ns = value.i;
    return true;
  }
  if (PutBuiltin(event, ref.builtin(), value)) {
    RemoveDynamic(batch, event, ref.path());
    return true;
  }
  // Replace in place when the field exists, so repeated sets do not grow the chain.
  if (Field* f = batch.FindField(event, ref.path())) {
    f->value = value;
    return true;
  }
  batch.AddField(event, ref.path(), value);
  return true;
}

bool CanRemove(const FieldRef& ref) {
  switch (ref.builtin()) {
    case BuiltinField::kNone:
    case BuiltinField::kMessage:
    case BuiltinField::kErrorType:
    case BuiltinField::kErrorMessage:
      return true;
    default:
      return false;
  }
}

bool RemoveField(Batch& batch, Event& event, const FieldRef& ref) {
  bool removed = RemoveDynamic(batch, event, ref.path()) > 0;
  switch (ref.builtin()) {
    case BuiltinField::kMessage:
      removed = removed || event.has_message;
      event.has_message = false;
      break;
    case BuiltinField::kErrorType:
    case BuiltinField::kErrorMessage:
      // error.type and error.message go together: an error is a type with its message.
      removed = removed || !event.error_type.empty();
      event.error_type = {};
      event.error_message = {};
      break;
    default:
      break;
  }
  // "error" names the object holding the built-in error fields.
  if (ref.builtin() == BuiltinField::kNone && AtOrBelow("error.type", ref.path()) &&
      !event.error_type.empty()) {
    event.error_type = {};
    event.error_message = {};
    removed = true;
  }
  return removed;
}

bool RenameField(Batch& batch, Event& event, const FieldRef& from, const FieldRef& to) {
  if (from.path() == to.path()) return FieldExists(batch, event, from);
  const std::string_view fp = from.path();
  const std::string_view tp = to.path();
  std::vector<Field>& fields = batch.fields();

  // What moves: live dynamic fields at or below `from`, the message when `from` is "message", and
  // the error fields at or below `from`. Read-only built-ins (log.*, host.name, @timestamp) stay.
  bool dynamic = false;
  for (uint32_t i = event.first_field; i != kNoIndex && !dynamic; i = fields[i].next) {
    dynamic = !fields[i].removed && AtOrBelow(fields[i].key, fp);
  }
  const bool message = from.builtin() == BuiltinField::kMessage && event.has_message;
  const bool has_error = !event.error_type.empty();
  const bool error_type = has_error && AtOrBelow("error.type", fp);
  const bool error_message = has_error && AtOrBelow("error.message", fp);
  if (!dynamic && !message && !error_type && !error_message) return false;
  // A dynamic "message" shadows the built-in one, which is then invisible and is not moved.
  const bool move_message = message && batch.FindField(event, "message") == nullptr;
  const Value message_value = Value::String(event.message);
  const Value type_value = Value::String(event.error_type);
  const Value error_message_value = Value::String(event.error_message);

  // Take the moving built-ins off the event. The error type and message are one built-in: the
  // half that does not move stays behind as a dynamic field.
  if (message) event.has_message = false;
  if (error_type || error_message) {
    event.error_type = {};
    event.error_message = {};
    if (!error_type) batch.AddField(event, "error.type", type_value);
    if (!error_message) batch.AddField(event, "error.message", error_message_value);
  }

  // An existing `to` is replaced, not merged, except for what moves (renaming "data.value" to
  // "data" keeps "data.value"). One pass over the chain, deciding by each field's old key: fields
  // at or below `from` move in place (keeping their order); a field that lands exactly on `to`
  // and fits the built-in there (a string renamed to "message") becomes the built-in; other
  // fields at or below `to` go.
  if (to.builtin() == BuiltinField::kMessage) event.has_message = false;
  if (AtOrBelow("error.type", tp) || AtOrBelow("error.message", tp)) {
    event.error_type = {};
    event.error_message = {};
  }
  for (uint32_t i = event.first_field; i != kNoIndex; i = fields[i].next) {
    Field& f = fields[i];
    if (f.removed) continue;
    if (!AtOrBelow(f.key, fp)) {
      if (AtOrBelow(f.key, tp)) f.removed = true;
      continue;
    }
    std::string_view rest = f.key.substr(fp.size());
    if (rest.empty() && PutBuiltin(event, to.builtin(), f.value)) {
      f.removed = true;
      continue;
    }
    f.key = MovedKey(batch, tp, rest);
  }

  // Then the built-ins, added last: they win over dynamic fields landing on the same key only
  // where they won before (the error; a shadowed message was not moved).
  auto place = [&](std::string_view name, const Value& value) {
    std::string_view rest = name.substr(fp.size());
    if (rest.empty() && PutBuiltin(event, to.builtin(), value)) return;
    batch.AddField(event, MovedKey(batch, tp, rest), value);
  };
  if (move_message) place("message", message_value);
  if (error_type) place("error.type", type_value);
  if (error_message) place("error.message", error_message_value);
  return true;
}

}  // namespace logship
