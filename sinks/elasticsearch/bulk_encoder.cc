// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/bulk_encoder.h"

#include <charconv>

#include "src/base/check.h"

namespace logship {

BulkEncoder::BulkEncoder(const EsSinkOptions& options)
    : pattern_([&] {
        Result<IndexPattern> p = IndexPattern::Parse(options.target());
        LOGSHIP_CHECK(p.ok()) << p.status().ToString();
        return std::move(p).value();
      }()),
      create_(options.uses_create()),
      offset_ids_(options.id == EsIdMode::kOffset) {}

size_t BulkEncoder::OffsetId(const Batch& batch, const Event& event, char* out) {
  if (event.source == kNoIndex || event.source >= batch.sources().size()) return 0;
  uint64_t key = batch.sources()[event.source].file_key;
  if (key == 0) return 0;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[key & 15];
    key >>= 4;
  }
  out[16] = '-';
  auto r = std::to_chars(out + 17, out + kMaxIdLength, event.offset);
  return static_cast<size_t>(r.ptr - out);
}

BulkEncoder::Encoded BulkEncoder::Append(const Batch& batch, const Event& event,
                                         OutputBuffer& body) {
  if (!pattern_.Render(batch, event, index_)) return Encoded::kNoIndex;
  // Most events of a batch share their index: the escaped action prefix is built once per name.
  if (!have_prefix_ || index_ != prefix_for_) {
    action_prefix_.clear();
    action_prefix_.Append(create_ ? "{\"create\":{\"_index\":" : "{\"index\":{\"_index\":");
    JsonWriter::WriteString(index_, action_prefix_);
    prefix_for_ = index_;
    have_prefix_ = true;
  }
  body.Append(action_prefix_.view());
  Encoded result = Encoded::kPlain;
  if (offset_ids_) {
    char id[kMaxIdLength];
    size_t n = OffsetId(batch, event, id);
    if (n > 0) {
      body.Append(",\"_id\":\"");
      body.Append(std::string_view(id, n));
      body.Push('"');
      result = Encoded::kWithId;
    }
  }
  body.Append("}}\n");
  json_.WriteEvent(batch, event, body);
  body.Push('\n');
  return result;
}

}  // namespace logship
