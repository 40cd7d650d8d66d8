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

void JsonWriter::EncodeDocuments(Batch& batch) {
  batch.documents.clear();
  batch.document_ends.clear();
  const std::vector<Event>& events = batch.events();
  batch.document_ends.reserve(events.size());
  for (const Event& e : events) {
    if (!e.dropped) {
      Render(batch, e, batch.documents);
      batch.documents.Push('\n');
    }
    batch.document_ends.push_back(batch.documents.size());
  }
}

void JsonWriter::Render(const Batch& batch, const Event& event, OutputBuffer& out) {
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
    out.Append(",\"error\":{\"message\":");
    WriteString(event.error_message, out);
    out.Append(",\"type\":");
    WriteString(event.error_type, out);
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
  // Events of one source usually carry the same keys in the same order (a JSON logger, a regex):
  // then the arrangement of the previous event holds as it is.
  Layout* layout = FindLayout();
  if (layout == nullptr) {
    layout = NewLayout();
    RankRoots();
    Arrange(*layout);
    BuildSkeleton(*layout);
    RememberKeys(*layout);
  }
  WriteArranged(*layout, out);
}

bool JsonWriter::SameKeys(const Layout& layout) const {
  if (!layout.cacheable || entries_.size() != layout.key_ends.size()) return false;
  size_t begin = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    std::string_view k = entries_[i].key;
    size_t end = layout.key_ends[i];
    if (end - begin != k.size() ||
        std::memcmp(layout.keys.data() + begin, k.data(), k.size()) != 0) {
      return false;
    }
    begin = end;
  }
  return true;
}

JsonWriter::Layout* JsonWriter::FindLayout() {
  for (size_t i = 0; i < layouts_.size(); ++i) {
    if (!SameKeys(*layouts_[i])) continue;
    // Most recently used first: a source alternates between few key sets.
    std::rotate(layouts_.begin(), layouts_.begin() + static_cast<std::ptrdiff_t>(i),
                layouts_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    return layouts_[0].get();
  }
  return nullptr;
}

JsonWriter::Layout* JsonWriter::NewLayout() {
  if (layouts_.size() < kMaxLayouts) layouts_.push_back(std::make_unique<Layout>());
  // The least recently used one is recycled (its buffers keep their capacity).
  std::rotate(layouts_.begin(), layouts_.end() - 1, layouts_.end());
  return layouts_[0].get();
}

void JsonWriter::RememberKeys(Layout& layout) {
  layout.keys.clear();
  layout.key_ends.clear();
  // Arrange renames a value that is also an object; such an arrangement is not reused.
  layout.cacheable = moved_keys_.empty();
  if (!layout.cacheable) return;
  for (const Entry& e : entries_) {
    layout.keys.append(e.key);
    layout.key_ends.push_back(layout.keys.size());
  }
}

namespace {

// Keys are short: a plain loop beats a call to memchr.
inline size_t FindDot(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') return i;
  }
  return std::string_view::npos;
}

inline std::string_view RootOf(std::string_view key) {
  size_t dot = FindDot(key);
  return dot == std::string_view::npos ? key : key.substr(0, dot);
}

inline uint32_t HashOf(std::string_view s) {
  uint32_t h = 2166136261u;  // FNV-1a: roots are short
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

// Key order in which '.' sorts before every other byte, so that "a", "a.b", "a.b.c" are adjacent
// whatever other keys start with "a" ("a-x", "a0"): every object's members form one run.
inline int CompareKeys(std::string_view a, std::string_view b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    unsigned ca = a[i] == '.' ? 0u : static_cast<unsigned char>(a[i]) + 1u;
    unsigned cb = b[i] == '.' ? 0u : static_cast<unsigned char>(b[i]) + 1u;
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// True when `key` lies below `parent` ("a.b" below "a").
inline bool Below(std::string_view key, std::string_view parent) {
  return key.size() > parent.size() && key[parent.size()] == '.' &&
         key.compare(0, parent.size(), parent) == 0;
}

}  // namespace

void JsonWriter::RankRoots() {
  size_t slots = 16;
  while (slots < entries_.size() * 2) slots *= 2;
  if (roots_.size() < slots) roots_.assign(slots, RootSlot{});
  if (++generation_ == 0) {  // wrapped: forget every stale slot
    for (RootSlot& r : roots_) r.generation = 0;
    generation_ = 1;
  }
  size_t mask = roots_.size() - 1;
  uint32_t next_rank = 0;
  for (Entry& e : entries_) {
    std::string_view root = RootOf(e.key);
    for (size_t i = HashOf(root) & mask;; i = (i + 1) & mask) {
      RootSlot& slot = roots_[i];
      if (slot.generation != generation_) {
        slot = RootSlot{root, next_rank++, generation_};
        e.rank = slot.rank;
        break;
      }
      if (slot.root == root) {
        e.rank = slot.rank;
        break;
      }
    }
  }
}

void JsonWriter::Arrange(Layout& layout) {
  std::vector<uint32_t>& order = layout.order;
  moved_keys_.clear();
  while (true) {
    order.resize(entries_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) {
      const Entry& x = entries_[a];
      const Entry& y = entries_[b];
      if (x.rank != y.rank) return x.rank < y.rank;
      int c = CompareKeys(x.key, y.key);
      return c != 0 ? c < 0 : a < b;
    });
    // Equal keys are adjacent, in the order they were added: the last one wins.
    size_t kept = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      if (i + 1 < order.size() && entries_[order[i]].key == entries_[order[i + 1]].key) continue;
      order[kept++] = order[i];
    }
    order.resize(kept);
    // A value whose key is also an object ("a" and "a.b") becomes that object's "value" member.
    // Renaming it to "a.value" lets it meet an explicit "a.value" field (the later one wins).
    bool moved = false;
    for (size_t i = 0; i + 1 < order.size(); ++i) {
      Entry& e = entries_[order[i]];
      if (!Below(entries_[order[i + 1]].key, e.key)) continue;
      moved_keys_.push_back(std::make_unique<std::string>(std::string(e.key) + ".value"));
      e.key = *moved_keys_.back();
      moved = true;
    }
    if (!moved) return;
    // Rare: sort again with the new keys (a renamed key may itself meet deeper fields).
  }
}

