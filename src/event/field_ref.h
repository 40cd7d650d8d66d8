// SPDX-License-Identifier: Apache-2.0
#pragma once

// FieldRef names a field of an event by its dotted path ("http.response.status_code"), resolved
// once when the configuration is loaded: either one of the built-in ECS fields an Event holds as
// members, or a dynamic field held as a Field record of the batch. Stages, conditions and
// templates read and write fields only through the functions below, so every component agrees on
// what a field is:
// - A dynamic field shadows a built-in of the same name (a stage may override `message`), and
//   among dynamic fields of one name the last one added wins (as JsonWriter writes them). The
//   exception is a stage's error: error.type/error.message, once set on the event, win over
//   dynamic fields of those names (a parsed {"error":{...}}), as JsonWriter writes them last.
// - Objects are flattened: {"a":{"b":1}} is the field "a.b". A path names a field exactly, and
//   an object when fields exist below it ("a" exists when "a.b" does).
// Immutable once built; the functions are as thread-safe as the batch they are given.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/event/batch.h"
#include "src/event/value.h"

namespace logship {

enum class BuiltinField : uint8_t {
  kNone,          // a dynamic field
  kTimestamp,     // @timestamp (read as Int nanoseconds; written by the timestamp stage)
  kMessage,       // message
  kFilePath,      // log.file.path
  kOffset,        // log.offset
  kHostName,      // host.name
  kErrorType,     // error.type
  kErrorMessage,  // error.message
};

class FieldRef {
 public:
  FieldRef() = default;
  // Any non-empty path is valid: a built-in name, or a dynamic field.
  explicit FieldRef(std::string path);

  const std::string& path() const { return path_; }
  BuiltinField builtin() const { return builtin_; }
  bool empty() const { return path_.empty(); }

 private:
  std::string path_;
  BuiltinField builtin_ = BuiltinField::kNone;
};

// The current value of `ref` in `event`, or nullopt when it is not set (or names an object).
std::optional<Value> GetField(const Batch& batch, const Event& event, const FieldRef& ref);

// The value as text, for comparisons and templates: strings as they are, numbers as their JSON
// text, booleans "true"/"false", null "null". Int and Double values are formatted into
// `scratch`, which the result may point into. nullopt when unset.
std::optional<std::string_view> GetFieldText(const Batch& batch, const Event& event,
                                             const FieldRef& ref, std::string& scratch);

// True when `ref` is set, or names an object that has fields below it.
bool FieldExists(const Batch& batch, const Event& event, const FieldRef& ref);

// Sets `ref` to `value`. With overwrite false an existing value is kept (returns false). Setting
// `message` or `error.type` to a string changes the built-in, and so does `error.message` when
// the event has an error type (otherwise it becomes a dynamic field, so it is still written);
// `@timestamp` takes Int nanoseconds. Anything else shadows the built-in with a dynamic field.
// Strings in `value` must live as long as the batch (use the batch's arena), and so must `ref`
// (FieldRefs live in the configuration, which outlives every batch).
bool SetField(Batch& batch, Event& event, const FieldRef& ref, Value value, bool overwrite = true);

// Removes `ref` and every field below it. Removing `message` drops the message from the event;
// other built-ins cannot be removed (CanRemove says so at load time). Returns true if anything
// was removed.
bool RemoveField(Batch& batch, Event& event, const FieldRef& ref);
bool CanRemove(const FieldRef& ref);

// Moves `from` (and every field below it) to `to`; keys are rebuilt in the batch's arena.
// Returns false when nothing is at or below `from`. An existing `to` (and its subtree) is
// replaced, not merged, except for what is being moved: `to` may lie inside `from` ("a" to
// "a.b") or hold it ("data.value" to "data"). The message and the error move with their paths
// ("error" moves error.type and error.message; renaming only one of them leaves the other as a
// dynamic field); a string landing exactly on `message` or `error.*` becomes the built-in. The
// read-only built-ins (CanRemove false) never move: renaming "log" moves only dynamic fields.
bool RenameField(Batch& batch, Event& event, const FieldRef& from, const FieldRef& to);

}  // namespace logship
