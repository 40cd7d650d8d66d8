// SPDX-License-Identifier: Apache-2.0
#pragma once

// Stage transforms a batch in place (parse, edit, filter). A bad line is never a failure: the event
// is tagged with error.type / error.message and shipped, or marked dropped and counted. Only a
// stage's factory can fail (bad configuration). Process runs on one pipeline thread at a time; a
// stage keeps per-call scratch state in members and must not allocate per event in steady state.
// A stage applies only to the events `selected` says (its `when:` condition) and never to events
// already dropped.

#include <cstdint>
#include <vector>

#include "src/event/batch.h"

namespace logship {

// Which events of a batch a stage applies to: all of them, or those marked in a vector of flags
// (one per event, computed from the stage's `when:` condition by the pipeline).
class EventSelection {
 public:
  static EventSelection All() { return EventSelection(nullptr); }
  explicit EventSelection(const std::vector<uint8_t>* marks) : marks_(marks) {}

  bool all() const { return marks_ == nullptr; }
  bool operator()(size_t event_index) const {
    return marks_ == nullptr || (*marks_)[event_index] != 0;
  }

 private:
  const std::vector<uint8_t>* marks_;
};

class Stage {
 public:
  virtual ~Stage() = default;
  // REQUIRES: skip events that are dropped or not selected.
  virtual void Process(Batch& batch, const EventSelection& selected) = 0;
};

// Calls fn(Event&, size_t index) for every event of `batch` that is selected and not dropped.
template <class Fn>
void ForEachSelected(Batch& batch, const EventSelection& selected, Fn&& fn) {
  std::vector<Event>& events = batch.events();
  for (size_t i = 0; i < events.size(); ++i) {
    if (!events[i].dropped && selected(i)) fn(events[i], i);
  }
}

}  // namespace logship
