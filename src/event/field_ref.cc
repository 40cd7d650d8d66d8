// SPDX-License-Identifier: Apache-2.0
#include "src/event/field_ref.h"

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

}  // namespace

FieldRef::FieldRef(std::string path) : path_(std::move(path)) {
  for (const BuiltinName& b : kBuiltins) {
    if (b.name == path_) builtin_ = b.field;
  }
}

std::optional<Value> GetField(const Batch& batch, const Event& event, const FieldRef& ref) {
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
      auto r = std::to_chars(scratch.data(), scratch.data() + scratch.size(), v->d);
      scratch.resize(static_cast<size_t>(r.ptr - scratch.data()));
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
  switch (ref.builtin()) {
    case BuiltinField::kMessage:
      if (value.kind == ValueKind::kString) {
        RemoveDynamic(batch, event, ref.path());
        event.message = value.s;
        event.has_message = true;
        return true;
      }
      break;
    case BuiltinField::kTimestamp:
      if (value.kind == ValueKind::kInt) {
        RemoveDynamic(batch, event, ref.path());
        event.timestamp_ns = value.i;
        return true;
      }
      break;
    case BuiltinField::kErrorType:
    case BuiltinField::kErrorMessage:
      if (value.kind == ValueKind::kString) {
        RemoveDynamic(batch, event, ref.path());
        (ref.builtin() == BuiltinField::kErrorType ? event.error_type : event.error_message) =
            value.s;
        return true;
      }
      break;
    default:
      break;
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
  bool moved = false;
  // The built-in first: it is the oldest value, so a dynamic field below wins as before.
  if (from.builtin() != BuiltinField::kNone && CanRemove(from)) {
    std::optional<Value> v = GetBuiltin(batch, event, from.builtin());
    if (v) {
      RemoveDynamic(batch, event, to.path());
      SetField(batch, event, to, *v, true);
      RemoveField(batch, event, from);
      moved = true;
    }
  }
  std::vector<Field>& fields = batch.fields();
  bool cleared_target = moved;
  for (uint32_t i = event.first_field; i != kNoIndex; i = fields[i].next) {
    if (fields[i].removed || !AtOrBelow(fields[i].key, from.path())) continue;
    if (!cleared_target) {
      // An existing `to` is replaced, not merged.
      RemoveDynamic(batch, event, to.path());
      cleared_target = true;
      if (fields[i].removed) continue;
    }
    std::string_view rest = fields[i].key.substr(from.path().size());
    if (rest.empty()) {
      fields[i].key = to.path();
    } else {
      char* key = batch.arena().Allocate(to.path().size() + rest.size());
      std::memcpy(key, to.path().data(), to.path().size());
      std::memcpy(key + to.path().size(), rest.data(), rest.size());
      fields[i].key = std::string_view(key, to.path().size() + rest.size());
    }
    moved = true;
  }
  return moved;
}

}  // namespace logship
