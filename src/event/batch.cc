// SPDX-License-Identifier: Apache-2.0
#include "src/event/batch.h"

namespace logship {
namespace {

// What a batch keeps of its documents' room between uses (a batch of 2,048 typical events needs 1-2
// MiB).
constexpr size_t kMaxRetainedDocumentBytes = size_t{16} << 20;

}  // namespace

Batch::Batch() : arena_(1 << 20) {}

void Batch::Clear() {
  arena_.Reset();
  events_.clear();
  fields_.clear();
  sources_.clear();
  host_name = {};
  routes.clear();
  documents.clear();
  // A batch that once held a huge event does not keep its documents' room forever.
  documents.ShrinkTo(kMaxRetainedDocumentBytes);
  document_ends.clear();
  ack_tracker = nullptr;
  sequence = 0;
}

void Batch::AddField(Event& event, std::string_view key, Value value) {
  uint32_t index = static_cast<uint32_t>(fields_.size());
  fields_.push_back(Field{key, value, kNoIndex, false});
  if (event.last_field == kNoIndex) {
    event.first_field = index;
  } else {
    fields_[event.last_field].next = index;
  }
  event.last_field = index;
}

const Field* Batch::FindField(const Event& event, std::string_view key) const {
  const Field* found = nullptr;
  for (uint32_t i = event.first_field; i != kNoIndex; i = fields_[i].next) {
    if (!fields_[i].removed && fields_[i].key == key) found = &fields_[i];
  }
  return found;
}

Field* Batch::FindField(const Event& event, std::string_view key) {
  return const_cast<Field*>(static_cast<const Batch*>(this)->FindField(event, key));
}

}  // namespace logship
