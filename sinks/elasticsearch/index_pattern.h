// SPDX-License-Identifier: Apache-2.0
#pragma once

// IndexPattern is the `index` (or `data_stream`) option compiled: strftime conversions over the
// event's @timestamp in UTC ("logs-app-%Y.%m.%d") and {{field}} templates ("logs-{{service}}"),
// in any mix. Conversions apply to the pattern's own text only, so a field value holding '%' is
// kept as it is. Field values are lower-cased, because Elasticsearch rejects index names with
// upper-case letters; the pattern's own text must already be lower case (checked at load).
//
// The strftime part is cached per time bucket (a day for "%Y.%m.%d", an hour when %H is used, a
// second at worst), so rendering costs a comparison and a template render per event. One
// IndexPattern per thread: Render keeps that cache.

#include <cstdint>
#include <string>
#include <string_view>

#include "src/base/result.h"
#include "src/event/batch.h"
#include "src/pipeline/template.h"

namespace logship {

class IndexPattern {
 public:
  // InvalidArgument (a reason meant to follow "option 'index': ") for an unknown or dangling
  // '%' conversion, a bad {{template}}, upper-case letters, or characters Elasticsearch never
  // accepts in an index name (\ / * ? " < > | space , #, or a leading - _ +).
  static Result<IndexPattern> Parse(std::string_view text);

  // Replaces `out` with the index name for `event`. False when a referenced field is not set
  // (the caller dead-letters the event rather than send it to a half-named index).
  bool Render(const Batch& batch, const Event& event, std::string& out);

  const std::string& text() const { return text_; }
  // True when the name never changes (no conversion, no field).
  bool constant() const { return constant_; }

 private:
  std::string text_;
  bool has_time_ = false;       // any '%' conversion
  bool constant_ = true;        // no conversion and no field
  int64_t bucket_seconds_ = 1;  // how long one strftime result stays valid
  // Cache: the strftime expansion of text_ for the bucket last seen, compiled as a template.
  int64_t cached_bucket_ = INT64_MIN;
  Template expanded_;
  bool expanded_has_fields_ = false;
  std::string literal_name_;  // the lower-cased name when expanded_ has no field
};

}  // namespace logship
