// SPDX-License-Identifier: Apache-2.0
#pragma once

// ParsedField is the field a parser stage (json, regex, logfmt) reads, and what happens to it once
// its text parsed: the value it held is removed, so the event does not carry the same data twice
// (the raw line in `message` beside the fields parsed from it), unless the parse wrote that field
// itself (a JSON line with its own "message" key). With keep_original the parsed text is kept as
// the ECS field event.original. A failed parse must not call Consume: the field stays as it was,
// for an operator to read beside error.*. Consume allocates nothing: a removal only marks records,
// and event.original is a view of the parsed text, which lives in the batch. Immutable once built;
// Consume is as thread-safe as the batch it is given.

#include <cstdint>
#include <string>
#include <string_view>

#include "src/event/batch.h"
#include "src/event/field_ref.h"

namespace logship {

class ParsedField {
 public:
  // `path`: the field the stage parses ("message", "payload"); must not be empty.
  ParsedField(std::string path, bool keep_original);

  const FieldRef& ref() const { return ref_; }
  const std::string& path() const { return ref_.path(); }
  bool keep_original() const { return keep_original_; }

  // True when `key`, a key the parse produces (with its target prefix), is the parsed field
  // itself. A stage that produced such a key, written or skipped (overwrite: false), passes
  // parse_wrote_field to Consume, which then leaves the field to the parse.
  bool Names(std::string_view key) const { return key == ref_.path(); }

  // Call after `text`, the field's value, parsed without an error. `fields_before` is
  // batch.fields().size() before the parse added anything. Unless parse_wrote_field, removes the
  // value the field had before the parse: the built-in message, and dynamic fields of exactly
  // this name added before the parse (fields below it, such as "message.x" from a JSON object
  // under "message", stay). Built-ins other than message are never removed. With keep_original,
  // adds event.original = `text` unless the event has it already (an earlier stage's, or one the
  // parse produced): the first original is the most original one.
  void Consume(Batch& batch, Event& event, std::string_view text, uint32_t fields_before,
               bool parse_wrote_field) const;

 private:
  FieldRef ref_;
  FieldRef original_;
  bool keep_original_;
  bool removable_;  // a dynamic field or message
};

}  // namespace logship
