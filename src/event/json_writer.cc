// SPDX-License-Identifier: Apache-2.0
#include "src/event/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "src/event/utf8.h"

namespace logship {
namespace {

inline void WriteUint(uint64_t v, OutputBuffer& out) {
  char* p = out.Reserve(24);
  auto r = std::to_chars(p, p + 24, v);
  out.CommitTo(r.ptr);
}

inline void WriteTags(uint32_t tags, OutputBuffer& out) {
  out.Push('[');
  bool first = true;
  for (int bit = 0; bit < kEventTagCount; ++bit) {
    if ((tags & (1u << bit)) == 0) continue;
    if (!first) out.Push(',');
    first = false;
    out.Push('"');
    out.Append(kEventTagNames[bit]);
    out.Push('"');
  }
  out.Push(']');
}

// The segment of `key` starting at `from`, up to the next '.' or the end.
inline std::string_view Segment(std::string_view key, size_t from) {
  size_t dot = key.find('.', from);
  return key.substr(from, dot == std::string_view::npos ? std::string_view::npos : dot - from);
}

constexpr int kMaxDepth = 32;

}  // namespace

void JsonWriter::WriteString(std::string_view s, OutputBuffer& out) {
  char* p = out.Reserve(MaxEscapedSize(s.size()) + 2);
  *p++ = '"';
  p = EscapeJsonString(s, p);
  *p++ = '"';
  out.CommitTo(p);
}

void JsonWriter::WriteValue(const Value& v, OutputBuffer& out) {
  switch (v.kind) {
    case ValueKind::kNull:
      out.Append("null");
      break;
    case ValueKind::kBool:
      out.Append(v.b ? "true" : "false");
      break;
    case ValueKind::kInt: {
      char* p = out.Reserve(24);
      auto r = std::to_chars(p, p + 24, v.i);
      out.CommitTo(r.ptr);
      break;
    }
    case ValueKind::kDouble: {
      if (!std::isfinite(v.d)) {
        out.Append("null");  // JSON has no NaN or infinity
        break;
      }
      char* p = out.Reserve(32);
      auto r = std::to_chars(p, p + 32, v.d);
      out.CommitTo(r.ptr);
      break;
    }
    case ValueKind::kString:
      WriteString(v.s, out);
      break;
    case ValueKind::kJson:
      out.Append(v.s);
      break;
  }
}

void JsonWriter::WriteTimestamp(const Event& event, OutputBuffer& out) {
  char* p = out.Reserve(TimestampFormatter::kMaxLength + 2);
  *p++ = '"';
  p = timestamps_.Format(event.timestamp_ns, event.precision, p);
  *p++ = '"';
  out.CommitTo(p);
}

void JsonWriter::WriteEvent(const Batch& batch, const Event& event, OutputBuffer& out) {
  if (event.first_field == kNoIndex) {
    WriteFixed(batch, event, out);
  } else {
    WriteGeneric(batch, event, out);
  }
}

// The common case, an event with only built-in fields, written without any grouping work.
void JsonWriter::WriteFixed(const Batch& batch, const Event& event, OutputBuffer& out) {
  out.Append("{\"@timestamp\":");
  WriteTimestamp(event, out);
  if (event.has_message) {
    out.Append(",\"message\":");
    WriteString(event.message, out);
  }
  if (event.source != kNoIndex) {
    out.Append(",\"log\":{\"file\":{\"path\":");
    WriteString(batch.sources()[event.source].path, out);
    out.Append("},\"offset\":");
    WriteUint(event.offset, out);
    out.Push('}');
  }
  if (!batch.host_name.empty()) {
    out.Append(",\"host\":{\"name\":");
    WriteString(batch.host_name, out);
    out.Push('}');
  }
  if (event.tags != 0) {
    out.Append(",\"tags\":");
    WriteTags(event.tags, out);
  }
  if (!event.error_type.empty()) {
    out.Append(",\"error\":{\"type\":");
    WriteString(event.error_type, out);
    out.Append(",\"message\":");
    WriteString(event.error_message, out);
    out.Push('}');
  }
  out.Push('}');
}

void JsonWriter::WriteGeneric(const Batch& batch, const Event& event, OutputBuffer& out) {
  entries_.clear();
  char* ts_end = timestamps_.Format(event.timestamp_ns, event.precision, timestamp_buf_);
  entries_.push_back({"@timestamp", Value::String(std::string_view(
                                        timestamp_buf_, static_cast<size_t>(ts_end - timestamp_buf_)))});
  if (event.has_message) entries_.push_back({"message", Value::String(event.message)});
  if (event.source != kNoIndex) {
    entries_.push_back({"log.file.path", Value::String(batch.sources()[event.source].path)});
    entries_.push_back({"log.offset", Value::Int(static_cast<int64_t>(event.offset))});
  }
  if (!batch.host_name.empty()) entries_.push_back({"host.name", Value::String(batch.host_name)});
  batch.ForEachField(event, [this](const Field& f) { entries_.push_back({f.key, f.value}); });
  if (event.tags != 0) {
    tags_ = event.tags;
    entries_.push_back({"tags", Value::Null(), Special::kTags});
  }
  if (!event.error_type.empty()) {
    entries_.push_back({"error.type", Value::String(event.error_type)});
    entries_.push_back({"error.message", Value::String(event.error_message)});
  }
  if (scratch_.empty()) scratch_.resize(kMaxDepth + 1);
  std::vector<uint32_t>& all = scratch_[0];
  all.clear();
  for (uint32_t i = 0; i < entries_.size(); ++i) all.push_back(i);
  out.Push('{');
  WriteObject(0, all, out, 0);
  out.Push('}');
}

void JsonWriter::WriteEntryValue(const Entry& e, OutputBuffer& out) {
  if (e.special == Special::kTags) {
    WriteTags(tags_, out);
  } else {
    WriteValue(e.value, out);
  }
}

void JsonWriter::WriteObject(size_t prefix_len, const std::vector<uint32_t>& candidates,
                             OutputBuffer& out, int depth) {
  bool first = true;
  for (size_t ci = 0; ci < candidates.size(); ++ci) {
    if (entries_[candidates[ci]].done) continue;
    std::string_view seg = Segment(entries_[candidates[ci]].key, prefix_len);
    // Gather every entry under this segment: values named exactly so, and deeper keys. Past
    // kMaxDepth the rest of a key is kept whole as one member name.
    int leaf = -1;
    bool nest = depth + 1 < kMaxDepth;
    std::vector<uint32_t>& children = scratch_[static_cast<size_t>(depth) + 1];
    children.clear();
    for (size_t cj = ci; cj < candidates.size(); ++cj) {
      Entry& o = entries_[candidates[cj]];
      if (o.done) continue;
      std::string_view oseg = nest ? Segment(o.key, prefix_len) : o.key.substr(prefix_len);
      if (oseg != (nest ? seg : entries_[candidates[ci]].key.substr(prefix_len))) continue;
      if (!nest || o.key.size() == prefix_len + seg.size()) {
        if (leaf >= 0) entries_[static_cast<size_t>(leaf)].done = true;  // the last value wins
        leaf = static_cast<int>(candidates[cj]);
      } else {
        children.push_back(candidates[cj]);
      }
    }
    if (!first) out.Push(',');
    first = false;
    if (!nest) seg = entries_[candidates[ci]].key.substr(prefix_len);
    WriteString(seg, out);
    out.Push(':');
    if (children.empty()) {
      Entry& l = entries_[static_cast<size_t>(leaf)];
      l.done = true;
      WriteEntryValue(l, out);
      continue;
    }
    out.Push('{');
    if (leaf >= 0) {
      Entry& l = entries_[static_cast<size_t>(leaf)];
      l.done = true;
      out.Append("\"value\":");
      WriteEntryValue(l, out);
      out.Push(',');
    }
    // The callee iterates scratch_[depth + 1] and only touches deeper scratch lists; it marks
    // every entry it writes as done, so this loop skips them afterwards.
    WriteObject(prefix_len + seg.size() + 1, children, out, depth + 1);
    out.Push('}');
  }
}

}  // namespace logship
