// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reading field paths out of the field-edit stages' options (add_fields, rename, remove): a path
// is a dotted name ("http.request.method") with no empty segment. Problems are reported at the
// node that holds the path, as "option 'fields.x': …", like ConfigReader's own messages.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/event/field_ref.h"

namespace logship {

// Why `path` cannot name a field ("is empty", "has an empty segment"), or nullopt when it can.
std::optional<std::string> FieldPathProblem(std::string_view path);

// `path` as a FieldRef, or nullopt after recording at `at` why it cannot be one. `option` names
// the option in messages ("fields.env", "fields[2]").
std::optional<FieldRef> ReadFieldPath(const ConfigNode& at, std::string_view option,
                                      std::string_view path, ConfigErrors& errors);

// Reads the map `fields:` of add_fields and rename: it must be a non-empty map whose keys are
// plain, distinct field names. Calls `each` with every good key, its value, the key's text, the
// option's name in messages ("fields.<name>") and the key as a path (nullopt when it is not one;
// already reported). `shape` and `verb` word the messages: "expected a map <shape>", "names no
// field to <verb>", "field 'x' is <done> twice".
struct FieldMapWording {
  std::string_view shape;
  std::string_view verb;
  std::string_view done;
};
void ForEachFieldMapEntry(
    const ConfigNode& fields, const FieldMapWording& wording, ConfigErrors& errors,
    const std::function<void(const ConfigNode& key, const ConfigNode& value,
                             const std::string& name, const std::string& option,
                             std::optional<FieldRef> ref)>& each);

// The message for a read-only built-in (CanRemove false) that a stage would remove or move.
std::string ReadOnlyBuiltinMessage(std::string_view option, const FieldRef& ref,
                                   std::string_view verb);

}  // namespace logship
