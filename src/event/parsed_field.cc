// SPDX-License-Identifier: Apache-2.0
#include "src/event/parsed_field.h"

#include <utility>
#include <vector>

namespace logship {

ParsedField::ParsedField(std::string path, bool keep_original)
    : ref_(std::move(path)),
      original_(std::string("event.original")),
      keep_original_(keep_original),
      removable_(ref_.builtin() == BuiltinField::kNone ||
                 ref_.builtin() == BuiltinField::kMessage) {}

void ParsedField::Consume(Batch& batch, Event& event, std::string_view text, uint32_t fields_before,
                          bool parse_wrote_field) const {
  if (keep_original_ && !FieldExists(batch, event, original_)) {
    batch.AddField(event, original_.path(), Value::String(text));
  }
  if (parse_wrote_field || !removable_) return;
  // Chains run in insertion order: the records from before the parse come first. For an event
  // that had no field before the parse (the common case) the loop does not run.
  std::vector<Field>& fields = batch.fields();
  for (uint32_t i = event.first_field; i != kNoIndex && i < fields_before; i = fields[i].next) {
    if (!fields[i].removed && fields[i].key == ref_.path()) fields[i].removed = true;
  }
  if (ref_.builtin() == BuiltinField::kMessage) event.has_message = false;
}

}  // namespace logship
