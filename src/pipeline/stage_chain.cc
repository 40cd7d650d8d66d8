// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/stage_chain.h"

#include <utility>

namespace logship {

void StageChain::Add(std::unique_ptr<Stage> stage, std::optional<Condition> when) {
  stages_.push_back(std::move(stage));
  when_.push_back(std::move(when));
}

void StageChain::Run(Batch& batch) {
  for (size_t s = 0; s < stages_.size(); ++s) {
    const std::optional<Condition>& when = when_[s];
    if (!when) {
      stages_[s]->Process(batch, EventSelection::All());
      continue;
    }
    const std::vector<Event>& events = batch.events();
    marks_.assign(events.size(), 0);
    for (size_t i = 0; i < events.size(); ++i) {
      marks_[i] = !events[i].dropped && when->Matches(batch, events[i]);
    }
    stages_[s]->Process(batch, EventSelection(&marks_));
  }
}

}  // namespace logship
