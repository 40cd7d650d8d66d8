// SPDX-License-Identifier: Apache-2.0
#pragma once

// Template is a string with field references, "logs-{{service}}-{{log.level}}", compiled once at
// load time and rendered per event (add_fields values, Kafka topics and keys, index names).
// Environment references (${VAR}) are expanded earlier, when the configuration is read.
// Immutable and thread-safe; Render appends to a caller's buffer and allocates nothing once the
// buffer has grown.

#include <string>
#include <string_view>
#include <vector>

#include "src/base/result.h"
#include "src/event/batch.h"
#include "src/event/field_ref.h"

namespace logship {

class Template {
 public:
  // InvalidArgument (naming the template) for "{{" without "}}" or an empty "{{}}".
  static Result<Template> Parse(std::string_view text);

  // True when the template has no field reference: Render always gives the same text.
  bool literal() const { return fields_.empty(); }
  const std::string& text() const { return text_; }
  const std::vector<FieldRef>& fields() const { return fields_; }

  // Replaces `out` with the rendering for `event`. Returns false when a referenced field is not
  // set (it renders as empty), so callers can fall back (topic_fallback) or tag the event.
  bool Render(const Batch& batch, const Event& event, std::string& out) const;

 private:
  struct Part {
    std::string literal;  // text before the field
    int field = -1;       // index into fields_, or -1 for the trailing literal
  };
  std::string text_;
  std::vector<Part> parts_;
  std::vector<FieldRef> fields_;
};

}  // namespace logship