// Everything but the values depends only on the keys: their names, nesting, commas and braces.
// It is rendered once per arrangement into skeleton_, cut before each value, so writing an event
// is a copy of each piece followed by its value.
void JsonWriter::BuildSkeleton(Layout& layout) {
  OutputBuffer& skeleton = layout.skeleton;
  std::vector<size_t>& piece_ends = layout.piece_ends;
  skeleton.clear();
  piece_ends.clear();
  std::string_view open[kMaxDepth];  // names of the objects currently open, outermost first
  bool comma[kMaxDepth + 1];         // the object at each depth has a member already
  int depth = 0;
  comma[0] = false;
  std::string_view segs[kMaxDepth];
  skeleton.Push('{');
  for (uint32_t index : layout.order) {
    const Entry& e = entries_[index];
    // Split into segments; past kMaxDepth - 1 dots the rest stays whole as one member name.
    int m = 0;
    std::string_view rest = e.key;
    while (m < kMaxDepth - 1) {
      size_t dot = FindDot(rest);
      if (dot == std::string_view::npos) break;
      segs[m++] = rest.substr(0, dot);
      rest.remove_prefix(dot + 1);
    }
    segs[m++] = rest;
    int common = 0;
    while (common < depth && common < m - 1 && open[common] == segs[common]) ++common;
    while (depth > common) {
      skeleton.Push('}');
      --depth;
    }
    for (int s = common; s < m - 1; ++s) {
      if (comma[depth]) skeleton.Push(',');
      comma[depth] = true;
      WriteString(segs[s], skeleton);
      skeleton.Append(":{");
      open[depth++] = segs[s];
      comma[depth] = false;
    }
    if (comma[depth]) skeleton.Push(',');
    comma[depth] = true;
    WriteString(segs[m - 1], skeleton);
    skeleton.Push(':');
    piece_ends.push_back(skeleton.size());
  }
  while (depth > 0) {
    skeleton.Push('}');
    --depth;
  }
  skeleton.Push('}');
}

void JsonWriter::WriteArranged(const Layout& layout, OutputBuffer& out) {
  const char* base = layout.skeleton.data();
  size_t begin = 0;
  for (size_t k = 0; k < layout.order.size(); ++k) {
    out.Append(std::string_view(base + begin, layout.piece_ends[k] - begin));
    WriteEntryValue(entries_[layout.order[k]], out);
    begin = layout.piece_ends[k];
  }
  out.Append(std::string_view(base + begin, layout.skeleton.size() - begin));
}

void JsonWriter::WriteEntryValue(const Entry& e, OutputBuffer& out) {
  if (e.special == Special::kTags) {
    WriteTags(tags_, out);
  } else {
    WriteValue(e.value, out);
  }
}

}  // namespace logship
