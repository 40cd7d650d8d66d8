// SPDX-License-Identifier: Apache-2.0
#include "src/event/json_writer.h"

#include <algorithm>
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

constexpr std::string_view kValueMember = "value";

// The first segment of `rest`, up to the first '.' or the end.
inline std::string_view FirstSegment(std::string_view rest) {
  return rest.substr(0, rest.find('.'));
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
      // Shortest round-trip form, always with a fraction or an exponent: 3.0 as "3" (or 1e20 as
      // "100000000000000000000") would read back as an integer, so Elasticsearch's dynamic mapping
      // would make the field a long, truncate later fractions and reject integers out of range.
      char* p = out.Reserve(32);
      char* end = std::to_chars(p, p + 30, v.d).ptr;
      if (std::find_if(p, end, [](char c) { return c == '.' || c == 'e'; }) == end) {
        *end++ = '.';
        *end++ = '0';
      }
      out.CommitTo(end);
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
  entries_.push_back(
      {"@timestamp", Value::String(std::string_view(
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

// The part of e's key inside the object whose members start at prefix_len. An entry whose key
// ends before that object (a value moved into the object of the same name) is its "value" member.
std::string_view JsonWriter::Rest(const Entry& e, size_t prefix_len) {
  return e.key.size() < prefix_len ? kValueMember : e.key.substr(prefix_len);
}

// The member name e is written under in the object at prefix_len.
std::string_view JsonWriter::Member(const Entry& e, size_t prefix_len, bool nest) {
  std::string_view rest = Rest(e, prefix_len);
  return nest ? FirstSegment(rest) : rest;
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
  // Past kMaxDepth the rest of a key is kept whole as one member name.
  const bool nest = depth + 1 < kMaxDepth;
  bool first = true;
  for (size_t ci = 0; ci < candidates.size(); ++ci) {
    if (entries_[candidates[ci]].done) continue;
    std::string_view seg = Member(entries_[candidates[ci]], prefix_len, nest);
    // Gather every entry under this member name: values named exactly so (the one added last
    // wins), and deeper keys.
    int64_t leaf = -1;
    std::vector<uint32_t>& children = scratch_[static_cast<size_t>(depth) + 1];
    children.clear();
    for (size_t cj = ci; cj < candidates.size(); ++cj) {
      const uint32_t index = candidates[cj];
      Entry& o = entries_[index];
      if (o.done) continue;
      std::string_view rest = Rest(o, prefix_len);
      if (Member(o, prefix_len, nest) != seg) continue;
      if (!nest || rest.size() == seg.size()) {
        if (leaf < 0 || index > leaf) {
          if (leaf >= 0) entries_[static_cast<size_t>(leaf)].done = true;
          leaf = index;
        } else {
          o.done = true;
        }
      } else {
        children.push_back(index);
      }
    }
    if (!first) out.Push(',');
    first = false;
    WriteString(seg, out);
    out.Push(':');
    if (children.empty()) {
      Entry& l = entries_[static_cast<size_t>(leaf)];
      l.done = true;
      WriteEntryValue(l, out);
      continue;
    }
    // A value that is also an object goes inside it as "value", first. It joins the children
    // rather than being written here, so that it meets an explicit "<key>.value" entry: one
    // "value" member, the later entry winning, never a duplicate key.
    if (leaf >= 0) children.insert(children.begin(), static_cast<uint32_t>(leaf));
    out.Push('{');
    // The callee iterates scratch_[depth + 1] and only touches deeper scratch lists; it marks
    // every entry it writes as done, so this loop skips them afterwards.
    WriteObject(prefix_len + seg.size() + 1, children, out, depth + 1);
    out.Push('}');
  }
}

}  // namespace logship
